"""Caches under ASSISTANT_HOME/cache that make re-indexing cheap.

- `FileCache` (cache/files/<key>.json): what one corpus file became — its documents with their
  cleaned lines, sections, chunks and BM25 tokens, or why it was skipped. The key is the file's
  relative path, content hash, manifest entry, chunk size, the tokenizer's data files
  (dictionary, synonym groups, stopwords) and `PIPELINE_VERSION`, so a changed file, a changed
  setting, edited tokenizer data or changed cleaning/chunking code (bump the constant) misses the cache.
- `EmbeddingCache` (cache/embeddings.sqlite): one vector per (model, hash of the embedded text),
  so a text is embedded once per model, whichever file or build it comes from.

Both are caches: deleting cache/ only makes the next build slower."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from functools import lru_cache
from importlib import resources
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from ..documents import Chunk, Document, Line, Section

#: Bump when loading, cleaning, splitting, structure, chunking or tokenization change what they
#: produce for the same file, or the index gains or changes a part (4: bilingual.json, the
#: English → Chinese table; 5: regulation structure and the cleaner's line joins): every cached file
#: is then processed again.
PIPELINE_VERSION = 12  # 12: a paged file's full line length leaves its table records out (PDF paragraphs beside a table are joined); 11: titles, numbers, dates, kinds from the head and foot (masthead.py), 附件 and 落款 sections, a top-level chunk's sections (Chunk.holds); 10: one id per file, extension included (same-stem files apart); 9: tables as records with their headers (Word, PDF)
#: Embeddings not used by any of the last this-many builds are deleted.
KEEP_BUILDS = 3


@dataclass
class FileEntry:
    """One corpus file, processed: its documents (with lines), sections, chunks and each
    chunk's tokens, or the reason it was skipped."""

    relative: str
    content_hash: str
    format: str | None = None
    documents: list[Document] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)  # what loading said about parts of the file

    def to_dict(self) -> dict:
        return {
            "relative": self.relative, "content_hash": self.content_hash, "format": self.format,
            "skipped": self.skipped, "notes": self.notes,
            "documents": [dict(_document_fields(d), lines=[[getattr(l, f) for f in _LINE_FIELDS] for l in d.lines])
                          for d in self.documents],
            "sections": [s.to_dict() for s in self.sections],
            "chunks": [c.to_dict() for c in self.chunks],
            "tokens": self.tokens,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FileEntry":
        documents = []
        for row in data["documents"]:
            row = dict(row)
            lines = [Line(*item) for item in row.pop("lines")]
            documents.append(Document(lines=lines, **row))
        return cls(data["relative"], data["content_hash"], data.get("format"), documents,
                   [Section(**row) for row in data["sections"]], [Chunk.from_dict(row) for row in data["chunks"]],
                   data["tokens"], data.get("skipped"), data.get("notes") or [])


_LINE_FIELDS = [f.name for f in fields(Line)]


def _document_fields(document: Document) -> dict:
    return {"id": document.id, "title": document.title, "kind": document.kind, "source": document.source,
            "date": document.date, "organisation": document.organisation, "dates": document.dates,
            "law_key": document.law_key, "header": document.header, "history": document.history,
            "number": document.number}


#: The data files tokenization and document descriptions (genres: titles and kinds) depend on: editing
#: one of them misses the cache.
TOKENIZER_DATA = ("domain_terms.txt", "synonyms_zh.tsv", "stopwords.txt", "genres.tsv")


@lru_cache(maxsize=1)
def tokenizer_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in TOKENIZER_DATA:
        digest.update(resources.files("assistant").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:16]


def file_key(relative: str, content_hash: str, meta: dict | None, chunk_chars: int) -> str:
    """Cache key of a processed file: everything its documents, chunks and tokens depend on."""
    basis = json.dumps([PIPELINE_VERSION, tokenizer_fingerprint(), relative, content_hash, meta or {}, chunk_chars],
                       ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


class FileCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def get(self, key: str) -> FileEntry | None:
        """The cached entry, or None when missing or unreadable (then the file is processed again)."""
        try:
            return FileEntry.from_dict(json.loads(self._path(key).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, entry: FileEntry) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.{uuid.uuid4().hex[:6]}.tmp"
        tmp.write_text(json.dumps(entry.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._path(key))

    def prune(self, keep: set[str]) -> int:
        """Delete entries whose key is not in `keep` (the files of the build just made)."""
        removed = 0
        if not self.root.exists():
            return 0
        for path in self.root.glob("*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def text_key(text: str) -> bytes:
    """Cache key of an embedded text: the first 16 bytes of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


class EmbeddingCache:
    """Vectors by (model, text hash) in SQLite. Each build is a new generation; vectors that no
    build of the last `KEEP_BUILDS` used are deleted, so the cache stays near the corpus size."""

    _BATCH = 500

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
                        "vector BLOB NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID")
        self.db.execute("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value INTEGER)")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "EmbeddingCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, model: str, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), self._BATCH):
            batch = unique[start:start + self._BATCH]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                                   [model, *batch])
            for key, blob in rows:
                found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, keys: list[bytes], vectors: np.ndarray) -> None:
        generation = self.generation()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO vectors (model, key, vector, used) VALUES (?, ?, ?, ?)",
                                [(model, key, vectors[i].tobytes(), generation) for i, key in enumerate(keys)])

    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM state WHERE name = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def new_generation(self) -> int:
        generation = self.generation() + 1
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO state (name, value) VALUES ('generation', ?)", (generation,))
        return generation

    def mark_used(self, model: str, keys: list[bytes]) -> None:
        generation = self.generation()
        unique = list(dict.fromkeys(keys))
        with self.db:
            self.db.executemany("UPDATE vectors SET used = ? WHERE model = ? AND key = ?",
                                [(generation, model, key) for key in unique])

    def prune(self) -> int:
        """Delete vectors that none of the last KEEP_BUILDS builds used."""
        with self.db:
            cursor = self.db.execute("DELETE FROM vectors WHERE used <= ?", (self.generation() - KEEP_BUILDS,))
        return cursor.rowcount

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])


def stale_reason(manifest: dict) -> str | None:
    """Why an index no longer matches this version of the assistant (its files would be processed
    differently now), or None when it does."""
    version = manifest.get("pipeline_version")
    if version != PIPELINE_VERSION:
        return f"built by an older version of the assistant (pipeline {version}, now {PIPELINE_VERSION})"
    if manifest.get("tokenizer_data") != tokenizer_fingerprint():
        return "built with other tokenizer data (the domain dictionary, synonym groups or stopwords changed)"
    return None
