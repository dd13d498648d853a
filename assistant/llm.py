"""A client of an OpenAI-compatible chat-completions service (DeepSeek, DashScope/Qwen, Ollama,
vLLM, OpenAI): `POST {base_url}/chat/completions`, whole or streamed (server-sent events).

Every failure (a time-out, an unreachable host, an HTTP error, a reply that is not what the API
describes) is an `LLMError` whose message is one line a user can act on; the API key is never part
of a message or a log line. Every text the service sends back (whole answers, each streamed piece,
error bodies) has the configured secrets (its API key and ASSISTANT_API_KEY) replaced by `***`
before it leaves this module; a stream holds back an end of the text that could start a key (at
most len(key)-1 characters) until the next piece shows whether it does, so a key cut across two
pieces is caught too."""

from __future__ import annotations

import json
import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import httpx

#: Seconds the service may stay silent (to connect, or between two parts of a reply) by default.
DEFAULT_TIMEOUT = 60.0
#: Sampling temperature sent with every request: low, since the answer must stay with the passages.
TEMPERATURE = 0.2


class LLMError(Exception):
    """The model service could not give an answer; the message says why in one line."""


def _where(base_url: str) -> str:
    """The service's address without credentials or query, for messages."""
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.hostname:
        return base_url.split("?")[0].split("@")[-1]
    host = parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


