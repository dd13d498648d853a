"""Chunk texts → embedding vectors, through the embedding cache: a text already embedded by the
same model (in any earlier build, from any file) is not embedded again, and the model is not
even loaded when every text is cached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import EmbeddingCache, text_key
from .embedders import Embedder, Progress, load_embedder

#: Texts embedded between two writes to the cache (an interrupted build keeps what it embedded).
SAVE_EVERY = 512


@dataclass
class Vectors:
    vectors: np.ndarray | None  # None: no model could be loaded (lexical only)
    model: str | None
    dim: int | None
    embedded: int  # distinct texts embedded by this build
    cached: int  # texts (chunks) whose vector came from the cache


def embed_texts(texts: list[str], setting: str, cache_path: Path, embedder: Embedder | None = None,
                warn: Callable[[str], None] = print, progress: Progress | None = None,
                fresh: bool = False) -> Vectors:
    """One L2-normalised vector per text, by the model `setting` names (or `embedder` when given).
    `fresh` ignores what the cache holds (the vectors made are still stored)."""
    keys = [text_key(text) for text in texts]
    with EmbeddingCache(cache_path) as cache:
        cache.new_generation()
        model = embedder.name if embedder is not None else setting
        found = {} if fresh else cache.get(model, keys)
        missing = _missing(keys, found)
        if missing and embedder is None:
            embedder = load_embedder(setting, warn)
            if embedder is None:
                return Vectors(None, None, None, 0, 0)
            if embedder.name != model:  # the setting fell back to another model
                model = embedder.name
                found = {} if fresh else cache.get(model, keys)
                missing = _missing(keys, found)
        cached = len(keys) - sum(len(rows) for rows in missing.values())
        todo = list(missing)
        done = 0
        for start in range(0, len(todo), SAVE_EVERY):
            batch = todo[start:start + SAVE_EVERY]
            offset = done

            def step(count: int, _total: int, offset: int = offset) -> None:
                if progress:
                    progress(offset + count, len(todo))

            made = embedder.encode([texts[missing[key][0]] for key in batch], progress=step)
            cache.put(model, batch, made)
            found.update({key: made[i] for i, key in enumerate(batch)})
            done += len(batch)
        if not keys:
            dim = embedder.dim if embedder is not None else 0
            return Vectors(np.zeros((0, dim), dtype=np.float32), model, dim, 0, 0)
        if len({found[key].shape for key in keys}) > 1:  # same model name, other vectors: start over
            return embed_texts(texts, setting, cache_path, embedder, warn, progress, fresh=True)
        vectors = np.stack([found[key] for key in keys]).astype(np.float32, copy=False)
        cache.mark_used(model, keys)
        cache.prune()
    return Vectors(vectors, model, int(vectors.shape[1]), len(todo), cached)


def _missing(keys: list[bytes], found: dict[bytes, np.ndarray]) -> dict[bytes, list[int]]:
    """Key → positions of the texts not in `found` (a text that occurs twice is embedded once)."""
    missing: dict[bytes, list[int]] = {}
    for position, key in enumerate(keys):
        if key not in found:
            missing.setdefault(key, []).append(position)
    return missing
