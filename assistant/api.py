"""The HTTP app: a thin shell over assistant.service.Assistant, built by `create_app()`.

The index and models load once, in the lifespan handler, and live on `app.state.assistant`; the
endpoints are plain `def`s, so FastAPI runs them in its thread pool and requests are answered
concurrently (the library guards its shared state: see Searcher and segmentation). Bad input is a
4xx whose `detail` says what to fix (api_errors.py). The chat page and the documentation page are
static files shipped in the package and load nothing from the network."""

from __future__ import annotations

import importlib.util
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator

from . import api_errors, api_openai
from .api_documents import MAX_UPLOAD_BODY
from .api_documents import router as documents_router
from .config import Settings, load_settings
from .errors import AssistantError
from .pages import document_html, document_json
from .rebuild import Rebuilder
from .retrieval.search import MAX_QUESTION_CHARS
from .service import MAX_TOP_K, Assistant

log = logging.getLogger("assistant.api")

WEB_DIR = Path(__file__).resolve().parent / "web"
#: Earlier questions one request may carry (the library reads the last 20 of them).
MAX_HISTORY_ITEMS = 50
#: Request bodies larger than this are refused with 413 before they are read.
MAX_BODY_BYTES = 1_000_000
EXAMPLE_QUESTION = "A2保障机制组要准备哪些材料?"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": EXAMPLE_QUESTION, "top_k": 5},
        {"question": "那A3组呢?", "history": [EXAMPLE_QUESTION]}]})

    question: StrictStr = Field(max_length=MAX_QUESTION_CHARS,
                                description=f"A question in Chinese or English (at most {MAX_QUESTION_CHARS} characters).")
    top_k: StrictInt = Field(5, ge=1, le=MAX_TOP_K, description=f"How many passages to cite (1–{MAX_TOP_K}).")
    history: list[Any] | None = Field(None, max_length=MAX_HISTORY_ITEMS, description=(
        "Earlier questions of the conversation, oldest first: strings or objects with a `question` "
        "(an earlier answer's JSON works as is). Follow-ups such as '那A3组呢?' are read against them."))
    stream: StrictBool = Field(False, description=(
        "true: server-sent events: `passages` (the citations), then `delta` events ({\"text\"}) as the "
        "answer is written (each sentence checked), then `done` with the JSON of a plain request."))

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(f"must be a non-empty string, e.g. {EXAMPLE_QUESTION!r}")
        return value

    @field_validator("history")
    @classmethod
    def _questions(cls, items: list | None) -> list[str] | None:
        if items is None:
            return None
        out = []
        for number, item in enumerate(items):
            text = item.get("question") if isinstance(item, dict) else item
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"item {number + 1} must be an earlier question: a non-empty string or "
                                 f'{{"question": "..."}}')
            if len(text) > MAX_QUESTION_CHARS:
                raise ValueError(f"item {number + 1} is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS} characters")
            out.append(text)
        return out


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "summary", "school": "青山镇中心小学", "facts": {"学生数": 650, "教职工数": 54},
         "focus": ["师资队伍", "办学条件"]}]})

    kind: StrictStr = Field(max_length=60, description="summary (工作总结), plan (工作方案), self-inspection (自查报告), "
                                                       "rectification (整改方案) or inspection-prep (迎检工作方案).")
    school: StrictStr = Field(max_length=200, description="The school (or unit) the document is for.")
    facts: dict[str, Any] | None = Field(None, max_length=200, description="Placeholder name → the school's figure, "
                                                                           'e.g. {"学生数": 650}.')
    facts_text: StrictStr | None = Field(None, max_length=100_000, description=(
        "The same facts as JSON or YAML text, as pasted into the drafting page (`学生数: 650`); "
        "`facts` wins where both name a placeholder."))
    focus: list[StrictStr] | None = Field(None, max_length=20, description="Areas of work to cover, e.g. 师资队伍, 办学条件.")
    format: Literal["json", "md", "docx"] = Field("json", description="json: the outline as JSON; md: as Markdown text "
                                                                      "(a file to download); docx: a Word file in 公文 format.")

    @field_validator("focus", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value


def download_name(school: str, kind_name: str, suffix: str) -> str:
    """The file name a downloaded outline gets: <school>-<kind>提纲.<suffix>, safe on Windows."""
    import re

    return re.sub(r'[\\/:*?"<>|\s]+', "_", f"{school}-{kind_name}提纲") + suffix


def attachment(name: str) -> str:
    """A Content-Disposition header for a file with a Chinese name (RFC 6266 / 5987)."""
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name)}'


def get_assistant(request: Request) -> Assistant:
    """The Assistant opened at start-up (a FastAPI dependency)."""
    return request.app.state.assistant


