"""The documents routes of the HTTP app: the list (documents, skipped files, the build), uploads,
deletion and rebuilds. Writing is off unless the server runs with ASSISTANT_ALLOW_UPLOAD=1; when
ASSISTANT_API_KEY is set, every write must send `Authorization: Bearer <key>`. Each change starts
an incremental rebuild in the background (rebuild.py); the server answers from the old index
until the new one is complete, then from the new one."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from .api_models import error_responses
from .corpus_files import (MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, UPLOAD_SUFFIXES, UploadError, corpus_hashes,
                           remove_file, save_upload)
from .index import store

#: Multipart bodies of POST /documents may be this large (the files plus their headers).
MAX_UPLOAD_BODY = MAX_UPLOAD_FILES * MAX_UPLOAD_BYTES // 4 + 1_000_000
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
    keys = ("id", "title", "kind", "source", "date", "organisation", "number", "chunks")
    return [dict({k: doc.get(k) for k in keys}, format=FORMATS.get(Path(doc.get("source") or "").suffix.lower()))
            for doc in index.documents]


@router.get("/documents", summary="The indexed documents, the files skipped and the build")
def documents(request: Request) -> dict:
    """`{"documents": [{"id", "title", "kind", "source", "date", "organisation", "number", "chunks", "format"}],
    "skipped": [{"file", "reason"}], "build": {...}, "writable", "key_required", "upload": {...}}`."""
    assistant = request.app.state.assistant
    settings = assistant.settings
    manifest = assistant.index.manifest
    return {"documents": document_rows(assistant.index),
            "skipped": [{"file": s["file"], "reason": s["reason"]} for s in manifest.get("skipped", [])],
            "index_built_at": manifest.get("built_at"),
            "build": request.app.state.rebuilder.status(),
            "writable": settings.allow_upload, "key_required": bool(settings.api_key),
            "upload": {"formats": list(UPLOAD_SUFFIXES), "max_bytes": MAX_UPLOAD_BYTES, "max_files": MAX_UPLOAD_FILES}}


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
                             "description": f"One or more of {', '.join(UPLOAD_SUFFIXES)}; at most "
                                            f"{MAX_UPLOAD_BYTES // 1048576} MB each, {MAX_UPLOAD_FILES} at once."}}}}}}}


@router.post("/documents", summary="Add files to the corpus folder and rebuild the index",
             openapi_extra=_UPLOAD_BODY, responses=error_responses(400, 401, 403, 413, 415, 422, texts={
                 400: "The multipart body cannot be read.", 413: "The upload is too large.",
                 415: "The body is not multipart/form-data.",
                 422: "No file in the field `files`, or none of the files could be added (each one's reason)."}))
async def upload(request: Request) -> dict:
    """Multipart `files` (one or several). Each is saved under a safe name (never replacing a file:
    a taken name gets " (2)"), or refused with its reason; then the index is rebuilt in the
    background. `{"saved": [{"file", "bytes", "sent_as"?}], "refused": [{"file", "reason"}], "build"}`."""
    writing(request)
    if "multipart/form-data" not in request.headers.get("content-type", ""):
        raise HTTPException(415, "send the files as multipart/form-data in the field 'files' "
                                 "(curl -F files=@整改方案.docx .../documents)")
    body = Request(request.scope, _limited(request.receive, MAX_UPLOAD_BODY))
    try:
        form = await body.form(max_files=MAX_UPLOAD_FILES, max_fields=10)
    except TooLarge:
        raise HTTPException(413, f"the upload is larger than {MAX_UPLOAD_BODY // 1048576} MB; send fewer files at "
                                 f"once (each at most {MAX_UPLOAD_BYTES // 1048576} MB)")
    except Exception as exc:  # the multipart parser's own errors (too many files, a broken body)
        raise HTTPException(400, f"the upload cannot be read ({exc}); send at most {MAX_UPLOAD_FILES} files "
                                 f"in the field 'files'")
    try:
        files = [item for item in form.getlist("files") if hasattr(item, "read")]
        if not files:
            raise HTTPException(422, "files: is required; send one or more files in the multipart field 'files'")
        sent = []
        for item in files:
            sent.append((item.filename or "", await item.read(MAX_UPLOAD_BYTES + 1)))
    finally:
        await form.close()
    assistant = request.app.state.assistant
    result = await run_in_threadpool(_save_all, assistant.settings.corpus_dir, sent)
    if not result["saved"]:
        raise HTTPException(422, "; ".join(r["reason"] for r in result["refused"]))
    names = ", ".join(s["file"] for s in result["saved"])
    result["build"] = request.app.state.rebuilder.request(f"added {names}")
    return result


def _save_all(corpus_dir: Path, sent: list[tuple[str, bytes]]) -> dict:
    saved, refused = [], []
    known = corpus_hashes(Path(corpus_dir)) if Path(corpus_dir).is_dir() else {}
    for name, data in sent:
        try:
            saved.append(save_upload(corpus_dir, name, data, known).to_dict())
        except UploadError as exc:
            refused.append({"file": name, "reason": str(exc)})
    return {"saved": saved, "refused": refused}


@router.delete("/documents/{doc_id}", summary="Take a document's file out of the corpus and rebuild",
               responses=error_responses(401, 403, 404, 409, 422))
def delete(doc_id: str, request: Request) -> dict:
    """`doc_id` is a document id (GET /documents) or the name of a skipped file. The whole file is
    moved to ASSISTANT_HOME/deleted/ (with every document it holds), then the index is rebuilt."""
    writing(request)
    assistant = request.app.state.assistant
    index = assistant.index
    meta = index.doc_by_id.get(doc_id)
    skipped = {s["file"] for s in index.manifest.get("skipped", [])}
    if meta is not None:
        source = meta["source"]
    elif doc_id in skipped:
        source = doc_id
    else:
        raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists the ids")
    settings = assistant.settings
    try:
        moved = remove_file(settings.corpus_dir, source, settings.home / "deleted")
    except UploadError as exc:
        raise HTTPException(409, str(exc))
    gone = [d["id"] for d in index.documents if d.get("source") == source]
    return {"deleted": source, "documents": gone, "kept_at": str(moved),
            "build": request.app.state.rebuilder.request(f"deleted {source}")}
