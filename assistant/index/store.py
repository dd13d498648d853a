"""The index on disk: documents, sections, chunks, BM25 and FAISS stores, and a manifest.

Layout under ASSISTANT_HOME/index/:
    builds/<build-id>/   one complete index (manifest.json written last, with the size and
                         SHA-256 of every other file: integrity.py)
    current              symlink to the build in use
`save_atomic` writes a new build beside the old one and swaps `current` with one rename, so an
interrupted build leaves the previous index in use and never a half-written one; builds hold the
home's BuildLock (lock.py), so two builds never write at once."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import Chunk, Line, Section
from ..errors import IndexCorruptError, IndexMissingError
from ..language.bilingual import Bilingual
from . import integrity
from .dense import DenseIndex
from .lexical import LexicalIndex

FORMAT_VERSION = 1


@dataclass
class IndexData:
    documents: list[dict]
    sections: list[Section]
    chunks: list[Chunk]
    lexical: LexicalIndex
    dense: DenseIndex | None
    manifest: dict = field(default_factory=dict)
    lines: dict[str, list[Line]] = field(default_factory=dict)  # doc id -> its cleaned lines
    bilingual: Bilingual | None = None  # English → the corpus's Chinese words (CC-CEDICT)
    build_id: str | None = None  # the folder under builds/ it was loaded from or saved to

    def __post_init__(self) -> None:
        self.doc_by_id = {d["id"]: d for d in self.documents}
        self.section_by_id = {s.id: s for s in self.sections}
        self.chunk_pos = {c.id: i for i, c in enumerate(self.chunks)}

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _write_jsonl(directory / "documents.jsonl", self.documents)
        _write_jsonl(directory / "sections.jsonl", [s.to_dict() for s in self.sections])
        _write_jsonl(directory / "chunks.jsonl", [c.to_dict() for c in self.chunks])
        _write_jsonl(directory / "lines.jsonl", [
            {"doc_id": doc_id, "lines": [[l.text, l.start, l.end, l.page, l.heading, l.page_end] for l in lines]}
            for doc_id, lines in self.lines.items()])
        self.lexical.save(directory / "bm25")
        if self.dense is not None:
            self.dense.save(directory)
        if self.bilingual is not None:
            self.bilingual.save(directory)
        manifest = dict(self.manifest, format=FORMAT_VERSION, checksums=integrity.record(directory))
        self.manifest = manifest
        tmp = directory / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, directory / "manifest.json")

    @classmethod
    def load(cls, directory: Path) -> "IndexData":
        directory = Path(directory)
        try:
            manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION:
                raise IndexCorruptError(f"index at {directory} has format {manifest.get('format')}, "
                                        f"expected {FORMAT_VERSION}; run `assistant index build`")
            problems = integrity.check(directory, manifest, full=False)  # sizes: a stat per file
            if problems:
                raise IndexCorruptError(integrity.damaged_message(directory, problems))
            documents = _read_jsonl(directory / "documents.jsonl")
            shared = _Shared()
            sections = [Section(**shared.section(row)) for row in _rows(directory / "sections.jsonl")]
            chunks = [Chunk.from_dict(shared.chunk(row)) for row in _rows(directory / "chunks.jsonl")]
            lines = {shared.text(row["doc_id"]): [Line(*item) for item in row["lines"]]
                     for row in _rows(directory / "lines.jsonl")}
            lexical = LexicalIndex.load(directory / "bm25")
            dense = DenseIndex.load(directory) if (directory / "dense.faiss").exists() else None
            bilingual = Bilingual.load(directory)
        except IndexCorruptError:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise IndexCorruptError(f"index at {directory} cannot be read ({type(exc).__name__}: {exc}); "
                                    f"run `assistant index build`") from exc
        return cls(documents, sections, chunks, lexical, dense, manifest, lines, bilingual, directory.name)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _rows(path: Path):
    """The rows of a JSON-lines file, one at a time (a large index's rows are never all held as dicts)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


class _Shared:
    """One copy of each id, heading and section path the rows repeat: a section's path and a chunk's hold
    the same few headings (a corpus of 100 MB has 300,000 sections over some 500 distinct paths), so a
    loaded index keeps them once instead of once per row (589 MB → about 100 MB of sections there).
    The objects an index loads are read, never changed, so sharing them is safe."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.lists: dict[tuple, list] = {}

    def text(self, value):
        return self.texts.setdefault(value, value) if isinstance(value, str) else value

    def sequence(self, values: list) -> list:
        key = tuple(self.text(v) for v in values)
        return self.lists.setdefault(key, list(key))

    def section(self, row: dict) -> dict:
        for name in ("doc_id", "heading", "parent"):
            row[name] = self.text(row.get(name))
        row["path"] = self.sequence(row.get("path") or [])
        row["codes"] = self.sequence(row.get("codes") or [])
        return row

    def chunk(self, row: dict) -> dict:
        for name in ("doc_id", "section_id", "article"):
            if name in row:
                row[name] = self.text(row[name])
        for name in ("section_path", "codes", "holds"):
            if name in row:
                row[name] = self.sequence(row[name] or [])
        return row


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def current_path(index_root: Path) -> Path:
    return Path(index_root) / "current"


def exists(index_root: Path) -> bool:
    return (current_path(index_root) / "manifest.json").exists()


def current_build(index_root: Path) -> str | None:
    """The name of the build `current` points at (builds/<name>), or None."""
    try:
        return Path(os.readlink(current_path(index_root))).name
    except OSError:
        return None


def save_atomic(data: IndexData, index_root: Path) -> Path:
    """Write a new build and make it current in one atomic step (a symlink replaced by a
    rename), then remove the builds older than the one it replaces. Callers hold the home's
    BuildLock (lock.py), so no other build is being written; the build that was current is kept
    until the next build, for a server that is just switching from it."""
    index_root = Path(index_root)
    builds = index_root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    target = builds / build_id
    previous = current_build(index_root)
    try:
        data.save(target)
        problems = integrity.check(target, data.manifest, full=False)
        if problems:  # the disk did not keep what was written (full, failing): keep the old index
            raise IndexCorruptError(integrity.damaged_message(target, problems))
        link = index_root / f".current-{build_id}"
        os.symlink(Path("builds") / build_id, link)
        os.replace(link, current_path(index_root))
        data.build_id = build_id
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    for old in builds.iterdir():
        if old.name not in (build_id, previous):
            shutil.rmtree(old, ignore_errors=True)
    for stray in index_root.glob(".current-*"):  # links of builds killed before their swap
        stray.unlink(missing_ok=True)
    return target


def load_current(index_root: Path) -> IndexData:
    """The build `current` points at, loaded from its own folder (the link is read once, so a
    build made current meanwhile does not mix with it)."""
    path = current_path(index_root)
    build = current_build(index_root)
    if build is not None:
        path = Path(index_root) / "builds" / build
    if not (path / "manifest.json").exists():
        raise IndexMissingError(f"no index under {index_root}; run `assistant index build`")
    return IndexData.load(path)


def load_manifest(index_root: Path) -> dict | None:
    """The current index's manifest alone (cheap), or None when there is no readable index."""
    try:
        return json.loads((current_path(index_root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
