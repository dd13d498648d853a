"""The documents routes of the HTTP app: the list (documents, skipped files, the build), uploads,
deletion and rebuilds. Writing is off unless the server runs with ASSISTANT_ALLOW_UPLOAD=1; when
ASSISTANT_API_KEY is set, every write must send `Authorization: Bearer <key>`. Each change starts
an incremental rebuild in the background (rebuild.py); the server answers from the old index
until the new one is complete, then from the new one. A change is acknowledged only once the
pending rebuild is recorded on disk (Rebuilder.mark, written before the change), so a server
killed mid-build rebuilds when it starts again. Uploads are limited per file (MAX_UPLOAD_BYTES),
per request (MAX_UPLOAD_FILES files, MAX_UPLOAD_TOTAL_BYTES in all: 413 past it, whether the body
declares its length or comes chunked); the disk refusing a write is a 507 (full) or 503 whose
detail names the file and what to do."""

from __future__ import annotations

import hmac
from pathlib import Path
from collections import Counter
from typing import Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from .schemas import error_responses
from ..collection import DEFAULT, all_collections, create, delete as delete_named, names, of_document
from ..errors import AssistantError
from .uploads import (MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, MAX_UPLOAD_TOTAL_BYTES, UPLOAD_SUFFIXES, StorageError,
                           UploadError, remove_file, save_batch, storage_error)
from ..index import store

#: Multipart bodies of POST /documents may be this large: the files (MAX_UPLOAD_TOTAL_BYTES in all)
#: plus room for their multipart headers.
MAX_UPLOAD_BODY = MAX_UPLOAD_TOTAL_BYTES + 1_000_000
MB = 1048576
#: How the limits read on the page, in the API description and in a 413's detail.
LIMITS_TEXT = (f"at most {MAX_UPLOAD_BYTES // MB} MB a file, {MAX_UPLOAD_FILES} files and "
               f"{MAX_UPLOAD_TOTAL_BYTES // MB} MB in all per upload")
STORAGE_TEXTS = {503: "The disk refused the change (no permission, read-only); nothing was changed.",
                 507: "The disk is full; nothing was changed."}
