"""Corpus folder → a complete index, saved atomically; incremental through the caches.

Each file is looked up in the file cache by its content hash (and the settings and pipeline
version): an unchanged file is not read, cleaned, chunked or tokenized again, and its chunks'
vectors come from the embedding cache, so only added or changed files cost model time. The
BM25 and FAISS stores are then rebuilt whole from the cached tokens and vectors (seconds), which
keeps an incremental build identical to one from scratch."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .chunking import chunk_document, index_text
from .collection import DEFAULT, Collection, all_collections
from .config import Settings
from .documents import Chunk, Document, Section
from .errors import CorpusError, LoadError
from .config import Limits
from .ingest.discovery import scan
from .ingest.pipeline import file_hash, load_documents, read_manifest
from .index.cache import PIPELINE_VERSION, FileCache, FileEntry, file_key, stale_reason, tokenizer_fingerprint  # noqa: F401
from .index.changes import Changes, diff_files, indexed_hashes, manifest_hash
from .language.bilingual import Bilingual, build_bilingual
from .index.dense import DenseIndex
from .index.embedders import Embedder
from .index.lexical import LexicalIndex
from .index.backends import backend_for
from .index.lock import BuildLock
from .index.store import IndexData
from .language.tokenization import tokenize
from .index.vectors import embed_texts

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
    files_processed: int = 0  # read, cleaned, chunked and tokenized by this build
    files_reused: int = 0  # taken from the file cache
    chunks_embedded: int = 0  # distinct chunk texts embedded by this build
    chunks_cached: int = 0  # chunks whose vector came from the embedding cache
    changes: Changes | None = None  # since the previous build (None when there was none)
    timings: dict[str, float] = field(default_factory=dict)
    dense_index: str | None = None
    document_formats: dict[str, int] = field(default_factory=dict)  # documents by format


def process_file(path: Path, relative: str, content_hash: str, meta: dict | None, chunk_chars: int,
                 collection: Collection | None = None) -> FileEntry:
    """Load, clean, split, chunk and tokenize one file; an unreadable one becomes a skipped entry."""
    notes: list[str] = []
    id_of = collection.doc_id if collection is not None else (lambda plain: plain)
    try:
        documents, fmt = load_documents(path, relative, meta, notes.append, id_of)
    except LoadError as exc:
        return FileEntry(relative, content_hash, skipped=str(exc), notes=notes)
    entry = FileEntry(relative, content_hash, fmt, documents, notes=notes)
    for document in documents:
        sections, chunks = chunk_document(document, chunk_chars)
        entry.sections.extend(sections)
        entry.chunks.extend(chunks)
        entry.tokens.extend(tokenize(index_text(chunk, document.title)) or ["∅"] for chunk in chunks)
    return entry


def read_files(corpus_dir: Path, chunk_chars: int, cache: FileCache, fresh: bool = False,
               progress: ProgressFn | None = None, limits: Limits | None = None,
               collection: Collection | None = None) -> tuple[list[FileEntry], set[str], int]:
    """Every file of the corpus as a FileEntry (from the cache when unchanged; a file the scan or
    reading refuses as a skipped entry, never cached); the cache keys used; how many files were
    processed rather than reused. `collection`: the one the folder is (its documents' ids)."""
    collection = collection or Collection(DEFAULT, Path(corpus_dir))
    manifest = read_manifest(corpus_dir)
    found = scan(corpus_dir, limits)
    paths = found.files
    entries = [FileEntry(problem.relative, "", skipped=problem.reason) for problem in found.problems]
    keys, processed = set(), 0
    for number, path in enumerate(paths, start=1):
        relative = path.relative_to(corpus_dir).as_posix()
        try:
            content_hash = file_hash(path)
        except OSError as exc:  # unreadable (permissions), or gone since the scan
            entries.append(FileEntry(relative, "", skipped=f"{relative}: cannot read it ({exc.strerror or exc}); "
                                                           f"check its permissions"))
            continue
        key = file_key(collection.doc_id(relative), content_hash, manifest.get(relative), chunk_chars)
        entry = None if fresh else cache.get(key)
        if entry is None:
            entry = process_file(path, relative, content_hash, manifest.get(relative), chunk_chars, collection)
            cache.put(key, entry)
            processed += 1
        entries.append(entry)
        keys.add(key)
        if progress:
            progress("reading files" if collection.name == DEFAULT else f"reading files of {collection.name}",
                     number, len(paths))
    return entries, keys, processed


def build_index(settings: Settings, warn: Callable[[str], None] = print,
                progress: ProgressFn | None = None, embedder: Embedder | None = None,
                corpus_dir: Path | None = None, fresh: bool = False) -> tuple[IndexData, BuildStats]:
    """Build the index of `corpus_dir` (default: the settings' corpus) and of every other
    collection (collection.py), and make it current. `fresh` ignores the caches (everything is
    processed and embedded again). Holds the home's
    build lock throughout: a second build at once waits (saying for whom) and then runs."""
    with BuildLock(settings.home, say=warn):
        return _build_index(settings, warn, progress, embedder, corpus_dir, fresh)


def _build_index(settings: Settings, warn: Callable[[str], None], progress: ProgressFn | None,
                 embedder: Embedder | None, corpus_dir: Path | None, fresh: bool) -> tuple[IndexData, BuildStats]:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    backend = backend_for(settings)
    corpus_dir = Path(corpus_dir or settings.corpus_dir)
    file_cache = FileCache(settings.home / "cache" / "files")
    documents: list[Document] = []
    sections: list[Section] = []
    chunks: list[Chunk] = []
    tokens: list[list[str]] = []
    files: dict[str, str] = {}
    formats: dict[str, int] = {}
    document_formats: dict[str, int] = {}
    skipped: list[dict] = []
    collection_of: dict[str, str] = {}  # document id -> its collection
    others: dict[str, dict] = {}  # the manifest's record of each collection but the default
    keys: set[str] = set()
    processed = reused = 0
    for collection in [Collection(DEFAULT, corpus_dir)] + all_collections(settings)[1:]:
        if collection.name != DEFAULT and not collection.corpus.is_dir():
            warn(f"collection {collection.name}: its folder {collection.corpus} is gone; its documents are left out "
                 f"(`assistant collection delete {collection.name}` removes it from the list)")
            continue
        entries, used, made_here = read_files(collection.corpus, settings.chunk_chars, file_cache, fresh, progress,
                                              settings.limits, collection)
        keys |= used
        processed += made_here
        reused += sum(1 for entry in entries if entry.content_hash) - made_here
        own_files = files if collection.name == DEFAULT else {}
        for entry in entries:
            for note in entry.notes:
                warn(note if collection.name == DEFAULT else f"{collection.name}: {note}")
            if entry.skipped:
                warn(f"skipped {entry.skipped}" if collection.name == DEFAULT
                     else f"skipped {collection.name}: {entry.skipped}")
                item = {"file": entry.relative, "reason": entry.skipped, "hash": entry.content_hash or None}
                skipped.append(item if collection.name == DEFAULT else dict(item, collection=collection.name))
                continue
            documents.extend(entry.documents)
            collection_of.update((d.id, collection.name) for d in entry.documents)
            sections.extend(entry.sections)
            chunks.extend(entry.chunks)
            tokens.extend(entry.tokens)
            own_files[entry.relative] = entry.content_hash
            formats[entry.format] = formats.get(entry.format, 0) + 1
            document_formats[entry.format] = document_formats.get(entry.format, 0) + len(entry.documents)
        if collection.name != DEFAULT:
            others[collection.name] = {"corpus": str(collection.corpus.resolve()), "files": own_files,
                                       "corpus_manifest": manifest_hash(collection.corpus)}
    timings["files"] = time.perf_counter() - started
    if not documents:
        raise CorpusError(f"no readable documents in {corpus_dir} ({len(skipped)} files skipped)")

    mark = time.perf_counter()
    titles = {d.id: d.title for d in documents}
    texts = [index_text(chunk, titles[chunk.doc_id]) for chunk in chunks]
    made = embed_texts(texts, settings.embedding_model, settings.home / "cache" / "embeddings.sqlite",
                       embedder, warn, (lambda done, total: progress("embedding", done, total)) if progress else None,
                       fresh)
    timings["embedding"] = time.perf_counter() - mark

    mark = time.perf_counter()
    lexical = LexicalIndex.from_tokens(tokens)
    timings["bm25"] = time.perf_counter() - mark
    mark = time.perf_counter()
    bilingual = dictionary_of(lexical, warn)
    timings["bilingual"] = time.perf_counter() - mark
    mark = time.perf_counter()
    local = backend.name == "local"  # another backend builds its dense index itself, from the vectors
    dense = DenseIndex.build(made.vectors, settings.approximate_from) if made.vectors is not None and local else None
    timings["faiss"] = time.perf_counter() - mark

    chunk_counts: dict[str, int] = {}
    for chunk in chunks:
        chunk_counts[chunk.doc_id] = chunk_counts.get(chunk.doc_id, 0) + 1
    document_rows = [dict(d.meta(), chunks=chunk_counts.get(d.id, 0), collection=collection_of[d.id])
                     for d in documents]
    previous = backend.load_manifest()
    if previous is not None and previous.get("corpus") and Path(previous["corpus"]) != corpus_dir.resolve():
        kept = set(files.values())  # by content: files copied into the new folder stay in the index
        leaving = sum(1 for value in (previous.get("files") or {}).values() if value not in kept)
        if leaving:
            warn(f"note: the default collection is now {corpus_dir}; {leaving} of the files the last build read from "
                 f"{previous['corpus']} are not in it and leave the index (build with --corpus {previous['corpus']}, "
                 f"or set ASSISTANT_CORPUS, to keep them)")
        else:
            warn(f"note: the default collection is now {corpus_dir} (the last build read {previous['corpus']}; "
                 f"every file of it is in the new folder too)")
    manifest = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "corpus": str(corpus_dir.resolve()),
        "corpus_manifest": manifest_hash(corpus_dir),
        "embedding_setting": settings.embedding_model,
        "embedding_model": made.model,
        "embedding_dim": made.dim,
        "dense_index": dense.kind if dense is not None else (
            backend.dense_kind(len(chunks)) if made.vectors is not None else None),
        "backend": backend.name,
        "chunk_chars": settings.chunk_chars,
        "pipeline_version": PIPELINE_VERSION,
        "tokenizer_data": tokenizer_fingerprint(),
        "bilingual": {"source": bilingual.source, "phrases": len(bilingual.phrases)} if bilingual else None,
        "documents": len(document_rows),
        "chunks": len(chunks),
        "files": files,
        "formats": formats,
        "document_formats": document_formats,
        "skipped": skipped,
        "collections": others,
    }
    changes = diff_files(indexed_hashes(previous), indexed_hashes(manifest)) if previous is not None else None
    manifest["build"] = {"files_processed": processed, "files_reused": reused,
                         "chunks_embedded": made.embedded, "chunks_cached": made.cached,
                         "seconds_before_save": round(time.perf_counter() - started, 3),
                         "timings": {k: round(v, 3) for k, v in timings.items()}}
    mark = time.perf_counter()
    data = IndexData(document_rows, sections, chunks, lexical, dense, manifest,
                     {d.id: d.lines for d in documents}, bilingual)
    data = backend.save(data, made.vectors,
                        (lambda done, total: progress(f"writing to {backend.name}", done, total)) if progress else None)
    path = backend.location()
    file_cache.prune(keys)
    timings["save"] = time.perf_counter() - mark  # with another backend: writing and reading it back
    stats = BuildStats(len(document_rows), len(chunks), len(files) + sum(len(r["files"]) for r in others.values()), skipped, formats,
                       time.perf_counter() - started, made.model, str(path),
                       files_processed=processed, files_reused=reused,
                       chunks_embedded=made.embedded, chunks_cached=made.cached, changes=changes,
                       timings={k: round(v, 3) for k, v in timings.items()},
                       dense_index=manifest["dense_index"], document_formats=document_formats)
    return data, stats


def dictionary_of(lexical: LexicalIndex, warn: Callable[[str], None]) -> Bilingual | None:
    """The English → Chinese table of the corpus's vocabulary; None (English questions then use
    the glossary alone) when CC-CEDICT or the lemmatizer is not installed."""
    try:
        return build_bilingual(lexical.vocabulary(), lexical.doc_freq)
    except (FileNotFoundError, ImportError) as exc:
        warn(f"no English-Chinese dictionary for this index ({exc}); English questions use the glossary only")
        return None
