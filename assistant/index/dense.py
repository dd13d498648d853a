"""Dense vectors in FAISS: inner product on L2-normalised embeddings (cosine).

Exact (IndexFlatIP) while the corpus is small; from `approximate_from` vectors on, an inverted
file (IndexIVFFlat: k-means lists, a query scans the `nprobe` nearest lists), whose recall
against exact search scripts/bench.py measures (README, Performance: why IVF and not HNSW, and
why the threshold). `save(dir)`/`load(dir)` round-trip."""

from __future__ import annotations

import math
import os
from pathlib import Path

import faiss
import numpy as np

from ..config import APPROXIMATE_FROM  # the threshold, with its measurements

#: Share of the inverted lists a query scans (recall@10 >= 0.95 measured at 1/8; at least 8 lists).
IVF_PROBE_SHARE = 1 / 8
#: HNSW parameters, kept for the comparison scripts/bench.py measures. HNSW is not used: on this
#: corpus's vectors (many near-identical chunks) its recall@10 stayed near 0.8 (README).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128

# One OpenMP thread: single-query search is faster on one (measured 1.0 vs 1.4 ms at 13k vectors)
# and does not collapse when another process holds the other core (15 ms with two).
faiss.omp_set_num_threads(1)


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
        if isinstance(self.index, faiss.IndexIVF):
            return "ivf"
        return "hnsw" if isinstance(self.index, faiss.IndexHNSW) else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, approximate_from: int = APPROXIMATE_FROM) -> "DenseIndex":
        """Exact below `approximate_from` vectors, IVF from there on."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(vectors) >= max(approximate_from, 2):
            index = ivf_index(vectors)
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
        sims, ids = self.index.search(query, k)
        valid = ids[0] >= 0
        ids, sims = ids[0][valid], sims[0][valid]
        order = np.lexsort((ids, -sims))
        return ids[order], sims[order]

    def save(self, directory: Path) -> None:
        """Write the index as faiss serialises it, through Python's file (so a full disk is an OSError
        here: faiss's own writer does not check its final flush, and a truncated file would be recorded
        as complete), flushed to the disk."""
        path = Path(directory) / "dense.faiss"
        data = faiss.serialize_index(self.index)
        with open(path, "wb") as handle:
            handle.write(memoryview(data))
            handle.flush()
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, directory: Path) -> "DenseIndex":
        """The index mapped from its file, not read into memory: the vectors are pages of the file the
        system shares and frees as it needs (a 115,000-chunk index: 226 MB read, 1 MB mapped). A file
        that cannot be mapped is read."""
        path = str(Path(directory) / "dense.faiss")
        with open(path, "rb") as handle:
            inverted = handle.read(2) == b"Iw"  # IVF indexes map their lists; flat ones their codes
        try:
            return cls(faiss.read_index(path, faiss.IO_FLAG_MMAP if inverted else faiss.IO_FLAG_MMAP_IFC))
        except RuntimeError:
            return cls(faiss.read_index(path))


def ivf_lists(count: int) -> int:
    """Inverted lists for `count` vectors: about √count (faiss's rule of thumb: 4√n–16√n for
    very large n), at least 1 and never more than one per 39 vectors (k-means needs points)."""
    return max(1, min(int(round(math.sqrt(count))), count // 39 or 1))


def ivf_probes(lists: int, probe_share: float = IVF_PROBE_SHARE) -> int:
    """Lists a query scans: `probe_share` of them, and at least 8 (or all, when fewer), so a
    small index is not cut to one or two lists."""
    return min(lists, max(8, math.ceil(lists * probe_share)))


def ivf_index(vectors: np.ndarray, probe_share: float = IVF_PROBE_SHARE) -> faiss.IndexIVFFlat:
    """An IVF-Flat index trained on `vectors` (k-means, faiss's fixed seed: deterministic)."""
    lists = ivf_lists(len(vectors))
    index = faiss.index_factory(vectors.shape[1], f"IVF{lists},Flat", faiss.METRIC_INNER_PRODUCT)
    index.cp.min_points_per_centroid = 1  # small test corpora: no warning, same result
    index.train(vectors)
    index.nprobe = ivf_probes(lists, probe_share)
    return index


def hnsw_index(dim: int, m: int = HNSW_M, ef_construction: int = HNSW_EF_CONSTRUCTION,
               ef_search: int = HNSW_EF_SEARCH) -> faiss.IndexHNSWFlat:
    index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.hnsw.efSearch = ef_search
    return index


def recall_at_k(exact: faiss.Index, approximate: faiss.Index, queries: np.ndarray, k: int = 10,
                ties: bool = False) -> float:
    """Share of the exact top-k found by the approximate index: mean |A_k ∩ E_k| / k. With
    `ties`, a returned vector also counts when its similarity equals the exact k-th one (within
    1e-5; as ann-benchmarks does): among identical chunks, which one is "the" neighbour is arbitrary."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    truth_sims, truth = exact.search(queries, k)
    found_sims, found = approximate.search(queries, k)
    hits = 0
    for t, f, ts, fs in zip(truth, found, truth_sims, found_sims):
        if ties:
            hits += min(k, int(((fs >= ts[-1] - 1e-5) & (f >= 0)).sum()))
        else:
            hits += len(set(t[t >= 0]) & set(f[f >= 0]))
    return hits / (len(queries) * k)
