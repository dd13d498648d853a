"""Adding files to the corpus folder and taking them out, for the web page's documents view.

Uploads are written safely: the name is reduced to one plain file name (no folders, no `..`, no
characters Windows forbids, no hidden or reserved names), the file is written beside the others
under a hidden temporary name and then linked into place without replacing anything, so a file
of the same name is never overwritten (the upload gets "名称 (2).docx"), and the same content
twice is refused. A deleted file is moved out of the corpus into ASSISTANT_HOME/deleted/, never
destroyed, so a wrong click can be undone by moving it back."""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import AssistantError

#: The formats the page accepts (the loaders read .htm as HTML and .markdown as Markdown too).
UPLOAD_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".html", ".htm")
#: The largest file one upload may be (the page says so; a 公文 .docx is a few hundred kB, a
#: scanned PDF a few MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: Files in one upload request.
MAX_UPLOAD_FILES = 20
MAX_NAME_CHARS = 120
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


class UploadError(AssistantError):
    """An uploaded file cannot be added (its type, size or content); the message names the file."""


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


def safe_name(name: str) -> str:
    """A file name sent by a browser → one plain name for the corpus folder: the last path part
    only, NFC, no control or forbidden characters, no leading dots or spaces, at most
    MAX_NAME_CHARS characters with the suffix kept; '' when nothing is left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip().rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip() or ""
    if not stem or set(stem) <= {"_", " "}:
        return ""
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    suffix = f".{suffix.lower()}" if suffix else ""
    room = MAX_NAME_CHARS - len(suffix)
    return stem[:room].rstrip() + suffix


def check_upload(name: str, data: bytes) -> str:
    """The safe name for an upload, or UploadError saying why it is refused."""
    shown = name or "(no name)"
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
    any file: a taken name gets " (2)", " (3)"…; content already in the folder is refused."""
    corpus_dir = Path(corpus_dir)
    clean = check_upload(name, data)
    if not corpus_dir.is_dir():
        raise UploadError(f"the corpus folder {corpus_dir} does not exist; set ASSISTANT_CORPUS to a folder")
    known = corpus_hashes(corpus_dir) if known is None else known
    digest = content_hash(data)
    if digest in known:
        raise UploadError(f"{name}: the same file is already in the corpus as {known[digest]}")
    root = corpus_dir.resolve()
    temporary = root / f".upload-{uuid.uuid4().hex}"
    temporary.write_bytes(data)
    try:
        for n in range(1, 1000):
            candidate = clean if n == 1 else _numbered(clean, n)
            target = root / candidate
            if target.resolve().parent != root:  # cannot happen with a safe name; never write outside
                raise UploadError(f"{name}: the name leads outside the corpus folder")
            try:
                os.link(temporary, target)  # fails when the name is taken: nothing is replaced
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: check, then rename
                if target.exists():
                    continue
                os.replace(temporary, target)
            known[digest] = candidate
            return Saved(candidate, name, len(data))
        raise UploadError(f"{name}: too many files named {clean} already; rename it")
    finally:
        temporary.unlink(missing_ok=True)


def remove_file(corpus_dir: Path, relative: str, trash_dir: Path) -> Path:
    """Move the corpus file `relative` into `trash_dir` (kept, not destroyed); its new path."""
    root = Path(corpus_dir).resolve()
    source = (root / relative)
    if source.resolve().parent != root and root not in source.resolve().parents:
        raise UploadError(f"{relative}: not a file of the corpus folder")
    if not source.is_file():
        raise UploadError(f"{relative}: the file is no longer in the corpus folder")
    trash_dir = Path(trash_dir)
    trash_dir.mkdir(parents=True, exist_ok=True)
    target = trash_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}-{source.name}"
    os.replace(source, target) if _same_device(source, trash_dir) else _move(source, target)
    return target


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _move(source: Path, target: Path) -> None:
    import shutil

    shutil.move(str(source), str(target))
