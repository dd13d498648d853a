"""Dense vectors in FAISS: inner product on L2-normalised embeddings (cosine), exact search.

Exact (IndexFlatIP) while the corpus is small; `save(dir)`/`load(dir)` round-trip."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np


class DenseIndex:
    def __init__(self, index: faiss.Index):
        self.index = index

    @property
    def dim(self) -> int:
        return self.index.d

    @property
    def size(self) -> int:
        return self.index.ntotal

    @classmethod
    def build(cls, vectors: np.ndarray) -> "DenseIndex":
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with every vector (position order)."""
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        k = self.size
        if k == 0:
            return np.zeros(0, dtype=np.float32)
        sims, ids = self.index.search(query, k)
        out = np.full(k, -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        out[ids[0][valid]] = sims[0][valid]
        return out

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        sims, ids = self.index.search(query, min(k, self.size))
        return ids[0], sims[0]

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(Path(directory) / "dense.faiss"))

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        return cls(faiss.read_index(str(Path(directory) / "dense.faiss")))
