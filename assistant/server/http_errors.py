"""How the HTTP app reports what a client got wrong: every error is a JSON object whose `detail` is
one readable sentence saying what to fix ("top_k: must be a whole number from 1 to 50 (got 0)"),
never a traceback. Validation problems are 422 (400 for a body that is not JSON at all), library
errors 4xx by kind, and anything unexpected a generic 500 (logged on the server)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import (AssistantError, BackendError, CorpusError, DraftError, IndexCorruptError, IndexMissingError,
                     QuestionError, RequestTimeout)
from ..service import MAX_TOP_K

log = logging.getLogger("assistant.server")

#: Status per library error; an AssistantError not listed is a 400.
STATUS = {QuestionError: 422, DraftError: 422, IndexMissingError: 503, IndexCorruptError: 503, CorpusError: 503,
          BackendError: 503, RequestTimeout: 503}
#: Whole-number fields whose range is stated in full in every message about them.
WHOLE_NUMBERS = {"top_k": (1, MAX_TOP_K), "start": (1, 10**9), "end": (1, 10**9)}
_EXAMPLE = "A2保障机制组要准备哪些材料?"
_BODY_EXAMPLE = '{"question": "A2保障机制组要准备哪些材料?"}'


def field_name(loc) -> str:
    """('body', 'history', 2, 'question') → 'history[2].question'; ('query', 'q') → 'q'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: What a union member is called in a pydantic error's location ('constrained-str', 'HistoryTurn').
def _is_branch(part) -> bool:
    return isinstance(part, str) and (part in ("str", "int", "float", "bool", "constrained-str", "constrained-int",
                                               "HistoryTurn") or part.startswith(("list[", "function-")))


#: What a text field that is empty or only spaces must be, by field.
NON_EMPTY = {"school": "must be one line of 1–60 characters without 【】 (the school name is empty or not one line)",
             "facts": "must be a number, or one line of 1–200 characters without 【】"}


def collapse_unions(errors: list[dict]) -> list[dict]:
    """Pydantic reports a value that fits no member of a union once per member
    (history[0].constrained-str, history[0].HistoryTurn); keep the errors of the member the value
    was meant for (a string's length, an object's fields), or one error saying what fits."""
    groups: dict[tuple, list[tuple[str, dict]]] = {}
    out: list[dict] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        cut = next((i for i, part in enumerate(loc) if i > 0 and _is_branch(part)), None)
        if cut is None:
            out.append(error)
            continue
        key = loc[:cut]
        if key not in groups:
            groups[key] = []
            out.append({"_group": key})
        groups[key].append((loc[cut], dict(error, loc=key + loc[cut + 1:])))
    result = []
    for error in out:
        if "_group" not in error:
            result.append(error)
            continue
        members = groups[error["_group"]]
        key = error["_group"]
        meant = [e for _, e in members if len(e["loc"]) > len(key) or (
            not e["type"].endswith("_type") and e["type"] not in ("float_parsing", "int_parsing"))]
        if meant:
            result.extend(meant)
        else:
            result.append({"type": "union_none", "loc": error["_group"], "input": members[0][1].get("input")})
    return result


