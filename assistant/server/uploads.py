"""Adding files to the corpus folder and taking them out, for the web page's documents view.

Uploads are written safely: the name is reduced to one plain file name (no folders, no `..`, no
characters Windows forbids, no hidden or reserved names), the file is written beside the others
under a hidden temporary name and then linked into place without replacing anything, so a file
of the same name is never overwritten (the upload gets "名称 (2).docx"), and the same content
twice is refused. Names are limited in bytes (UTF-8, MAX_NAME_BYTES, so a long Chinese name fits
the 255-byte limit of file systems) and lose bidi control characters. A batch is checked whole
before anything is written, and its files are written all or none: when one write fails, the ones
this batch already wrote are removed, so a retry starts clean. A deleted file is moved out of the
corpus into ASSISTANT_HOME/deleted/, never destroyed, so a wrong click can be undone by moving it
back; the move is a rename or nothing (a copy across devices that fails is removed, the original
kept). The disk refusing a write (full, read-only, no permission) is a StorageError whose status
is 507 or 503 and whose one-line message names the file and what to do."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError

#: The formats the page accepts (the loaders read .htm as HTML and .markdown as Markdown too).
UPLOAD_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".html", ".htm")
#: The largest file one upload may be (the page says so; a 公文 .docx is a few hundred kB, a
#: scanned PDF a few MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Files in one upload request.
MAX_UPLOAD_FILES = 20
#: All the files of one upload request together (checked as they arrive and once read).
MAX_UPLOAD_TOTAL_BYTES = 100 * 1024 * 1024
MAX_NAME_CHARS = 120
#: A saved name's length in UTF-8 bytes (file systems allow 255; " (2)" and the deleted/ prefix
#: need some room: a name in deleted/ is cut again to fit).
MAX_NAME_BYTES = 240
_NAME_LIMIT = 255  # bytes, what file systems allow
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\ud800-\udfff]')
#: Bidi controls: they make "gpj.docx" show as "xcod.jpg" (U+202E) and are never part of a real name.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


class UploadError(AssistantError):
    """An uploaded file cannot be added (its type, size or content); the message names the file."""


class StorageError(AssistantError):
    """The disk refused a write (full, no permission, read-only…): `status` is the HTTP status to
    answer (507 when the disk is full, 503 otherwise, 422 for a name the disk cannot hold)."""

    def __init__(self, message: str, status: int = 503):
        super().__init__(message)
        self.status = status


def storage_error(exc: OSError, what: str, where: str) -> StorageError:
    """An OSError met while `what` ("saving 整改方案.docx") in `where` (a folder's description) →
    a StorageError with one line naming the file and what to do."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StorageError(f"{what}: the disk of {where} is full ({reason}); nothing was changed — free some "
                            f"space there and try again", 507)
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"{what}: the server may not write to {where} ({reason}); nothing was changed — the "
                            f"administrator must make it writable, then try again", 503)
    if code == errno.ENAMETOOLONG:
        return StorageError(f"{what}: the file name is too long for the disk of {where}; rename the file shorter "
                            f"and try again", 422)
    return StorageError(f"{what}: the disk of {where} refused it ({reason}); nothing was changed — try again later "
                        f"or ask the administrator", 503)


@dataclass
class Saved:
    name: str  # the name it was given in the corpus folder
    original: str  # the name it was sent with
    bytes: int

    def to_dict(self) -> dict:
        out = {"file": self.name, "bytes": self.bytes}
        if self.name != self.original:
            out["sent_as"] = self.original
        return out


