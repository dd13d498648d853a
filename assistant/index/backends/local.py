"""The default backend: FAISS + bm25s files under ASSISTANT_HOME/index (store.py does the work)."""

from __future__ import annotations

import numpy as np

from ...config import Settings
from ...documents import Chunk
from .. import store
from ..store import IndexData


class LocalBackend:
    name = "local"

    def __init__(self, settings: Settings):
        self.root = settings.index_root

    def exists(self) -> bool:
        return store.exists(self.root)

    def load(self) -> IndexData:
        return store.load_current(self.root)

    def load_manifest(self) -> dict | None:
        return store.load_manifest(self.root)

    def save(self, data: IndexData, vectors: np.ndarray | None, progress=None) -> IndexData:
        """The FAISS index in `data.dense` already holds the vectors."""
        store.save_atomic(data, self.root)
        return data

    def location(self) -> str:
        return str(store.current_path(self.root).resolve())

    def dense_kind(self, count: int) -> str:
        return "faiss"  # building.py names flat / ivf from the FAISS index it made

    def section_chunks(self, data: IndexData, section_id: str) -> list[Chunk]:
        return [chunk for chunk in data.chunks if chunk.section_id == section_id]
