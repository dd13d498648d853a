"""The FAISS store: exact and HNSW indexes, top-k search order, recall measurement."""

import numpy as np

from assistant.index.dense import DenseIndex, recall_at_k


def unit_rows(count, dim=32, seed=0):
    vectors = np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_below_threshold_hnsw_from_it(tmp_path):
    vectors = unit_rows(300)
    assert DenseIndex.build(vectors, approximate_from=301).kind == "flat"
    approximate = DenseIndex.build(vectors, approximate_from=300)
    assert approximate.kind == "hnsw"
    approximate.save(tmp_path)
    assert DenseIndex.load(tmp_path).kind == "hnsw"


def test_search_returns_best_first_ties_by_position():
    vectors = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    ids, sims = DenseIndex.build(vectors).search(np.array([1, 0], dtype=np.float32), 3)
    assert ids.tolist() == [0, 2, 3] and np.allclose(sims, [1, 1, 0.6])
    assert DenseIndex.build(vectors).search(np.array([1, 0], dtype=np.float32), 10)[0].tolist() == [0, 2, 3, 1]


def test_hnsw_recall_against_exact_search():
    vectors, queries = unit_rows(2000, seed=1), unit_rows(50, seed=2)
    exact = DenseIndex.build(vectors)
    approximate = DenseIndex.build(vectors, approximate_from=1)
    assert recall_at_k(exact.index, exact.index, queries, 10) == 1.0
    assert recall_at_k(exact.index, approximate.index, queries, 10) >= 0.95