class BodyLimit:
    """Refuse a request whose declared body is larger than `limit` bytes (413), unread."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES, uploads: int = MAX_UPLOAD_BODY):
        self.app = app
        self.limit = limit
        self.uploads = uploads  # POST /documents carries files

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            upload = scope.get("method") == "POST" and scope.get("path") == "/documents"
            limit = self.uploads if upload else self.limit
            if length.isdigit() and int(length) > limit:
                response = JSONResponse({"detail": f"the request body is {int(length)} bytes; the limit is "
                                                   f"{limit} bytes"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _swagger_folder() -> Path | None:
    """Swagger UI's files as the `swagger-ui-py` package ships them (found without importing it)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "static"
    return folder if (folder / "swagger-ui-bundle.js").exists() else None


def sse(event: str, data) -> str:
    """One server-sent event; `delta` data is {"text": ...}."""
    import json

    payload = {"text": data} if event == "delta" else data
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def warm_up(assistant: Assistant) -> None:
    """Build the lazily made state (segmenter, pinyin names, caches) before the first request."""
    assistant.search("义务教育均衡发展 guarantee", 1)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The app. Settings default to `load_settings()` (read when the app starts, not at import);
    pass an opened `assistant` to skip opening one (the CLI opens it first to show progress)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.assistant is None:
            chosen = app.state.settings or load_settings()
            app.state.assistant = await run_in_threadpool(lambda: Assistant.open(chosen, warn=log.warning))
        await run_in_threadpool(warm_up, app.state.assistant)
        app.state.rebuilder = Rebuilder(app.state.assistant.settings, lambda new: switch_assistant(app, new),
                                        log=log.warning, serving=lambda: app.state.assistant)
        yield
        app.state.rebuilder.wait(60)  # let a running build finish writing (it is atomic either way)

    app = FastAPI(title="义务教育均衡发展资料助手 API", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None, description="Cited answers, search and drafting over compulsory-education "
                                              "balanced-development documents. User errors are 4xx with a `detail`.")
    app.state.settings = settings
    app.state.assistant = assistant
    api_errors.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    api_openai.install(app)
    swagger = _swagger_folder()
    if swagger is not None:
        app.mount("/docs-static", StaticFiles(directory=swagger), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if swagger is None:
            return HTMLResponse(_plain_docs(app))
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} — docs",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon-32x32.png")

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/library", include_in_schema=False)
    def library_page() -> FileResponse:
        return FileResponse(WEB_DIR / "library.html", media_type="text/html; charset=utf-8")

    @app.get("/drafting", include_in_schema=False)
    def drafting_page() -> FileResponse:
        return FileResponse(WEB_DIR / "drafting.html", media_type="text/html; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")

    @app.post("/ask", summary="Answer a question with numbered, cited passages")
    def ask(body: AskRequest, assistant: Assistant = Depends(get_assistant)):
        """The JSON of `assistant ask --json`: `{"question", "answer", "citations": [{"n", "doc_id",
        "title", "source", "section", "start_line", "end_line", "page", "text", "score"}],
        "resolved_question", "lang", "found", "coverage", "answer_mode", "synthesis"}`; with
        `"stream": true`, server-sent events (`passages`, `delta`…, `done`)."""
        if not body.stream:
            return assistant.ask(body.question, body.top_k, history=body.history).to_dict()
        events = assistant.ask_events(body.question, body.top_k, history=body.history)
        return StreamingResponse((sse(kind, value) for kind, value in events), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/search", summary="The passages that match a query, ranked")
    def search(q: str = Query(..., max_length=MAX_QUESTION_CHARS, description="What to look for."),
               top_k: int = Query(5, ge=1, le=MAX_TOP_K, description=f"How many passages (1–{MAX_TOP_K})."),
               assistant: Assistant = Depends(get_assistant)) -> dict:
        if not q.strip():
            raise HTTPException(422, f"q: must be a non-empty string, e.g. /search?q={EXAMPLE_QUESTION}")
        return assistant.search(q, top_k)

    @app.post("/draft", summary="An outline of a new summary or plan for a school, with cited examples",
              responses={200: {"content": {"application/json": {}, "text/markdown": {}, DOCX_TYPE: {}}}})
    def draft(body: DraftRequest, assistant: Assistant = Depends(get_assistant)):
        """The JSON of `assistant draft --format json`; `"format": "md"` gives the Markdown and
        `"format": "docx"` the Word file in 公文 format, each as a download named <school>-<kind>提纲."""
        import io

        from .drafting import parse_facts_text, to_markdown, write_docx

        facts = dict(parse_facts_text(body.facts_text, "facts_text") if (body.facts_text or "").strip() else {})
        facts.update(body.facts or {})
        outline = assistant.draft(body.kind, body.school, facts=facts or None, focus=body.focus)
        if body.format == "md":
            name = download_name(outline.school, outline.kind_name, ".md")
            return PlainTextResponse(to_markdown(outline), media_type="text/markdown; charset=utf-8",
                                     headers={"Content-Disposition": attachment(name)})
        if body.format == "docx":
            buffer = io.BytesIO()
            write_docx(outline, buffer)
            name = download_name(outline.school, outline.kind_name, ".docx")
            return Response(buffer.getvalue(), media_type=DOCX_TYPE, headers={"Content-Disposition": attachment(name)})
        return outline.to_dict()

    @app.get("/draft/options", summary="The kinds of document and the areas of work the drafting aid knows")
    def draft_options() -> dict:
        from .drafting.template import load_areas, load_templates

        return {"kinds": [{"kind": t.kind, "name": t.name} for t in load_templates().values()],
                "focus": [name for name in load_areas()]}

    app.include_router(documents_router)

    @app.get("/documents/{doc_id}", summary="One document, with a cited span marked",
             responses={200: {"content": {"text/html": {}, "application/json": {}}}})
    def document(doc_id: str, start: int | None = Query(None, ge=1, description="First cited source line."),
                 end: int | None = Query(None, ge=1, description="Last cited source line."),
                 format: Literal["html", "json"] = Query("html", description="html (a page) or json."),
                 assistant: Assistant = Depends(get_assistant)):
        meta = assistant.index.doc_by_id.get(doc_id)
        if meta is None:
            raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists the ids")
        if start is not None and end is not None and end < start:
            raise HTTPException(422, f"end: must not be before start (got start={start}, end={end})")
        if start is None and end is not None:
            raise HTTPException(422, "start: is required when end is given")
        lines = assistant.index.lines.get(doc_id, [])
        if format == "json":
            return document_json(meta, lines, start, end)
        return HTMLResponse(document_html(meta, lines, start, end))

    @app.get("/health", summary="Status: documents, chunks and the embedding model in use")
    def health(assistant: Assistant = Depends(get_assistant)) -> dict:
        manifest = assistant.index.manifest
        return {"status": "ok", "documents": len(assistant.index.documents), "chunks": len(assistant.index.chunks),
                "embedding_model": assistant.embedder.name if assistant.embedder else None,
                "embedding_setting": manifest.get("embedding_setting"), "index_built_at": manifest.get("built_at"),
                "reranker": getattr(assistant.reranker, "name", None),
                "llm_model": assistant.llm.model if assistant.llm else None}

    return app


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def switch_assistant(app: FastAPI, assistant: Assistant) -> None:
    """Serve `assistant` (a newly built index) from the next request on; requests in flight finish
    on the one they started with (each holds its own reference)."""
    app.state.assistant = assistant
    log.warning("now serving the index built at %s (%d documents)", assistant.index.manifest.get("built_at"),
                len(assistant.index.documents))


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def check_listen(host: str, port: int, log_level: str = "info") -> None:
    """Raise AssistantError (one line for the CLI) when the server could not listen as asked."""
    import socket

    if not 0 < port < 65536:
        raise AssistantError(f"--port must be from 1 to 65535 (got {port})")
    if log_level not in LOG_LEVELS:
        raise AssistantError(f"--log-level must be one of {', '.join(LOG_LEVELS)} (got {log_level!r})")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise AssistantError(f"--host {host!r} is not an address of this machine ({exc.strerror or exc})") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise AssistantError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port") from exc


def run(assistant: Assistant, host: str, port: int, log_level: str = "info") -> None:
    """Serve the app for an opened Assistant until Ctrl-C."""
    import uvicorn

    uvicorn.run(create_app(assistant.settings, assistant), host=host, port=port, log_level=log_level)


def _plain_docs(app: FastAPI) -> str:
    """The endpoint list, when Swagger UI's files are not installed (the page loads nothing)."""
    from html import escape

    rows = []
    for path, operations in app.openapi().get("paths", {}).items():
        for method, operation in operations.items():
            rows.append(f"<li><code>{escape(method.upper())} {escape(path)}</code> — {escape(operation.get('summary', ''))}</li>")
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(app.title)}</title>'
            f'<link rel="stylesheet" href="/static/style.css"></head><body class="document-page"><h1>{escape(app.title)}</h1>'
            f'<ul>{"".join(rows)}</ul><p>The full schema: <a href="{app.openapi_url}">{app.openapi_url}</a></p></body></html>')
