"""Where the index lives, behind one small interface, so ranking and answering never know.

A backend keeps one complete index — the chunk and document records, the section structure, the
source lines, the BM25 and dense stores and the manifest — and makes a new one current in one
step. Search goes through the two stores an `IndexData` holds (`lexical.scores`, `dense.search`),
which each backend implements; everything else the ranking reads is the same records.

- `local` (local.py): FAISS + bm25s files under ASSISTANT_HOME/index, the default.
- `milvus` (milvus.py): a Milvus collection per build with an alias switched when the build is
  complete; `ASSISTANT_MILVUS_URI` is a file (embedded milvus-lite) or http://host:19530 (a
  server or a cluster)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ...config import Settings
from ...documents import Chunk
from ...errors import BackendError
from ..store import IndexData

BACKENDS = ("local", "milvus")


class Backend(Protocol):
    name: str

    def exists(self) -> bool:
        """Whether a complete index is current."""

    def load(self) -> IndexData:
        """The current index (IndexMissingError when there is none, IndexCorruptError when it cannot
        be read, BackendError when the backend cannot be reached)."""

    def load_manifest(self) -> dict | None:
        """The current index's manifest alone (cheap), or None."""

    def save(self, data: IndexData, vectors: np.ndarray | None, progress=None) -> IndexData:
        """Write `data` (with its chunks' dense `vectors`, row per chunk) as a new build and make it
        current in one step; an interrupted save leaves the previous build current. Returns the
        index as this backend serves it. `progress(done, total)`: chunks written so far."""

    def location(self) -> str:
        """Where the current index is, for `index status`."""

    def dense_kind(self, count: int) -> str:
        """The dense index a build of `count` vectors gets."""

    def section_chunks(self, data: IndexData, section_id: str) -> list[Chunk]:
        """The chunks of one section in reading order, read from the store itself."""


def backend_for(settings: Settings) -> Backend:
    """The backend the settings name (ASSISTANT_BACKEND)."""
    if settings.backend == "local":
        from .local import LocalBackend

        return LocalBackend(settings)
    if settings.backend == "milvus":
        from .milvus import MilvusBackend

        return MilvusBackend(settings)
    raise BackendError(f"ASSISTANT_BACKEND is {settings.backend!r}; set it to one of: {', '.join(BACKENDS)}")
