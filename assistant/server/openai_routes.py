"""The OpenAI-compatible endpoint, so chat clients (ChatBox, Open WebUI, Dify, a WeCom bot, the
`openai` Python package) can use the assistant as a model at `http://host:8000/v1`:

- `GET /v1/models`: the model `assistant` (every collection) and, when there are several
  collections (collection.py), `assistant:<collection>` for each, so a chat client picks a
  knowledge base by picking a model;
- `POST /v1/chat/completions`: the last user message is the question, the earlier user messages
  the conversation's history; the reply's text is the answer followed by its numbered source list,
  and the extra fields `citations`, `answer_mode` and `found` carry them as data. `"stream": true`
  sends `chat.completion.chunk` events as the answer is written, then `data: [DONE]`. An extra
  `filters` object (as `/ask` takes it: kind, since, until, organisation, title) scopes the answer to
  those documents.

With `ASSISTANT_API_KEY` set, both ask for `Authorization: Bearer <that key>`. Errors take the
OpenAI shape `{"error": {"message", "type", "param", "code"}}` (and `detail`, as the rest of the API)."""

from __future__ import annotations

import hmac
import json
import re
import time
import uuid
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError

from ..answer.synthesis import continuation
from .http_errors import STATUS, collapse_unions, message
from ..retrieval.filters import Filters
from .schemas import NON_BLANK, FilterRequest, OpenAIErrorBody, error_responses, json_whole_number
from ..chat import location
from ..errors import AssistantError
from ..retrieval.search import MAX_QUESTION_CHARS
from ..service import MAX_HISTORY, MAX_TOP_K

MODEL_ID = "assistant"
SOURCES = {"zh": ("来源:", "最接近的段落(不是答案):"), "en": ("Sources:", "Closest passages (not an answer):")}


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # [{"type": "text", "text": "..."}, {"type": "image_url", ...}]
            return "\n".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """What chat clients send; sampling fields (temperature, max_tokens, …) are accepted and unused."""

    model_config = ConfigDict(extra="allow")
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1, max_length=500)
    stream: StrictBool = False
    # a whole number as everywhere in the API (JSON Schema's integer: 3 and 3.0, not "3" or true)
    top_k: Optional[Annotated[int, Field(ge=1, le=MAX_TOP_K), BeforeValidator(json_whole_number)]] = None
    # which documents to answer from, as /ask takes them (the openai package sends it with extra_body)
    filters: Optional[FilterRequest] = None


