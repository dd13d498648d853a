"""Exact (IndexFlatIP) against IVF (and HNSW) as the number of vectors grows: what sets the threshold in
assistant/index/dense.py (APPROXIMATE_FROM).

    .venv/bin/python scripts/dense_study.py --home /tmp/bench/home-100x --sizes 13300,50000,100000

Takes the vectors of the index under --home (e.g. the 100x index that `scripts/bench.py --keep`
leaves) and, past their number, adds copies of them with Gaussian noise (sigma 0.05 per
dimension, re-normalised) to reach each size. For each size: exact search time per query
(k=60, the depth fusion uses; independent of the vectors' values), and for IVF (as
DenseIndex builds it) and HNSW: build time, search time, recall@10/@60 against exact. Queries: 200 index vectors with noise, sampled
with a fixed seed. Prints one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def grow(vectors: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    if size <= len(vectors):
        return vectors[:size]
    extra = vectors[rng.integers(0, len(vectors), size - len(vectors))]
    extra = extra + rng.normal(0, 0.05, extra.shape).astype(np.float32)
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    return np.vstack([vectors, extra]).astype(np.float32)


def per_query_ms(index, queries: np.ndarray, k: int = 60) -> float:
    started = time.perf_counter()
    for row in queries:
        index.search(row.reshape(1, -1), k)
    return (time.perf_counter() - started) / len(queries) * 1000


def recall_report(index_root: Path, questions: list[dict]) -> dict:
    """Recall of the approximate indexes against exact search on an index's own vectors: IVF as
    DenseIndex builds it past the threshold, and HNSW for comparison. Queries: the questions and
    the first sentences of 300 chunks (sampled with a fixed seed), embedded by the index's model."""
    import random
    import re

    import faiss

    from assistant.index import dense
    from assistant.index.embedders import load_embedder
    from assistant.index.store import load_current

    index = load_current(index_root)
    vectors = index.dense.index.reconstruct_n(0, index.dense.size)
    embedder = load_embedder(index.manifest["embedding_model"], warn=lambda message: None)
    sample = random.Random(7).sample(index.chunks, min(300, len(index.chunks)))
    pseudo = [re.split(r"[。;\n]", c.text)[0][:80] for c in sample]
    queries = embedder.encode_queries([row["q"] for row in questions] + [p for p in pseudo if len(p) >= 6])
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)

    def measure(approximate) -> dict:
        row = {f"recall@{k}": round(dense.recall_at_k(exact, approximate, queries, k), 4) for k in (10, 60)}
        row["recall@10_ties"] = round(dense.recall_at_k(exact, approximate, queries, 10, ties=True), 4)
        row["ms_per_query"] = round(per_query_ms(approximate, queries), 3)
        return row

    started = time.perf_counter()
    ivf = dense.DenseIndex.build(vectors, approximate_from=0).index
    out = {"vectors": int(len(vectors)), "distinct_vectors": int(len({v.tobytes() for v in vectors})),
           "queries": int(len(queries)), "flat_ms_per_query": round(per_query_ms(exact, queries), 3),
           "ivf": dict(measure(ivf), lists=ivf.nlist, nprobe=ivf.nprobe,
                       build_seconds=round(time.perf_counter() - started, 2))}
    started = time.perf_counter()
    graph = dense.hnsw_index(vectors.shape[1])
    graph.add(vectors)
    out["hnsw"] = {"m": dense.HNSW_M, "ef_construction": dense.HNSW_EF_CONSTRUCTION,
                   "build_seconds": round(time.perf_counter() - started, 2), "by_ef_search": {}}
    for ef in (64, dense.HNSW_EF_SEARCH, 256):
        graph.hnsw.efSearch = ef
        out["hnsw"]["by_ef_search"][str(ef)] = measure(graph)
    out["recall@10"] = out["ivf"]["recall@10"]
    return out


def study(home: Path, sizes: list[int], hnsw: bool = False) -> dict:
    import faiss

    from assistant.index import dense
    from assistant.index.store import load_current

    index = load_current(home / "index")
    base = index.dense.index.reconstruct_n(0, index.dense.size)
    rng = np.random.default_rng(11)
    queries = base[rng.integers(0, len(base), 200)] + rng.normal(0, 0.05, (200, base.shape[1])).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    rows = []
    for size in sizes:
        vectors = grow(base, size, rng)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        row = {"vectors": size, "real_vectors": min(size, len(base)),
               "flat_ms_per_query": round(per_query_ms(exact, queries), 3)}
        started = time.perf_counter()
        ivf = dense.DenseIndex.build(vectors, approximate_from=0).index
        row["ivf"] = {"lists": ivf.nlist, "nprobe": ivf.nprobe, "build_seconds": round(time.perf_counter() - started, 2),
                      "ms_per_query": round(per_query_ms(ivf, queries), 3),
                      "recall@10": round(dense.recall_at_k(exact, ivf, queries, 10), 4),
                      "recall@60": round(dense.recall_at_k(exact, ivf, queries, 60), 4)}
        if hnsw:
            started = time.perf_counter()
            graph = dense.hnsw_index(vectors.shape[1])
            graph.add(vectors)
            row["hnsw"] = {"build_seconds": round(time.perf_counter() - started, 2),
                           "ms_per_query": round(per_query_ms(graph, queries), 3),
                           "recall@10": round(dense.recall_at_k(exact, graph, queries, 10), 4)}
        rows.append(row)
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return {"dim": int(base.shape[1]), "sizes": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description="exact vs HNSW at growing sizes")
    parser.add_argument("--home", type=Path, required=True, help="an ASSISTANT_HOME with a built index")
    parser.add_argument("--sizes", default="13300,50000,100000")
    parser.add_argument("--hnsw", action="store_true", help="also build and measure HNSW (slow at large sizes)")
    args = parser.parse_args()
    print(json.dumps(study(args.home, [int(s) for s in args.sizes.split(",")], args.hnsw), indent=2))


if __name__ == "__main__":
    main()
