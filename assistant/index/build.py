"""Corpus folder → a complete index, saved atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..chunking import chunk_document, index_text
from ..config import Settings
from ..documents import Chunk, Section
from ..ingest import load_corpus
from .dense import DenseIndex
from .embedders import Embedder, load_embedder
from .lexical import LexicalIndex
from .store import IndexData, save_atomic

#: (stage, done, total) — the CLI draws a progress bar from it.
ProgressFn = Callable[[str, int, int], None]


@dataclass
class BuildStats:
    documents: int
    chunks: int
    files: int
    skipped: list[dict]
    formats: dict[str, int]  # files by format
    seconds: float
    embedding_model: str | None
    path: str
    document_formats: dict[str, int] = field(default_factory=dict)  # documents by format


def build_index(settings: Settings, warn: Callable[[str], None] = print,
                progress: ProgressFn | None = None, embedder: Embedder | None = None,
                corpus_dir: Path | None = None) -> tuple[IndexData, BuildStats]:
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    report = load_corpus(corpus_dir, warn=warn)
    sections: list[Section] = []
    chunks: list[Chunk] = []
    for document in report.documents:
        doc_sections, doc_chunks = chunk_document(document, settings.chunk_chars)
        sections.extend(doc_sections)
        chunks.extend(doc_chunks)
    titles = {d.id: d.title for d in report.documents}
    texts = [index_text(chunk, titles[chunk.doc_id]) for chunk in chunks]
    lexical = LexicalIndex.build(texts)
    if embedder is None:
        embedder = load_embedder(settings.embedding_model, warn)
    dense = None
    if embedder is not None:
        vectors = embedder.encode(texts, progress=(lambda done, total: progress("embedding", done, total))
                                  if progress else None)
        dense = DenseIndex.build(np.asarray(vectors))
    documents = []
    for document in report.documents:
        meta = document.meta()
        meta["chunks"] = sum(1 for c in chunks if c.doc_id == document.id)
        documents.append(meta)
    manifest = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "corpus": str(corpus_dir.resolve()),
        "embedding_setting": settings.embedding_model,
        "embedding_model": embedder.name if embedder is not None else None,
        "embedding_dim": embedder.dim if embedder is not None else None,
        "chunk_chars": settings.chunk_chars,
        "documents": len(documents),
        "chunks": len(chunks),
        "files": report.files,
        "formats": report.formats,
        "document_formats": report.document_formats,
        "skipped": [{"file": s.path, "reason": s.reason} for s in report.skipped],
    }
    data = IndexData(documents, sections, chunks, lexical, dense, manifest,
                     {d.id: d.lines for d in report.documents})
    path = save_atomic(data, settings.index_root)
    stats = BuildStats(len(documents), len(chunks), len(report.files), manifest["skipped"], report.formats,
                       time.perf_counter() - started, manifest["embedding_model"], str(path), report.document_formats)
    return data, stats