class ChatModel:
    """One configured model behind an OpenAI-compatible endpoint. Thread-safe (one httpx.Client)."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 secrets: Iterable[str | None] = ()):
        """`secrets`: other texts never to pass on from a reply (the server's ASSISTANT_API_KEY)."""
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        # longest first, so a secret holding another is replaced whole
        self._secrets = sorted({s for s in (api_key, *secrets) if s}, key=len, reverse=True)
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=httpx.Timeout(timeout))

    @property
    def where(self) -> str:
        return _where(self.base_url)

    def __repr__(self) -> str:  # never shows the key
        return f"ChatModel(model={self.model!r}, base_url={self.where!r})"

    def close(self) -> None:
        self._client.close()

    # --- requests --------------------------------------------------------------------------------

    def _body(self, messages: list[dict], stream: bool) -> dict:
        return {"model": self.model, "messages": messages, "temperature": TEMPERATURE, "stream": stream}

    def complete(self, messages: list[dict]) -> str:
        """The model's whole reply to `messages` (OpenAI chat format)."""
        try:
            response = self._client.post("/chat/completions", json=self._body(messages, False))
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        if response.status_code != 200:
            raise self._status_error(response.status_code, response.text)
        return self._redact(self._content(response.text))

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """The model's reply as it is written, piece by piece, with the secrets redacted. A service
        that ignores `stream` and answers whole is read whole."""
        pieces = self._stream(messages)
        try:
            yield from self._redacted(pieces)
        finally:
            pieces.close()

    def _redacted(self, pieces: Iterator[str]) -> Iterator[str]:
        """`pieces` with every secret replaced, also one cut across pieces: an end of the text that
        could be the start of a secret (at most len(secret)-1 characters) is held back until the
        next piece shows whether it is one; a stream that breaks off never shows it."""
        if not self._secrets:
            yield from pieces
            return
        buffer = ""
        for piece in pieces:
            buffer = self._redact(buffer + piece)  # every secret wholly in the buffer is replaced
            cut = len(buffer) - self._secret_start(buffer)
            if cut > 0:
                yield buffer[:cut]
                buffer = buffer[cut:]
        if buffer:
            yield buffer

    def _secret_start(self, text: str) -> int:
        """The length of the longest end of `text` that begins some secret (0: none does)."""
        for size in range(min(len(text), len(self._secrets[0]) - 1), 0, -1):
            tail = text[-size:]
            if any(secret.startswith(tail) for secret in self._secrets):
                return size
        return 0

    def _stream(self, messages: list[dict]) -> Iterator[str]:
        """The raw pieces of a streamed reply (not yet redacted)."""
        try:
            with self._client.stream("POST", "/chat/completions", json=self._body(messages, True)) as response:
                if response.status_code != 200:
                    raise self._status_error(response.status_code, response.read().decode("utf-8", "replace"))
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    yield self._content(response.read().decode("utf-8", "replace"))
                    return
                wrote = False
                for line in response.iter_lines():
                    piece = self._event(line)
                    if piece is None:
                        break
                    if piece:
                        wrote = True
                        yield piece
                if not wrote:
                    raise LLMError("the model returned an empty answer")
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None

    # --- reading replies -------------------------------------------------------------------------

    def _payload(self, text: str, what: str, while_: str = "") -> object:
        """The JSON of a reply or streamed event; an LLMError when it is no JSON or reports an error."""
        try:
            data = json.loads(text)
        except ValueError:
            raise LLMError(f"{what} of {self.where} is not JSON ({self._short(text)!r})") from None
        if isinstance(data, dict) and "error" in data and "choices" not in data:
            raise LLMError(f"the model service reported an error{while_}: {self._error_text(data)}")
        return data

    def _content(self, text: str) -> str:
        data = self._payload(text, "the reply")
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"the reply of {self.where} has no choices[0].message.content; is it an "
                           "OpenAI-compatible /chat/completions endpoint?") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the model returned an empty answer")
        return content

    def _event(self, line: str) -> str | None:
        """The text of one server-sent event line: '' for lines without text, None at [DONE]."""
        line = line.strip()
        if not line or line.startswith(":") or not line.startswith("data:"):
            return ""
        payload = line[5:].strip()
        if payload == "[DONE]":
            return None
        data = self._payload(payload, "a streamed event", " while streaming")
        try:
            choice = data["choices"][0] if data["choices"] else {}
            content = (choice.get("delta") or {}).get("content")
        except (KeyError, TypeError, AttributeError):
            raise LLMError(f"a streamed event of {self.where} has no choices[0].delta") from None
        if content is not None and not isinstance(content, str):
            raise LLMError(f"a streamed event of {self.where} has a non-text delta.content")
        return content or ""

    # --- errors ----------------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _short(self, text: str, limit: int = 120) -> str:
        text = re.sub(r"\s+", " ", self._redact(text)).strip()
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _error_text(self, data: dict) -> str:
        error = data.get("error")
        if isinstance(error, dict):
            error = error.get("message") or error.get("code") or error
        return self._short(str(error))

    def _status_error(self, status: int, body: str) -> LLMError:
        try:
            detail = self._error_text(json.loads(body))
        except (ValueError, AttributeError):
            detail = self._short(body)
        hint = {401: "; check ASSISTANT_LLM_API_KEY", 403: "; check ASSISTANT_LLM_API_KEY",
                404: "; check ASSISTANT_LLM_BASE_URL (it usually ends in /v1) and ASSISTANT_LLM_MODEL",
                429: "; the service is rate-limiting: try again later"}.get(status, "")
        return LLMError(f"the model service answered HTTP {status}" + (f" ({detail})" if detail else "") + hint)

    def _transport_error(self, exc: httpx.HTTPError) -> LLMError:
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(f"the model service at {self.where} did not answer within {self.timeout:g} s "
                            "(ASSISTANT_LLM_TIMEOUT)")
        reason = self._short(str(exc)) or type(exc).__name__
        return LLMError(f"cannot reach the model service at {self.where} ({reason})")


def load_model(settings, warn) -> ChatModel | None:
    """The configured model (ASSISTANT_LLM_BASE_URL + ASSISTANT_LLM_MODEL), or None: answers are
    then extractive. A setting that is half there or malformed is reported in one line."""
    base, model = settings.llm_base_url, settings.llm_model
    if not base and not model:
        return None
    if not base:
        warn("warning: ASSISTANT_LLM_MODEL is set but ASSISTANT_LLM_BASE_URL is not (e.g. "
             "https://api.deepseek.com/v1); answers stay extractive")
        return None
    if not model:
        warn("warning: ASSISTANT_LLM_BASE_URL is set but ASSISTANT_LLM_MODEL is not (e.g. deepseek-chat, "
             "qwen-plus, qwen2.5:7b); answers stay extractive")
        return None
    if not base.startswith(("http://", "https://")) or not urlsplit(base).hostname:
        warn(f"warning: ASSISTANT_LLM_BASE_URL must be an http:// or https:// address (got {_where(base)!r}); "
             "answers stay extractive")
        return None
    return ChatModel(base, model, settings.llm_api_key, settings.llm_timeout,
                     secrets=(getattr(settings, "api_key", None),))