def _inline(schema: Any, defs: dict) -> Any:
    """A pydantic JSON schema with its `$defs` references replaced by the definitions."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def chat_request_schema() -> dict:
    """The body of POST /v1/chat/completions as the handler checks it (ChatRequest), plus what
    question_and_history asks of it: a message from role `user` holding the question as text."""
    schema = ChatRequest.model_json_schema()
    schema = _inline(schema, schema.get("$defs", {}))
    schema["properties"]["messages"]["contains"] = {
        "type": "object", "required": ["role", "content"],
        "properties": {"role": {"const": "user"},
                       "content": {"type": "string", "minLength": 1, "maxLength": MAX_QUESTION_CHARS,
                                   "pattern": NON_BLANK}}}
    schema["properties"]["messages"]["description"] = (
        "The conversation, oldest first; the last message from role `user` is the question (text of 1–"
        f"{MAX_QUESTION_CHARS} characters, not only spaces), the user messages before it its history.")
    return schema


def error(status: int, text: str, kind: str = "invalid_request_error", code: str | None = None,
          param: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": text, "type": kind, "param": param, "code": code}, "detail": text},
                        status_code=status)


def authorised(request: Request) -> bool:
    key = request.app.state.assistant.settings.api_key
    if not key:
        return True
    sent = request.headers.get("authorization", "")
    token = sent[7:].strip() if sent.lower().startswith("bearer ") else ""
    return hmac.compare_digest(token.encode(), key.encode())


def _unauthorised() -> JSONResponse:
    return error(401, "missing or wrong API key: send the header Authorization: Bearer <ASSISTANT_API_KEY>",
                 code="invalid_api_key")


def question_and_history(body: ChatRequest) -> tuple[str, list[str]]:
    """The last user message, and the user messages before it (oldest first)."""
    users = [m.text().strip() for m in body.messages if m.role == "user"]
    if not users or not users[-1]:
        raise ValueError("messages: the last message from role 'user' must hold the question as text")
    if len(users[-1]) > MAX_QUESTION_CHARS:
        raise ValueError(f"messages: the question is {len(users[-1])} characters long; the limit is "
                         f"{MAX_QUESTION_CHARS} characters")
    history = [u[:MAX_QUESTION_CHARS] for u in users[:-1] if u][-MAX_HISTORY:]
    return users[-1], history


def sources_text(answer: dict) -> str:
    """The numbered source list under the answer: the passages it cites (all, when not found)."""
    lang = "zh" if answer.get("lang") == "zh" else "en"
    cited = set((answer.get("synthesis") or {}).get("cited") or [])
    if not cited and answer.get("answer_mode") != "llm":
        cited = {int(n) for n in re.findall(r"\[(\d{1,3})\]", answer["answer"])}
    rows = [c for c in answer["citations"] if c["n"] in cited] or answer["citations"]
    if not rows:
        return ""
    head = SOURCES[lang][0 if answer.get("found") else 1]
    lines = []
    for c in rows:
        section = f" {c['section']}" if c.get("section") else ""
        lines.append(f"[{c['n']}] 《{c['title']}》{section} ({location(c)})")
    return "\n\n" + head + "\n" + "\n".join(lines)


def _extra(answer: dict) -> dict:
    return {"citations": answer["citations"], "answer_mode": answer["answer_mode"], "found": answer["found"],
            "resolved_question": answer["resolved_question"]}


def _usage() -> dict:
    return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def install(app) -> None:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    @router.get("/models", summary="The model chat clients can choose (OpenAI-compatible)",
                responses=error_responses(401, model=OpenAIErrorBody))
    def models(request: Request):
        if not authorised(request):
            return _unauthorised()
        from ..collection import names

        held = names(request.app.state.assistant.settings)
        ids = [MODEL_ID] + ([f"{MODEL_ID}:{name}" for name in held] if len(held) > 1 else [])
        return {"object": "list", "data": [{"id": i, "object": "model", "created": 0, "owned_by": "assistant"}
                                           for i in ids]}

    @router.post("/chat/completions", summary="Answer the last user message, with citations (OpenAI-compatible)",
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "application/json": {"schema": chat_request_schema()}}}},
                 responses={200: {"content": {"application/json": {}, "text/event-stream": {}}},
                            **error_responses(400, 401, 413, 415, 422, 503, model=OpenAIErrorBody, texts={
                                400: "The body is not valid JSON, or not a chat request (OpenAI's `error` with it).",
                                422: "The body is not a JSON object."})})
    def chat_completions(request: Request, payload: dict[str, Any]):
        if not authorised(request):
            return _unauthorised()
        assistant = request.app.state.assistant
        try:
            body = ChatRequest.model_validate(payload)
            question, history = question_and_history(body)
        except ValidationError as exc:
            first = collapse_unions([{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors()])[0]
            return error(400, message(first), param=".".join(str(p) for p in first.get("loc", ())[1:]))
        except ValueError as exc:
            return error(400, str(exc), param="messages")
        top_k = body.top_k or assistant.settings.top_k
        filters = body.filters.to_filters() if body.filters else None
        chosen = (body.model or "").partition(":")  # "assistant:laws": the collection laws
        if chosen[0] == MODEL_ID and chosen[2].strip():
            filters = (filters or Filters()).merged(Filters(collections=frozenset([chosen[2].strip()])))
        created = int(time.time())
        reply_id = f"chatcmpl-{uuid.uuid4().hex}"
        model = body.model or MODEL_ID
        try:
            if not body.stream:
                answer = assistant.ask(question, top_k, history=history, filters=filters).to_dict()
                content = answer["answer"] + sources_text(answer)
                return {"id": reply_id, "object": "chat.completion", "created": created, "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                     "finish_reason": "stop"}], "usage": _usage(), **_extra(answer)}
            events = assistant.ask_events(question, top_k, history=history, filters=filters)
        except AssistantError as exc:
            status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
            return error(status, str(exc))

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            data = {"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        def stream():
            yield chunk({"role": "assistant", "content": ""})
            streamed = ""
            for kind, value in events:
                if kind == "delta":
                    streamed += value
                    yield chunk({"content": value})
                elif kind == "done":
                    rest = continuation(streamed, value["answer"]) + sources_text(value)
                    if rest:
                        yield chunk({"content": rest})
                    yield chunk({}, "stop", **_extra(value))
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    app.include_router(router)
