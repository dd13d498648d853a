"""The FAISS store: exact and IVF indexes, top-k search order, recall measurement."""

import numpy as np

from assistant.index.dense import DenseIndex, hnsw_index, ivf_index, ivf_lists, ivf_probes, recall_at_k


def unit_rows(count, dim=32, seed=0, clusters=None):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dim)).astype(np.float32)
    if clusters:  # points around a few centres, like topics in a corpus
        centres = np.random.default_rng(99).normal(size=(clusters, dim)).astype(np.float32) * 3
        vectors += centres[rng.integers(0, clusters, count)]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_below_threshold_ivf_from_it(tmp_path):
    vectors = unit_rows(300)
    assert DenseIndex.build(vectors, approximate_from=301).kind == "flat"
    approximate = DenseIndex.build(vectors, approximate_from=300)
    assert approximate.kind == "ivf" and approximate.size == 300
    approximate.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert loaded.kind == "ivf" and loaded.index.nprobe == approximate.index.nprobe


def test_ivf_lists_grow_with_the_square_root():
    assert ivf_lists(10) == 1 and ivf_lists(13_300) == 115 and ivf_lists(1_000_000) == 1000
    assert ivf_probes(3) == 3 and ivf_probes(40) == 8 and ivf_probes(115) == 15 and ivf_probes(1000) == 125


def test_search_returns_best_first_ties_by_position():
    vectors = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    ids, sims = DenseIndex.build(vectors).search(np.array([1, 0], dtype=np.float32), 3)
    assert ids.tolist() == [0, 2, 3] and np.allclose(sims, [1, 1, 0.6])
    assert DenseIndex.build(vectors).search(np.array([1, 0], dtype=np.float32), 10)[0].tolist() == [0, 2, 3, 1]


def test_ivf_recall_against_exact_search():
    vectors, queries = unit_rows(4000, seed=1, clusters=40), unit_rows(100, seed=2, clusters=40)
    exact = DenseIndex.build(vectors)
    assert recall_at_k(exact.index, exact.index, queries, 10) == 1.0
    every_list = ivf_index(vectors, probe_share=1.0)
    every_list.add(vectors)
    assert recall_at_k(exact.index, every_list, queries, 10) == 1.0
    approximate = DenseIndex.build(vectors, approximate_from=1)
    assert recall_at_k(exact.index, approximate.index, queries, 10) >= 0.95


def test_recall_with_ties_counts_identical_vectors():
    vectors = np.repeat(unit_rows(50, seed=3), 4, axis=0)  # every vector four times
    exact = DenseIndex.build(vectors).index
    graph = hnsw_index(vectors.shape[1])
    graph.add(vectors)
    queries = unit_rows(20, seed=4)
    assert recall_at_k(exact, graph, queries, 8, ties=True) >= recall_at_k(exact, graph, queries, 8)
    assert recall_at_k(exact, exact, queries, 8, ties=True) == 1.0