def _got(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def message(error: dict) -> str:
    """One pydantic error → "field: what is wrong", in words a user can act on."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = error.get("input")
    loc = tuple(error.get("loc", ()))
    if len(loc) >= 3 and loc[:2] == ("body", "history") and isinstance(loc[2], int):
        inner = message(dict(error, loc=("body", *loc[3:]))) if len(loc) > 3 else message(dict(error, loc=("body", "x")))
        inner = inner[3:] if len(loc) == 3 else inner
        if kind == "union_none" or (kind == "missing" and loc[3:] == ("question",)):
            return f'history: item {loc[2] + 1} must be an earlier question: a non-empty string or {{"question": "..."}}'
        if kind == "union_none":
            inner = 'must be an earlier question: a non-empty string or {"question": "..."}'
        return f"history: item {loc[2] + 1} {inner}" if len(loc) == 3 else f"history: item {loc[2] + 1}: {inner}"
    if len(loc) >= 3 and loc[:2] == ("body", "facts") and loc[-1] == "[key]":
        return f"facts: the placeholder name {_got(loc[2])} must hold more than spaces and 【】"
    if len(loc) == 3 and loc[:2] == ("body", "facts") and kind in ("union_none", "string_too_short",
                                                                   "string_pattern_mismatch", "string_too_long"):
        return f"facts: the value of {loc[2]!r} must be a number or text: {NON_EMPTY['facts']} (got {_got(value)})"
    name = field_name(loc)
    if kind == "json_invalid":
        return f"the request body is not valid JSON ({ctx.get('error', 'cannot be parsed')}); send e.g. {_BODY_EXAMPLE}"
    if not name:
        if kind in ("model_attributes_type", "dict_type", "model_type"):
            return f"the request body must be a JSON object, e.g. {_BODY_EXAMPLE}"
        if kind == "missing":
            return f"the request body is missing; send a JSON object, e.g. {_BODY_EXAMPLE}"
    if kind == "missing":
        what = "is required"
    elif kind == "extra_forbidden":
        what = "is not a field of this request (check its spelling)"
    elif kind == "string_unicode":
        what = "must be valid Unicode text"
    elif kind in ("string_type", "string_sub_type"):
        what = f"must be a string (got {_got(value)})"
    elif kind in ("int_type", "int_parsing", "int_from_float", "greater_than_equal", "less_than_equal"):
        if name in WHOLE_NUMBERS:
            low, high = WHOLE_NUMBERS[name]
            what = f"must be a whole number from {low} to {high} (got {_got(value)})"
        elif kind == "greater_than_equal":
            what = f"must be at least {ctx.get('ge')} (got {_got(value)})"
        elif kind == "less_than_equal":
            what = f"must be at most {ctx.get('le')} (got {_got(value)})"
        else:
            what = f"must be a whole number (got {_got(value)})"
    elif kind in ("string_too_short", "string_pattern_mismatch"):
        base = name.split("[")[0].split(".")[-1]
        what = NON_EMPTY.get(base) or (f"must be a non-empty string, e.g. {_EXAMPLE!r}" if base in ("question", "q", "x")
                                       else "must be a non-empty string")
    elif kind == "union_none":
        what = f"is not one of the accepted forms (got {_got(value)})"
    elif kind == "string_too_long":
        limit = ctx.get("max_length")
        length = len(value) if isinstance(value, str) else "too many"
        what = f"is {length} characters long; the limit is {limit} characters"
    elif kind == "too_long":
        what = f"has {ctx.get('actual_length', 'too many')} items; the limit is {ctx.get('max_length')}"
    elif kind in ("list_type", "tuple_type"):
        what = f"must be a list (got {_got(value)})"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        what = f"must be a JSON object (got {_got(value)})"
    elif kind == "literal_error":
        what = f"must be one of {ctx.get('expected')} (got {_got(value)})"
    elif kind == "value_error":
        what = str(ctx.get("error") or error.get("msg", "is not valid"))
    else:
        what = str(error.get("msg", "is not valid")).rstrip(".")
        what = what[:1].lower() + what[1:]
    return f"{name}: {what}" if name else what


def _json(status: int, detail: str, **extra) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status)


def _flat(routes):
    """The routes in routing order, those of included routers in their place (FastAPI keeps an
    included router as one entry holding the original)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def allowed_methods(request: Request) -> list[str]:
    """Every method the path answers to: those of all the routes sharing the path template of the
    first route that matches it (Starlette's 405 names only that one route's methods; GET and POST
    /documents/build are two routes)."""
    path = request.scope.get("path", "")
    routes = [route for route in _flat(request.app.router.routes)
              if getattr(route, "methods", None) and getattr(route, "path_regex", None) is not None]
    first = next((route for route in routes if route.path_regex.match(path)), None)
    if first is None:
        return []
    return sorted({method for route in routes if route.path == first.path for method in route.methods})


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a JSON `detail`."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = collapse_unions(list(exc.errors()))
        content_type = request.headers.get("content-type", "")
        if (request.method in ("POST", "PUT", "PATCH") and "json" not in content_type.lower()
                and any(not field_name(e.get("loc", ())) and e.get("loc", ("",))[0] == "body" for e in errors)
                and any(e.get("input") not in (None, b"", "") for e in errors)):
            return _json(415 if content_type else 422, "the request body must be JSON, sent with the header "
                         f"Content-Type: application/json (got {content_type or 'no Content-Type'}), e.g. {_BODY_EXAMPLE}")
        if any(e.get("type") == "json_invalid" for e in errors):
            return _json(400, message(next(e for e in errors if e.get("type") == "json_invalid")))
        messages = list(dict.fromkeys(message(e) for e in errors))
        fields = [{"field": field_name(e.get("loc", ())), "message": message(e)} for e in errors]
        return _json(422, "; ".join(messages), errors=fields)

    @app.exception_handler(AssistantError)
    async def library_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return _json(status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = f"the request body is not valid JSON (it cannot be parsed); send e.g. {_BODY_EXAMPLE}"
        elif exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page: {request.url.path}; see /docs for the endpoints"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs for the endpoints"
            allowed = allowed_methods(request)
            if allowed:
                headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _json(500, "internal error: the request could not be answered; the server log has the details")