def _cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, at a character boundary."""
    return text.encode("utf-8")[:max(limit, 0)].decode("utf-8", "ignore")


def fit_name(name: str, limit: int = _NAME_LIMIT) -> str:
    """`name` cut to at most `limit` UTF-8 bytes, its suffix kept when there is room for it."""
    if len(name.encode("utf-8")) <= limit:
        return name
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode("utf-8")) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    return _cut(stem, limit - len(suffix.encode("utf-8"))).rstrip() + suffix


def safe_name(name: str) -> str:
    """A file name sent by a browser → one plain name for the corpus folder: the last path part
    only, NFC, no control, bidi or forbidden characters, no leading dots or spaces, at most
    MAX_NAME_CHARS characters and MAX_NAME_BYTES bytes of UTF-8 with the suffix kept (cut at a
    character boundary); '' when nothing is left."""
    name = unicodedata.normalize("NFC", _BIDI.sub("", str(name or "")))
    name = re.split(r"[\\/]", name)[-1]
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip().rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix.encode("utf-8")) > 16:  # not a suffix: part of the name
        stem, suffix = name, ""
    stem = stem.strip() or ""
    if not stem or set(stem) <= {"_", " "}:
        return ""
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    suffix = f".{suffix.lower()}" if suffix else ""
    room = MAX_NAME_CHARS - len(suffix)
    stem = _cut(stem[:room], MAX_NAME_BYTES - len(suffix.encode("utf-8"))).rstrip()
    return stem + suffix if stem.strip("_ ") else ""


def check_upload(name: str, data: bytes) -> str:
    """The safe name for an upload, or UploadError saying why it is refused."""
    shown = _BIDI.sub("", name or "") or "(no name)"  # a reason shown on the page is not reordered
    clean = safe_name(name)
    if not clean:
        raise UploadError(f"{shown}: the file name has no usable characters; rename it, e.g. 整改方案.docx")
    suffix = Path(clean).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"{shown}: {suffix or 'no extension'} files are not read; upload "
                          f"{', '.join(UPLOAD_SUFFIXES[:5])} (a .doc must be saved as .docx in Word or WPS first)")
    if not data:
        raise UploadError(f"{shown}: the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"{shown}: the file is {len(data) / 1048576:.1f} MB; the limit is "
                          f"{MAX_UPLOAD_BYTES // 1048576} MB per file")
    if suffix == ".docx" and not _is_zip(data):
        raise UploadError(f"{shown}: not a Word .docx file (an old .doc or another file renamed?); "
                          f"open it in Word or WPS and save it as .docx")
    if suffix == ".pdf" and b"%PDF-" not in data[:1024]:
        raise UploadError(f"{shown}: not a PDF file (it does not start with %PDF-)")
    return clean


def _is_zip(data: bytes) -> bool:
    import io

    return data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _numbered(name: str, n: int) -> str:
    path = Path(name)
    return f"{path.stem} ({n}){path.suffix}"


def corpus_hashes(corpus_dir: Path) -> dict[str, str]:
    """sha256 → relative name of every file in the corpus folder (hidden files left out)."""
    out = {}
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            try:
                out.setdefault(content_hash(path.read_bytes()), relative.as_posix())
            except OSError:
                continue
    return out


def save_upload(corpus_dir: Path, name: str, data: bytes, known: dict[str, str] | None = None) -> Saved:
    """Write one uploaded file into `corpus_dir` (checked with check_upload) without replacing
    any file: a taken name gets " (2)", " (3)"…; content already in the folder is refused. The
    disk refusing the write is a StorageError (nothing is left behind)."""
    corpus_dir = Path(corpus_dir)
    clean = check_upload(name, data)
    _check_folder(corpus_dir)
    known = corpus_hashes(corpus_dir) if known is None else known
    digest = content_hash(data)
    if digest in known:
        raise UploadError(f"{name}: the same file is already in the corpus as {known[digest]}")
    saved = _write_new(corpus_dir.resolve(), name, clean, data)
    known[digest] = saved.name
    _sync_folder(corpus_dir)
    return saved


def save_batch(corpus_dir: Path, sent: list[tuple[str, bytes]]) -> tuple[list[Saved], list[dict]]:
    """Save the files of one upload: every file is checked (type, size, name, content already in
    the corpus or twice in the batch) before anything is written; a file that fails a check is
    refused with its reason (`{"file", "reason"}`), the others are written all or none — when a
    write fails, the files this batch already wrote are removed and the StorageError raised, so
    the same batch can be sent again."""
    corpus_dir = Path(corpus_dir)
    _check_folder(corpus_dir)
    known = corpus_hashes(corpus_dir)
    planned, refused, batch = [], [], {}
    for name, data in sent:
        try:
            clean = check_upload(name, data)
            digest = content_hash(data)
            if digest in known:
                raise UploadError(f"{name}: the same file is already in the corpus as {known[digest]}")
            if digest in batch:
                raise UploadError(f"{name}: the same file is sent twice in this upload (also as {batch[digest]})")
        except UploadError as exc:
            refused.append({"file": name, "reason": str(exc)})
            continue
        batch[digest] = name or clean
        planned.append((name, clean, data))
    root = corpus_dir.resolve()
    written: list[Saved] = []
    try:
        for name, clean, data in planned:
            try:
                written.append(_write_new(root, name, clean, data))
            except UploadError as exc:  # no free name for it: refused, nothing written for it
                refused.append({"file": name, "reason": str(exc)})
        if written:
            _sync_folder(root)
    except BaseException:
        for saved in written:  # all or none: take back what this batch wrote
            try:
                (root / saved.name).unlink(missing_ok=True)
            except OSError:
                pass
        raise
    return written, refused


def _check_folder(corpus_dir: Path) -> None:
    if not Path(corpus_dir).is_dir():
        raise UploadError(f"the corpus folder {corpus_dir} does not exist; set ASSISTANT_CORPUS to a folder")


def _write_file(path: Path, data: bytes) -> None:
    """Write a new file and flush it to the disk."""
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the names just linked into `folder` durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _write_new(root: Path, name: str, clean: str, data: bytes) -> Saved:
    """Write `data` under `clean` (or "clean (2)"…) in the folder `root`, never replacing a file;
    an OSError becomes a StorageError and leaves nothing behind."""
    temporary = root / f".upload-{uuid.uuid4().hex}"
    try:
        _write_file(temporary, data)
        for n in range(1, 1000):
            candidate = clean if n == 1 else _numbered(clean, n)
            target = root / candidate
            if target.resolve().parent != root:  # cannot happen with a safe name; never write outside
                raise UploadError(f"{name}: the name leads outside the corpus folder")
            try:
                os.link(temporary, target)  # fails when the name is taken: nothing is replaced
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.ENAMETOOLONG, errno.EROFS):
                    raise
                # a file system without hard links: check, then rename
                if target.exists():
                    continue
                os.replace(temporary, target)
            return Saved(candidate, name, len(data))
        raise UploadError(f"{name}: too many files named {clean} already; rename it")
    except OSError as exc:
        raise storage_error(exc, f"saving {clean}", "the corpus folder") from exc
    finally:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def _rename(source: Path, target: Path) -> None:
    os.replace(source, target)


def _copy_file(source: Path, target: Path) -> None:
    """Copy `source` to the new file `target` (contents and times) and flush it to the disk."""
    import shutil

    with open(source, "rb") as reader, open(target, "xb") as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)


def remove_file(corpus_dir: Path, relative: str, trash_dir: Path) -> Path:
    """Move the corpus file `relative` into `trash_dir` (kept, not destroyed); its new path. The
    move is a rename, or, with `trash_dir` on another device, a copy that is complete before the
    original goes; when any step fails nothing has changed (no partial copy is left) and the
    OSError is a StorageError."""
    root = Path(corpus_dir).resolve()
    source = (root / relative)
    if source.resolve().parent != root and root not in source.resolve().parents:
        raise UploadError(f"{relative}: not a file of the corpus folder")
    if not source.is_file():
        raise UploadError(f"{relative}: the file is no longer in the corpus folder")
    trash_dir = Path(trash_dir)
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}-"
    target = trash_dir / (stamp + fit_name(source.name, _NAME_LIMIT - len(stamp)))
    try:
        trash_dir.mkdir(parents=True, exist_ok=True)
        _move(source, target)
    except OSError as exc:
        raise storage_error(exc, f"deleting {relative}", f"the deleted-files folder {trash_dir}") from exc
    _sync_folder(trash_dir)
    _sync_folder(source.parent)
    return target


def _move(source: Path, target: Path) -> None:
    """Rename `source` to `target`; across devices copy, then remove the original: all or nothing."""
    try:
        _rename(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = target.with_name(f".partial-{uuid.uuid4().hex}")
    try:
        _copy_file(source, partial)
        _rename(partial, target)
    except BaseException:
        _discard(partial)
        raise
    try:
        source.unlink()
    except BaseException:
        _discard(target)
        raise


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
