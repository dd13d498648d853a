"""Corpus folder → documents: discover files, load, clean, split; unreadable files are reported, not fatal."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..documents import Document
from ..errors import CorpusError, LoadError
from .cleaning import clean_lines, page_date
from .discovery import MANIFEST_NAMES, SkippedFile, scan  # noqa: F401  (MANIFEST_NAMES: kept for importers)
from .loaders import load_file
from .splitting import split_documents


@dataclass
class LoadReport:
    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)  # files by format
    document_formats: dict[str, int] = field(default_factory=dict)  # documents by format
    files: dict[str, str] = field(default_factory=dict)  # relative path -> content hash


def read_manifest(corpus_dir: Path) -> dict[str, dict]:
    """`manifest.json` of a corpus folder: {"documents": [{"file", "title", "kind", "source", "date"}]}."""
    path = corpus_dir / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["file"]: entry for entry in data.get("documents", [])}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{path}: not a valid manifest ({exc}); fix or delete it") from exc


def discover(corpus_dir: Path) -> list[Path]:
    """The files a build reads (see discovery.scan, which also says why others are skipped)."""
    return scan(corpus_dir).files


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


_WORD_RUN = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")
_PLAIN_STEM = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+(?:-[0-9A-Za-z\u4e00-\u9fff]+)*")


def doc_prefix(relative: str) -> str:
    """The id of a file's documents (before "-01", "-02"…): the letters, digits and Chinese
    characters of its relative path, extension included, joined by "-" (整改方案.docx → 整改方案-docx),
    so 整改方案.docx and 整改方案.pdf are two files with two ids. A path holding any character but
    those, "-" and the one "." of its extension (a space, "_", "（", a folder's "/") gets 6 hex digits
    of its hash as well: "工作 总结.txt" and "工作_总结.txt" stay apart. A function of the path alone,
    so an id stays the same across rebuilds whatever other files come and go."""
    prefix = "-".join(_WORD_RUN.findall(relative)) or "doc"
    stem, dot, suffix = relative.rpartition(".")
    if not (dot and _PLAIN_STEM.fullmatch(stem) and _WORD_RUN.fullmatch(suffix)):
        prefix += "-" + hashlib.sha1(relative.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    return prefix


def load_documents(path: Path, relative: str, meta: dict | None = None,
                   warn: Callable[[str], None] = lambda message: None,
                   id_of: Callable[[str], str] = lambda plain: plain) -> tuple[list[Document], str]:
    """One file → its documents (and the format). Raises LoadError naming the file; notes about
    parts of it (PDF pages without text) go to `warn`. `id_of` makes the documents' id from the
    file's (a collection's files: collection.Collection.doc_id)."""
    loaded = load_file(path)
    for note in loaded.notes:
        warn(f"{relative}: {note}")
    lines = clean_lines(loaded.lines, repair_breaks=not loaded.paragraphs)
    if not lines:
        raise LoadError(f"{path.name}: nothing left after removing site boilerplate")
    meta = meta or {}
    documents = split_documents(lines, relative, id_of(doc_prefix(relative)), meta.get("title"), meta.get("kind"),
                                loaded.header)
    if len(documents) == 1 and meta.get("title"):
        documents[0].title = meta["title"]
        documents[0].kind = meta.get("kind") or documents[0].kind
    if len(documents) == 1:  # a compilation's parts have their own dates or none, never the file's
        documents[0].date = documents[0].date or meta.get("date") or page_date(loaded.lines)
    return documents, loaded.format


def load_corpus(corpus_dir: Path, warn: Callable[[str], None] = lambda message: None) -> LoadReport:
    """Every readable file of `corpus_dir`; each unreadable one is reported through `warn` and skipped."""
    corpus_dir = Path(corpus_dir)
    manifest = read_manifest(corpus_dir)
    report = LoadReport()
    found = scan(corpus_dir)
    for problem in found.problems:
        report.skipped.append(problem)
        warn(f"skipped {problem.reason}")
    for path in found.files:
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            documents, fmt = load_documents(path, relative, manifest.get(relative), warn)
        except LoadError as exc:
            report.skipped.append(SkippedFile(relative, str(exc)))
            warn(f"skipped {exc}")
            continue
        report.documents.extend(documents)
        report.formats[fmt] = report.formats.get(fmt, 0) + 1
        report.document_formats[fmt] = report.document_formats.get(fmt, 0) + len(documents)
        report.files[relative] = file_hash(path)
    if not report.documents:
        raise CorpusError(f"no readable documents in {corpus_dir} ({len(report.skipped)} files skipped)")
    return report
