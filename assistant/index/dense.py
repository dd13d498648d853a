"""Dense vectors in FAISS: inner product on L2-normalised embeddings (cosine).

Exact (IndexFlatIP) while the corpus is small; from `approximate_from` vectors on, HNSW
(IndexHNSWFlat, inner product), whose recall against exact search is measured by
scripts/bench.py (see the README's Performance section for the threshold's reasons).
`save(dir)`/`load(dir)` round-trip."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

#: From this many vectors on, the index is approximate (HNSW). Measured on this 2-core machine
#: (README, Performance): exact search costs about 0.1 ms per 1,000 vectors per query, so it
#: stays far below the query-embedding time up to this size, while an HNSW graph costs build
#: time on every (incremental) build and gives up a little recall.
APPROXIMATE_FROM = 100_000
#: HNSW graph degree, construction and search breadth (recall@10 >= 0.95 measured at these).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class DenseIndex:
    def __init__(self, index: faiss.Index):
        self.index = index

    @property
    def dim(self) -> int:
        return self.index.d

    @property
    def size(self) -> int:
        return self.index.ntotal

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSW) else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, approximate_from: int = APPROXIMATE_FROM) -> "DenseIndex":
        """Exact below `approximate_from` vectors, HNSW from there on."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) >= approximate_from:
            index = hnsw_index(vectors.shape[1])
        else:
            index = faiss.IndexFlatIP(vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query with every vector (position order); -1 where an
        approximate index did not reach a vector."""
        out = np.full(self.size, -1.0, dtype=np.float32)
        if self.size == 0:
            return out
        ids, sims = self.search(query, self.size)
        out[ids] = sims
        return out

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and similarities of the `k` nearest vectors, best first (ties by position)."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if isinstance(self.index, faiss.IndexHNSW) and self.index.hnsw.efSearch < k:
            self.index.hnsw.efSearch = k
        sims, ids = self.index.search(query, k)
        valid = ids[0] >= 0
        ids, sims = ids[0][valid], sims[0][valid]
        order = np.lexsort((ids, -sims))
        return ids[order], sims[order]

    def save(self, directory: Path) -> None:
        faiss.write_index(self.index, str(Path(directory) / "dense.faiss"))

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        return cls(faiss.read_index(str(Path(directory) / "dense.faiss")))


def hnsw_index(dim: int, m: int = HNSW_M, ef_construction: int = HNSW_EF_CONSTRUCTION,
               ef_search: int = HNSW_EF_SEARCH) -> faiss.IndexHNSWFlat:
    index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.hnsw.efSearch = ef_search
    return index


def recall_at_k(exact: faiss.Index, approximate: faiss.Index, queries: np.ndarray, k: int = 10) -> float:
    """Share of the exact top-k found by the approximate index: mean |A_k ∩ E_k| / k."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    _, truth = exact.search(queries, k)
    _, found = approximate.search(queries, k)
    hits = sum(len(set(t[t >= 0]) & set(f[f >= 0])) for t, f in zip(truth, found))
    return hits / (len(queries) * k)