FORMATS = {".docx": "docx", ".pdf": "pdf", ".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}

router = APIRouter()


class TooLarge(Exception):
    pass


def _limited(receive, limit: int):
    """`receive` that stops a body (also one sent without Content-Length) past `limit` bytes."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge()
        return message

    return wrapped


def writing(request: Request) -> None:
    """Refuse a write unless uploads are on (403) and, with a key set, the request sends it (401)."""
    settings = request.app.state.assistant.settings
    if not settings.allow_upload:
        raise HTTPException(403, "adding and deleting documents is off on this server; start it with "
                                 "ASSISTANT_ALLOW_UPLOAD=1 to allow it")
    if settings.api_key:
        sent = request.headers.get("authorization", "")
        scheme, _, token = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), settings.api_key.encode()):
            raise HTTPException(401, "this server needs its key to add or delete documents: send the header "
                                     "Authorization: Bearer <key> (the documents page asks for it)",
                                headers={"WWW-Authenticate": "Bearer"})


def document_rows(index: store.IndexData) -> list[dict]:
    keys = ("id", "title", "kind", "source", "date", "organisation", "number", "chunks", "collection")
    return [dict({k: doc.get(k) for k in keys}, format=FORMATS.get(Path(doc.get("source") or "").suffix.lower()))
            for doc in index.documents]


@router.get("/documents", summary="The indexed documents, the files skipped and the build")
def documents(request: Request) -> dict:
    """`{"documents": [{"id", "title", "kind", "source", "date", "organisation", "number", "chunks", "format",
    "collection"}], "skipped": [{"file", "reason", "collection"}], "collections": [...], "build": {...}, "writable",
    "key_required", "upload": {...}}`."""
    assistant = request.app.state.assistant
    settings = assistant.settings
    manifest = assistant.index.manifest
    return {"documents": document_rows(assistant.index),
            "skipped": [{"file": s["file"], "reason": s["reason"], "collection": of_document(s)}
                        for s in manifest.get("skipped", [])],
            "collections": collection_rows(assistant),
            "index_built_at": manifest.get("built_at"),
            "build": request.app.state.rebuilder.status(),
            "writable": settings.allow_upload, "key_required": bool(settings.api_key),
            "upload": {"formats": list(UPLOAD_SUFFIXES), "max_bytes": MAX_UPLOAD_BYTES, "max_files": MAX_UPLOAD_FILES,
                       "max_request_bytes": MAX_UPLOAD_TOTAL_BYTES, "limits": LIMITS_TEXT}}


def collection_rows(assistant) -> list[dict]:
    """Each collection: its name, whether the assistant made its folder, and the documents the index holds."""
    counts = Counter(of_document(doc) for doc in assistant.index.documents)
    return [{"name": c.name, "managed": c.managed, "created": c.created, "documents": counts.get(c.name, 0)}
            for c in all_collections(assistant.settings)]


@router.get("/collections", summary="The collections (knowledge bases) and the documents each holds")
def collections(request: Request) -> dict:
    """`{"collections": [{"name", "managed", "created", "documents"}]}`; `default` is the corpus folder."""
    return {"collections": collection_rows(request.app.state.assistant)}


class CollectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StrictStr = Field(min_length=1, max_length=40, description="Letters (Chinese too), digits, - and _.")


@router.post("/collections", summary="Create an empty collection (upload files into it with POST /documents)",
             responses=error_responses(400, 401, 403, 409, 422))
def create_collection(body: CollectionRequest, request: Request) -> dict:
    """A new collection with an empty folder under ASSISTANT_HOME/collections/ (a folder elsewhere is
    added from the command line: `assistant collection create NAME --from FOLDER`)."""
    writing(request)
    settings = request.app.state.assistant.settings
    if body.name.strip() in names(settings):
        raise HTTPException(409, f"there is already a collection {body.name.strip()!r}; pick another name")
    try:
        made = create(settings, body.name)
    except AssistantError as exc:  # a name that is not allowed
        raise HTTPException(422, str(exc)) from None
    return {"created": made.name, "documents": 0}


@router.delete("/collections/{name}", summary="Delete a collection (its folder is moved aside) and rebuild",
               responses=error_responses(401, 403, 404, 409, 503))
def delete_collection(name: str, request: Request) -> dict:
    """A folder the assistant made is moved to ASSISTANT_HOME/deleted/collections/ (kept, not destroyed); a
    folder added with --from stays where it is. Its documents leave the index with the rebuild."""
    writing(request)
    settings = request.app.state.assistant.settings
    if name not in names(settings):
        raise HTTPException(404, f"no collection {name!r}; GET /collections lists them")
    if name == DEFAULT:
        raise HTTPException(409, "the default collection is the server's corpus folder and cannot be deleted")
    rebuilder = request.app.state.rebuilder
    token = _mark(rebuilder, f"deleting collection {name}")
    try:
        done = delete_named(settings, name)
    except AssistantError as exc:
        rebuilder.unmark(token)
        raise HTTPException(503, str(exc)) from None
    except BaseException:
        rebuilder.unmark(token)
        raise
    return dict(done, build=rebuilder.request(f"deleted collection {name}", token))


@router.get("/documents/build", summary="The background rebuild: stage, progress, result or error")
def build_status(request: Request) -> dict:
    return request.app.state.rebuilder.status()


@router.post("/documents/build", summary="Rebuild the index of the corpus folder now (incrementally)",
             responses=error_responses(401, 403))
def rebuild(request: Request) -> dict:
    writing(request)
    return request.app.state.rebuilder.request("rebuild asked for")


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "minItems": 1, "maxItems": MAX_UPLOAD_FILES,
                             "description": f"One or more of {', '.join(UPLOAD_SUFFIXES)}; {LIMITS_TEXT} "
                                            f"(a larger body is refused with 413)."}}}}}}}


@router.post("/documents", summary="Add files to the corpus folder and rebuild the index",
             openapi_extra=_UPLOAD_BODY, responses=error_responses(400, 401, 403, 413, 415, 422, 503, 507, texts={
                 400: "The multipart body cannot be read.", 413: f"The upload is too large ({LIMITS_TEXT}).",
                 415: "The body is not multipart/form-data.",
                 422: "No file in the field `files`, or none of the files could be added (each one's reason).",
                 **STORAGE_TEXTS}))
async def upload(request: Request) -> dict:
    """Multipart `files` (one or several). Each is checked first and refused with its reason, or
    saved under a safe name (never replacing a file: a taken name gets " (2)"); the files that
    pass are saved all or none; then the index is rebuilt in the background (the pending rebuild
    is on disk before the answer). `{"saved": [{"file", "bytes", "sent_as"?}], "refused":
    [{"file", "reason"}], "build"}`."""
    writing(request)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise HTTPException(415, "send the files as multipart/form-data in the field 'files' "
                                 "(curl -F files=@整改方案.docx .../documents)")
    too_large = f"the upload is larger than {MAX_UPLOAD_TOTAL_BYTES // MB} MB; send fewer files at once ({LIMITS_TEXT})"
    body = Request(request.scope, _limited(request.receive, MAX_UPLOAD_BODY))
    try:
        form = await body.form(max_files=MAX_UPLOAD_FILES, max_fields=10)
    except TooLarge:
        raise HTTPException(413, too_large)
    except HTTPException as exc:  # the app's body limit (a chunked body has no length to refuse it by)
        if exc.status_code == 413:
            raise HTTPException(413, too_large) from None
        raise
    except OSError as exc:  # the temporary folder the parser spools files to is full
        problem = storage_error(exc, "receiving the upload", "the server's temporary folder")
        raise HTTPException(problem.status, str(problem)) from None
    except Exception as exc:  # the multipart parser's own errors (too many files, a broken body)
        raise HTTPException(400, f"the upload cannot be read ({exc}); send at most {MAX_UPLOAD_FILES} files "
                                 f"in the field 'files'")
    try:
        chosen = form.get("collection")
        chosen = chosen.strip() if isinstance(chosen, str) and chosen.strip() else DEFAULT
        files = [item for item in form.getlist("files") if hasattr(item, "read")]
        if not files:
            raise HTTPException(422, "files: is required; send one or more files in the multipart field 'files'")
        sent, total = [], 0
        for item in files:
            data = await item.read(MAX_UPLOAD_BYTES + 1)
            total += item.size if isinstance(item.size, int) else len(data)
            sent.append((item.filename or "", data))
    finally:
        await form.close()
    if total > MAX_UPLOAD_TOTAL_BYTES:
        raise HTTPException(413, f"the files add up to {total / MB:.1f} MB; send fewer files at once ({LIMITS_TEXT})")
    assistant = request.app.state.assistant
    folders = {c.name: c.corpus for c in all_collections(assistant.settings)}
    if chosen not in folders:
        raise HTTPException(422, f"collection: {chosen!r} is not a collection; there are: {', '.join(folders)} "
                                 f"(POST /collections makes one)")
    rebuilder = request.app.state.rebuilder
    shown = ", ".join(name or "(no name)" for name, _ in sent[:5]) + (f" and {len(sent) - 5} more" if len(sent) > 5 else "")
    token = await run_in_threadpool(_mark, rebuilder, f"adding {shown}")
    try:
        result = await run_in_threadpool(_save_all, folders[chosen], sent)
    except StorageError as exc:
        rebuilder.unmark(token)
        raise HTTPException(exc.status, str(exc)) from None
    except UploadError as exc:
        rebuilder.unmark(token)
        raise HTTPException(422, str(exc)) from None
    except BaseException:
        rebuilder.unmark(token)  # nothing was saved: a batch is written all or none
        raise
    if not result["saved"]:
        rebuilder.unmark(token)
        status = 413 if all("MB per file" in r["reason"] for r in result["refused"]) else 422
        raise HTTPException(status, "; ".join(r["reason"] for r in result["refused"]))
    names = ", ".join(s["file"] for s in result["saved"])
    result["collection"] = chosen
    result["build"] = rebuilder.request(f"added {names}", token)
    return result


def _mark(rebuilder, reason: str) -> int:
    """Record the pending rebuild on disk before changing the corpus (HTTPException when it cannot be)."""
    try:
        return rebuilder.mark(reason)
    except OSError as exc:
        problem = storage_error(exc, f"{reason} (recording the rebuild it needs)", "ASSISTANT_HOME")
        raise HTTPException(problem.status, str(problem)) from None


def _save_all(corpus_dir: Path, sent: list[tuple[str, bytes]]) -> dict:
    saved, refused = save_batch(Path(corpus_dir), sent)
    return {"saved": [s.to_dict() for s in saved], "refused": refused}


@router.delete("/documents/{doc_id}", summary="Take a document's file out of the corpus and rebuild",
               responses=error_responses(401, 403, 404, 409, 422, 503, 507, texts=STORAGE_TEXTS))
def delete(doc_id: str, request: Request, collection: Optional[str] = None) -> dict:
    """`doc_id` is a document id (GET /documents) or the name of a skipped file (of the default
    collection, or of `collection`). The whole file is moved to ASSISTANT_HOME/deleted/ (with every
    document it holds) — a rename, or nothing when the disk refuses (507 when full, else 503) —
    then the index is rebuilt."""
    writing(request)
    assistant = request.app.state.assistant
    index = assistant.index
    meta = index.doc_by_id.get(doc_id)
    skipped = {(of_document(s), s["file"]) for s in index.manifest.get("skipped", [])}
    if meta is not None:
        source, owner = meta["source"], of_document(meta)
    elif (collection or DEFAULT, doc_id) in skipped:
        source, owner = doc_id, collection or DEFAULT
    else:
        raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists the ids")
    settings = assistant.settings
    folders = {c.name: c.corpus for c in all_collections(settings)}
    if owner not in folders:
        raise HTTPException(404, f"{doc_id!r} belongs to the collection {owner!r}, which was deleted")
    rebuilder = request.app.state.rebuilder
    token = _mark(rebuilder, f"deleting {source}")
    try:
        moved = remove_file(folders[owner], source, settings.home / "deleted")
    except UploadError as exc:
        rebuilder.unmark(token)
        raise HTTPException(409, str(exc)) from None
    except StorageError as exc:
        rebuilder.unmark(token)
        raise HTTPException(exc.status, str(exc)) from None
    except BaseException:
        rebuilder.unmark(token)  # the move is a rename or nothing
        raise
    gone = [d["id"] for d in index.documents if d.get("source") == source and of_document(d) == owner]
    return {"deleted": source, "documents": gone, "kept_at": str(moved),
            "build": rebuilder.request(f"deleted {source}", token)}
