"""The HTTP app: a thin shell over assistant.service.Assistant, built by `create_app()`.

The index and models load once, in the lifespan handler, and live on `app.state.assistant`; the
endpoints are plain `def`s, so FastAPI runs them in its thread pool and requests are answered
concurrently (the library guards its shared state: see Searcher and segmentation). Bad input is a
4xx whose `detail` says what to fix (http_errors.py). The chat page and the documentation page are
static files shipped in the package and load nothing from the network.

Every request passes SiteGuard first: a Host header the server does not answer to is a 400 (DNS
rebinding), a write sent by another site's page is a 403 unless it carries the API key, and every
response carries Content-Security-Policy, X-Frame-Options, X-Content-Type-Options and
Referrer-Policy."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import importlib.util
import ipaddress
import logging
import re
import socket
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Callable, Literal, Optional, TypeVar

import anyio
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr
from starlette.datastructures import Headers, MutableHeaders

from . import http_errors, openai_routes
from .documents_routes import MAX_UPLOAD_BODY
from .documents_routes import router as documents_router
from .follow import IndexFollower
from .schemas import (NON_BLANK, AskRequest, AskResponse, DraftRequest, DraftResponse, Health, LineNumber,
                         SearchResponse, TopK, error_responses)
from ..config import Settings, load_settings
from ..errors import AssistantError, RequestTimeout
from .pages import document_html, document_json
from .rebuild import Rebuilder
from ..documents import KINDS
from ..retrieval.filters import Filters
from ..retrieval.search import MAX_QUESTION_CHARS
from ..service import MAX_TOP_K, Assistant, Deadline

log = logging.getLogger("assistant.server")

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
#: The web pages by path: chat, documents, drafting.
PAGES = {"/": "index.html", "/library": "library.html", "/drafting": "drafting.html"}
#: Request bodies larger than this are refused with 413 (by their Content-Length before they are
#: read, else when the bytes read pass it).
MAX_BODY_BYTES = 1_000_000
EXAMPLE_QUESTION = "A2保障机制组要准备哪些材料?"


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
    """Refuse a request whose body is larger than `limit` bytes (413): by its declared length
    before reading it, or, sent without one (chunked), as soon as the bytes read pass it. Refuse
    a query string that gives a parameter twice (422), rather than silently taking one."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES, uploads: int = MAX_UPLOAD_BODY):
        self.app = app
        self.limit = limit
        self.uploads = uploads  # POST /documents carries files

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        repeated = _repeated(scope.get("query_string") or b"")
        if repeated:
            message = f"{repeated}: is given more than once; send each parameter once"
            await JSONResponse({"detail": message, "errors": [{"field": repeated, "message": message}]},
                               status_code=422)(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        upload = scope.get("method") == "POST" and scope.get("path") == "/documents"
        limit = self.uploads if upload else self.limit
        if length.isdigit() and int(length) > limit:
            await self._too_large(int(length), limit)(scope, receive, send)
            return
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # an HTTPException: the app's handler turns it into the 413
                    raise HTTPException(413, f"the request body is over {limit} bytes; the limit is {limit} bytes")
            return message

        await self.app(scope, counted, send)

    @staticmethod
    def _too_large(size: int, limit: int) -> JSONResponse:
        return JSONResponse({"detail": f"the request body is {size} bytes; the limit is {limit} bytes"},
                            status_code=413)


def _repeated(query: bytes) -> str | None:
    from urllib.parse import parse_qsl

    seen = set()
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return name
        seen.add(name)
    return None


#: POST routes that only read (answers, search, drafts): not writes, so SiteGuard lets any page send
#: them (the browser's same-origin rules still keep another site from reading the reply).
READ_ONLY_ROUTES = frozenset({"/ask", "/search", "/draft", "/v1/chat/completions"})
#: Methods that never change anything.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: --host values that mean every interface of the machine.
WILDCARD_BINDS = ("0.0.0.0", "::", "")
#: The policy of the Swagger UI page (/docs): its inline start-up script allowed by its hash (added),
#: the icons of its style sheet from data: URLs (its scripts set styles through the DOM, which CSP
#: allows: expanding, trying out and executing operations in chromium reports no violation).
DOCS_POLICY = ("default-src 'self'; script-src 'self' {script}; style-src 'self'; "
               "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", html, re.S | re.I)


def page_policy(folder: Path = WEB_DIR) -> str:
    """The Content-Security-Policy of every response: scripts, styles, images, fonts and requests from
    this server only, no plugins, no <base>, forms posting only here, never framed. Inline code in
    the pages of `folder` (a <script> or <style> element, a style="..." attribute) is allowed by its
    hash, read from the pages themselves, so the policy follows them; the pages' scripts use only
    textContent and element.style, which need nothing more. (A style attribute needs 'unsafe-hashes':
    a browser without it, older than 2022, only drops that one style.)"""
    from html import unescape

    scripts, styles, attributes = set(), set(), set()
    for page in sorted(folder.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        scripts.update(s for s in _inline_scripts(text) if s.strip())
        styles.update(re.findall(r"<style\b[^>]*>(.*?)</style>", text, re.S | re.I))
        attributes.update(unescape(v) for v in re.findall(r'\sstyle\s*=\s*"([^"]*)"', text, re.I))
    script_src = " ".join(["'self'", *sorted(_csp_hash(s) for s in scripts)])
    style_src = " ".join(["'self'", *(["'unsafe-hashes'"] if attributes else []),
                          *sorted(_csp_hash(s) for s in styles | attributes)])
    return (f"default-src 'self'; script-src {script_src}; style-src {style_src}; img-src 'self'; "
            f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def split_host(value: str) -> tuple[str, int | None] | None:
    """A Host header as (name, port): 'Example.org:8000' → ('example.org', 8000), '[::1]' →
    ('::1', None); None when it is not a host[:port]."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return None
    else:
        name, _, port = value.partition(":")
        if any(c in name for c in " /\\@?#[],;\"'<>") or any(ord(c) < 33 or ord(c) > 126 for c in name):
            return None
    name = name.rstrip(".")
    if not name or (port and not (port.isdigit() and len(port) <= 5)):
        return None
    return name, int(port) if port else None


def _address(name: str):
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether `--host host` listens on this machine only: localhost, a loopback address, or a
    name all of whose addresses are loopback (0.0.0.0 and :: are every interface, not loopback)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost":
        return True
    address = _address(name)
    if address is not None or not name:
        return address is not None and address.is_loopback
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    found = [_address(str(info[4][0]).split("%")[0]) for info in infos]
    return bool(found) and all(a is not None and a.is_loopback for a in found)


def check_exposure(host: str, settings: Settings) -> None:
    """Raise AssistantError (one line for the CLI) when serving on `host` would let other machines
    add and delete documents without a key: uploads on, `host` not loopback, no ASSISTANT_API_KEY."""
    if settings.allow_upload and not settings.api_key and not is_loopback(host):
        raise AssistantError(f"uploads are on (ASSISTANT_ALLOW_UPLOAD=1) and --host {host} is reachable from other "
                             f"machines, where anyone could add and delete documents: set ASSISTANT_API_KEY "
                             f"(or serve on --host 127.0.0.1)")


def _shown(value: str, limit: int = 80) -> str:
    """A header value fit for a one-line message: printable ASCII, at most `limit` characters."""
    text = "".join(c if " " <= c <= "~" else "?" for c in value.strip())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def key_sent(authorization: str | None, key: str | None) -> bool:
    """Whether `Authorization` carries `Bearer <key>` (never true without a key)."""
    if not key or not authorization:
        return False
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


def foreign_site(origin: str | None, fetch_site: str | None, host: str | None) -> str | None:
    """What shows a request was sent by another site's page ("Origin http://evil.example"), or None:
    Sec-Fetch-Site cross-site or same-site, or an Origin that is not the server's own (its host and
    port those of the Host header; the port of a Host without one is the Origin scheme's default,
    so that a TLS proxy that passes Host on still counts as the same site). No Origin and no
    Sec-Fetch-Site (curl, scripts) is None."""
    from urllib.parse import urlsplit

    fetch_site = (fetch_site or "").strip().lower()
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site {fetch_site}" + (f", Origin {_shown(origin)}" if origin else "")
    if origin is None:
        return None
    own = split_host(host or "")
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return f"Origin {_shown(origin)}"
    if own is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return f"Origin {_shown(origin)}"
    default = 443 if parts.scheme == "https" else 80
    if (parts.hostname.rstrip("."), port or default) != (own[0], own[1] or default):
        return f"Origin {_shown(origin)}"
    return None


class SiteGuard:
    """Outside the whole app (its own answers and the app's 500s carry the headers too):

    - Host: a request whose Host header names a host the server does not answer to is a 400 (this
      stops DNS rebinding, where another site's page reaches the server under the other site's
      name). Always answered to: localhost and loopback addresses (127.0.0.1, [::1]), with any
      port; the names in ASSISTANT_ALLOWED_HOSTS ("*": any host). Served on a particular address
      or name (`serve --host 192.168.1.20`), that one too; served on every interface (0.0.0.0 or
      ::), any IP address (a rebinding page always comes under a name, never an address, so
      colleagues can use whichever address reaches the machine) and the machine's own host name;
      other names (a DNS name of the machine, a proxy's) go in ASSISTANT_ALLOWED_HOSTS. A request
      without Host (HTTP/1.0) is let through. Starlette's in-process TestClient, whose client is
      the string "testclient" (never a network peer's), may also use its default Host, testserver.
    - Writes: a request that may change something (any method but GET, HEAD and OPTIONS, on any
      path but the read-only READ_ONLY_ROUTES: uploads, deletions, rebuilds, /reload and any
      write added later) sent by another site's page (foreign_site: Origin, Sec-Fetch-Site) is a
      403 unless it carries the API key (Authorization: Bearer). Requests without Origin and
      Sec-Fetch-Site (curl, scripts) are not affected; the routes' own checks (uploads on, the key
      when one is set) still apply to every write.
    - Headers: Content-Security-Policy (page_policy, unless the response sets its own),
      X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy same-origin."""

    def __init__(self, app, owner: FastAPI, bound_host: str | None = None):
        self.app = app
        self.owner = owner
        bound = None if bound_host is None else bound_host.strip().strip("[]").lower().rstrip(".")
        self.any_address = bound in WILDCARD_BINDS
        names = set()
        if self.any_address:
            own = socket.gethostname().lower().rstrip(".")
            names.update({own, own.split(".")[0]} if own else set())
        elif bound:
            names.add(bound)
        self.bound_names = frozenset(names)
        self.headers = (("Content-Security-Policy", page_policy()), ("X-Frame-Options", "DENY"),
                        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers.setdefault(name, value)
            await send(message)

        refused = self.refusal(scope)
        if refused is not None:
            status, detail = refused
            await JSONResponse({"detail": detail}, status_code=status)(scope, receive, secured)
            return
        await self.app(scope, receive, secured)

    def _settings(self):
        state = self.owner.state
        return getattr(getattr(state, "assistant", None), "settings", None) or getattr(state, "settings", None)

    def host_allowed(self, host: str, settings, client) -> bool:
        parsed = split_host(host)
        if parsed is None:
            return False
        name = parsed[0]
        allowed = getattr(settings, "allowed_hosts", ()) or ()
        address = _address(name)
        return ("*" in allowed or name in allowed or name == "localhost" or name in self.bound_names
                or (address is not None and (address.is_loopback or self.any_address))
                or (name == "testserver" and bool(client) and client[0] == "testclient"))

    def refusal(self, scope) -> tuple[int, str] | None:
        """(status, detail) for a request refused, else None."""
        headers = Headers(scope=scope)
        settings = self._settings()
        host = headers.get("host", "")
        if host.strip() and not self.host_allowed(host, settings, scope.get("client")):
            return 400, (f"this server does not answer to the host {_shown(host)!r} (the Host header); if that "
                         f"is its name, add it to ASSISTANT_ALLOWED_HOSTS (comma-separated) and restart it")
        if scope.get("method", "GET") in SAFE_METHODS or scope.get("path") in READ_ONLY_ROUTES:
            return None
        foreign = foreign_site(headers.get("origin"), headers.get("sec-fetch-site"), host)
        key = getattr(settings, "api_key", None)
        if foreign is None or key_sent(headers.get("authorization"), key):
            return None
        how = ("send the API key (Authorization: Bearer <key>) to write from elsewhere" if key else
               "to write from elsewhere, set ASSISTANT_API_KEY on the server and send Authorization: Bearer <key>")
        return 403, f"writes are accepted only from this server's own pages ({foreign}); {how}"


class _App(FastAPI):
    """FastAPI with SiteGuard outside its whole middleware stack (the error handlers included)."""

    def build_middleware_stack(self):
        return SiteGuard(super().build_middleware_stack(), self, getattr(self.state, "bound_host", None))


T = TypeVar("T")


async def within_budget(request: Request, work: Callable[[Deadline], T]) -> T:
    """Run `work(deadline)` in a worker thread; past the app's time budget answer 503 at once
    (the work itself stops at its next stage: it checks the deadline)."""
    seconds = request.app.state.request_seconds
    deadline = Deadline(seconds)
    try:
        with anyio.fail_after(seconds + 0.25):
            return await anyio.to_thread.run_sync(work, deadline, abandon_on_cancel=True)
    except TimeoutError:
        raise RequestTimeout(f"the request took longer than its {seconds:g} s budget and was stopped; "
                             f"ask a shorter question or send less history") from None


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


def create_app(settings: Settings | None = None, assistant: Assistant | None = None, *,
               host: str | None = None) -> FastAPI:
    """The app. Settings default to `load_settings()` (read when the app starts, not at import);
    pass an opened `assistant` to skip opening one (the CLI opens it first to show progress).
    `host` is the address served on (`serve --host`), which the Host check allows too (SiteGuard)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.assistant is None:
            chosen = app.state.settings or load_settings()
            app.state.assistant = await run_in_threadpool(lambda: Assistant.open(chosen, warn=log.warning))
        chosen = app.state.assistant.settings
        app.state.request_seconds = chosen.request_seconds
        await run_in_threadpool(app.state.assistant.warm_up)
        app.state.rebuilder = Rebuilder(app.state.assistant.settings, lambda new: switch_assistant(app, new),
                                        log=log.warning, serving=lambda: app.state.assistant)
        app.state.rebuilder.resume()  # a rebuild recorded as pending (the server stopped mid-build) runs now
        watcher = asyncio.create_task(follower.run(chosen.reload_seconds)) if chosen.reload_seconds > 0 else None
        yield
        if watcher is not None:
            watcher.cancel()
        app.state.rebuilder.wait(60)  # let a running build finish writing (it is atomic either way)

    app = _App(title="义务教育均衡发展资料助手 API", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None, description="Cited answers, search and drafting over compulsory-education "
                                              "balanced-development documents. User errors are 4xx with a `detail`.")
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.bound_host = host
    chosen = assistant.settings if assistant is not None else settings
    app.state.request_seconds = chosen.request_seconds if chosen is not None else 20.0  # the lifespan sets it too
    follower = app.state.follower = IndexFollower(app)
    http_errors.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    openai_routes.install(app)
    swagger = _swagger_folder()
    if swagger is not None:
        app.mount("/docs-static", StaticFiles(directory=swagger), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if swagger is None:
            return HTMLResponse(_plain_docs(app))
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} — docs",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon-32x32.png")
        scripts = " ".join(_csp_hash(s) for s in _inline_scripts(page.body.decode("utf-8")))
        page.headers["Content-Security-Policy"] = DOCS_POLICY.format(script=scripts)
        return page

    for path, page in PAGES.items():  # the three pages: chat, documents, drafting
        app.add_api_route(path, lambda page=page: FileResponse(WEB_DIR / page, media_type="text/html; charset=utf-8"),
                          methods=["GET"], include_in_schema=False, response_class=FileResponse)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")

    body_errors = error_responses(400, 413, 415, 422, 503)

    @app.post("/ask", summary="Answer a question with numbered, cited passages", response_model=AskResponse,
              responses={**body_errors, 200: {"content": {"application/json": {}, "text/event-stream": {}}}})
    async def ask(body: AskRequest, request: Request, assistant: Assistant = Depends(get_assistant)):
        """The JSON of `assistant ask --json`: the answer, its numbered citations, whether the
        documents answer the question, and `turn` (send it back in `history`); with
        `"stream": true`, server-sent events (`passages`, `delta`…, `done`)."""
        history = [item if isinstance(item, str) else item.model_dump() for item in body.history or []] or None
        filters = body.filters.to_filters() if body.filters else None
        if body.stream:
            events = await within_budget(request, lambda deadline: assistant.ask_events(
                body.question, body.top_k, history=history, deadline=deadline, filters=filters))
            return StreamingResponse((sse(kind, value) for kind, value in events), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return await within_budget(request, lambda deadline: assistant.answer_json(
            assistant.ask(body.question, body.top_k, history=history, deadline=deadline, filters=filters)))

    @app.get("/search", summary="The passages that match a query, ranked", response_model=SearchResponse,
             responses=error_responses(422, 503))
    async def search(request: Request,
                     q: str = Query(..., min_length=1, max_length=MAX_QUESTION_CHARS, pattern=NON_BLANK,
                                    description="What to look for (not only spaces)."),
                     top_k: Annotated[TopK, Query(description=f"How many passages (1–{MAX_TOP_K}).")] = 5,
                     kind: Annotated[Optional[str], Query(
                         pattern=rf"^({'|'.join(KINDS)})(,({'|'.join(KINDS)}))*$", max_length=300,
                         description="Only documents of these kinds, comma-separated: summary,plan.")] = None,
                     since: Annotated[Optional[str], Query(pattern=r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$",
                                                           description="Documents dated this or later.")] = None,
                     until: Annotated[Optional[str], Query(pattern=r"^(19|20)\d{2}(-\d{2}(-\d{2})?)?$",
                                                           description="Documents dated this or earlier.")] = None,
                     assistant: Assistant = Depends(get_assistant)):
        filters = Filters.given(kind.split(",") if kind else None, since, until) if (kind or since or until) else None
        return await within_budget(request, lambda deadline: assistant.search(q, top_k, filters))

    @app.post("/draft", summary="An outline of a new summary or plan for a school, with cited examples",
              response_model=DraftResponse, responses={**body_errors, 200: {"content": {
                  "application/json": {}, "text/markdown": {}, DOCX_TYPE: {}}}})
    async def draft(body: DraftRequest, request: Request, assistant: Assistant = Depends(get_assistant)):
        """The JSON of `assistant draft --format json`; `"format": "md"` gives the Markdown and
        `"format": "docx"` the Word file in 公文 format, each as a download named <school>-<kind>提纲."""
        import io

        from ..drafting import parse_facts_text, to_markdown, write_docx

        facts = dict(parse_facts_text(body.facts_text, "facts_text") if (body.facts_text or "").strip() else {})
        facts.update(body.facts or {})
        focus = [body.focus] if isinstance(body.focus, str) else body.focus
        outline = await within_budget(request, lambda deadline: assistant.draft(
            body.kind, body.school, facts=facts or None, focus=focus))
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
        from ..drafting.template import load_areas, load_templates

        return {"kinds": [{"kind": t.kind, "name": t.name} for t in load_templates().values()],
                "focus": [name for name in load_areas()]}

    app.include_router(documents_router)

    @app.get("/documents/{doc_id}", summary="One document, with a cited span marked",
             responses={200: {"content": {"text/html": {}, "application/json": {}}}, **error_responses(404, 422)})
    def document(doc_id: str, start: Annotated[Optional[LineNumber], Query(description="First cited source line.")] = None,
                 end: Annotated[Optional[LineNumber], Query(description="Last cited source line (with start).")] = None,
                 format: Literal["html", "json"] = Query("html", description="html (a page) or json."),
                 assistant: Assistant = Depends(get_assistant)):
        meta = assistant.index.doc_by_id.get(doc_id)
        if meta is None:
            raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists the ids")
        if start is None:  # every value the schema allows is a span: end alone marks that line,
            start = end    # a span given backwards is read forwards
        elif end is not None and end < start:
            start, end = end, start
        lines = assistant.index.lines.get(doc_id, [])
        if format == "json":
            return document_json(meta, lines, start, end)
        return HTMLResponse(document_html(meta, lines, start, end))

    @app.get("/health", summary="Status: the build served, documents, chunks and the embedding model in use",
             response_model=Health)
    def health():
        """`build` is the build answering requests, `current_build` the one index/current points at;
        they differ (status `outdated`) only while a new build loads or when it cannot be loaded
        (`reload_error`). `pending_rebuild`: a change to the corpus is recorded on disk whose rebuild
        has not finished (`pending_reason`, `pending_since`)."""
        rebuilder = getattr(app.state, "rebuilder", None)
        return {**follower.health(), **(rebuilder.pending_state() if rebuilder is not None else {})}

    @app.post("/reload", summary="Switch to the current index build now (the server also checks by itself)",
              response_model=Health)
    async def reload():
        await run_in_threadpool(follower.check)
        return follower.health()

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


class HideQueryStrings(logging.Filter):
    """Access-log records without their query string: `GET /search?q=…` is logged as
    `GET /search?…`, since what someone asked is not the log's business."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def log_config(log_queries: bool = False) -> dict:
    """uvicorn's logging configuration, with query strings left out of the access log unless
    `log_queries`."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if not log_queries:
        config.setdefault("filters", {})["hide_queries"] = {"()": HideQueryStrings}
        config["handlers"]["access"]["filters"] = ["hide_queries"]
    return config


def run(assistant: Assistant, host: str, port: int, log_level: str = "info", log_queries: bool | None = None) -> None:
    """Serve the app for an opened Assistant until Ctrl-C."""
    import uvicorn

    queries = assistant.settings.log_queries if log_queries is None else log_queries
    uvicorn.run(create_app(assistant.settings, assistant, host=host), host=host, port=port, log_level=log_level,
                log_config=log_config(queries))


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
