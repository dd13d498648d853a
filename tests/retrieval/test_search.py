import pytest

from assistant.errors import QuestionError
from assistant.building import build_index
from assistant.retrieval.fusion import ranks_of, reciprocal_rank_fusion
from assistant.language.numerals import int_to_cn
from assistant.retrieval.query import analyse, english_terms, language_of
from assistant.retrieval.search import Searcher

import numpy as np


@pytest.fixture
def searcher(settings, fake_embedder):
    # small chunks, so the tiny plan is cut into its sections
    data, _ = build_index(settings.with_(chunk_chars=120), warn=lambda m: None, embedder=fake_embedder)
    return Searcher(data, fake_embedder)


def sections(hits):
    return [h.chunk.section_path[-1] if h.chunk.section_path else "" for h in hits]


def test_chinese_question_ranks_the_group_first(searcher):
    hits = searcher.search("A2保障机制组要准备哪些材料?", top_k=3)
    assert hits[0].chunk.doc_id == "plan-txt-01"
    assert "2.A2保障机制组" in hits[0].chunk.section
    assert "工资花名册" in hits[0].chunk.text
    assert [h.rank for h in hits] == [1, 2, 3]


def test_english_question_reaches_chinese_passage(searcher):
    hits = searcher.search("What must the A2 guarantee mechanism group file?", top_k=3)
    assert "2.A2保障机制组" in hits[0].chunk.section


def test_pinyin_names_and_figures(searcher):
    hits = searcher.search("乡村学校有多少学生和教职工?", top_k=2)
    assert hits[0].chunk.doc_id == "summary-txt-01" and "320人" in hits[0].chunk.text


def test_hit_json_has_the_design_fields(searcher):
    item = searcher.search("宣传报道组的职责", top_k=1)[0].to_dict()
    assert set(item) == {"rank", "chunk_id", "doc_id", "title", "source", "collection", "section", "article", "start_line", "end_line", "page_end",
                         "page", "page_end", "text", "score"}
    assert item["source"] == "plan.txt" and item["page"] is None
    assert item["start_line"] <= item["end_line"]


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001])
def test_bad_questions_raise_question_error(searcher, bad):
    with pytest.raises(QuestionError):
        searcher.search(bad)


def test_language_and_english_mapping():
    assert language_of("What is the A2 group?") == "en"
    assert language_of("A2保障机制组") == "zh"
    assert int_to_cn(46) == "四十六" and int_to_cn(10) == "十" and int_to_cn(14) == "十四"
    terms = [t for t, _ in english_terms("Which materials does the 46th middle school's A4 group file?")]
    assert terms[0] == "A4" and "第四十六" in terms and "中学" in terms and "材料" in terms and "组" in terms
    names = {"caoji": ["曹集"]}
    assert "曹集" in [t for t, _ in english_terms("What is the ratio at Caoji school?", names)]
    query = analyse("How many teaching points does the town have?")
    assert "教学点" in query.dense_text and "镇" in query.dense_text


def test_rrf_formula():
    fused = reciprocal_rank_fusion([{0: 1, 1: 2}, {1: 1}], k=60)
    assert fused[0] == pytest.approx(1 / 61) and fused[1] == pytest.approx(1 / 62 + 1 / 61)
    assert ranks_of(np.array([0.0, 2.0, 1.0]), depth=5, floor=0.0) == {1: 1, 2: 2}


def test_ranks_of_selects_like_a_full_sort():
    rng = np.random.default_rng(0)
    for size, depth in [(1, 5), (50, 60), (500, 60), (2000, 10)]:
        scores = rng.integers(0, 8, size).astype(np.float32)  # many ties
        full = np.lexsort((np.arange(size), -scores))[:depth]
        expected = {int(p): r for r, p in enumerate(full, start=1) if scores[p] > 0}
        assert ranks_of(scores, depth, floor=0.0) == expected


def test_chunk_tokens_come_from_the_bm25_index(searcher):
    from assistant.chunking import index_text
    from assistant.language.tokenization import tokenize

    index = searcher.index
    for position, chunk in enumerate(index.chunks):
        title = index.doc_by_id[chunk.doc_id]["title"]
        assert searcher.tokens_of(position) == set(tokenize(index_text(chunk, title)))


def test_question_words_bring_their_synonyms():
    query = analyse("留守学生的档案怎么建立?")
    alternatives = [max(a, key=len) for word in query.words for a in word.alternatives]
    assert "留守学生" in alternatives and "留守儿童" in alternatives
    assert "留守儿童" in query.tokens and query.words[0].alternatives[0][-1] == "留守学生"  # as asked, first
    assert all(len(w.alternatives) == 1 for w in analyse("建立档案").words)  # no group, no alternatives


def test_synonym_finds_the_documents_wording(searcher):
    hits = searcher.search("老师轮岗要准备什么统计表?", top_k=3)
    assert "A3教师队伍组" in hits[0].chunk.section and "教师交流统计表" in hits[0].chunk.text


def test_numbered_school_names():
    assert ("第四十六", 1.5) in english_terms("How many teachers does No. 46 Middle School have?")
    words = analyse("What does Juwan No. 2 Middle School do?").words
    assert any({("第二",), ("二中",)} <= set(w.alternatives) for w in words), "第二 or its short form 二中"
    assert not any(term.startswith("第") for term, _ in english_terms("2 middle schools"))


class PrefixedEmbedder:
    """The fake embedder with e5's convention: passages and queries carry different prefixes.
    Records what went through each entry point."""

    def __init__(self, inner):
        self.inner, self.name, self.dim = inner, "prefixed-fake", inner.dim
        self.passages, self.queries = [], []

    def encode(self, texts, progress=None):
        self.passages.extend(texts)
        return self.inner.encode(["passage: " + t for t in texts], progress)

    def encode_queries(self, texts):
        self.queries.extend(texts)
        return self.inner.encode(["query: " + t for t in texts])


def test_chunks_are_embedded_as_passages_and_questions_as_queries(settings, fake_embedder):
    embedder = PrefixedEmbedder(fake_embedder)
    data, _ = build_index(settings, warn=lambda m: None, embedder=embedder)
    assert len(embedder.passages) == len(data.chunks) and not embedder.queries
    hits = Searcher(data, embedder).search("A2保障机制组要准备哪些材料?", top_k=3)
    assert len(embedder.passages) == len(data.chunks), "a question is never encoded as a passage"
    assert len(embedder.queries) == 1 and "A2保障机制组" in embedder.queries[0]
    assert hits[0].evidence.dense_rank is not None


def test_a_sections_opening_chunk_goes_before_its_continuation_when_they_score_alike():
    from types import SimpleNamespace

    from assistant.documents import Chunk
    from assistant.retrieval.ranking import Candidate, Evidence, _openers_first

    def chunk(n, section, text):
        return Chunk(f"c{n}", "d", section, ["一、工作分工", "5.A4质量与管理组"], text, n, n)

    chunks = [chunk(0, "s5", "B18:C29-30 1.上级下发有关文件"), chunk(1, "s5", "5.A4质量与管理组 组长:张婷"),
              chunk(2, "s6", "B20 其他资料")]
    index = SimpleNamespace(chunks=chunks)
    order = [Candidate(0, 0.139, Evidence()), Candidate(1, 0.138, Evidence()), Candidate(2, 0.1, Evidence())]
    _openers_first(order, index, margin=0.004)
    assert [c.position for c in order] == [1, 0, 2] and order[0].evidence.opens
    far = [Candidate(0, 0.2, Evidence()), Candidate(1, 0.138, Evidence())]
    _openers_first(far, index, margin=0.004)
    assert [c.position for c in far] == [0, 1], "a clearly better continuation stays first"


def test_similarities_rank_the_closer_sentence_first_and_reuse_their_vectors(searcher, monkeypatch):
    import assistant.retrieval.search as search

    texts = ["工资花名册和教师花名册由保障机制组准备。", "学校操场面积为八千平方米。"]
    sims = searcher.similarities("保障机制组准备什么花名册", texts)
    assert sims.shape == (2,) and sims[0] > sims[1]
    calls = []
    encode = searcher.embedder.encode
    monkeypatch.setattr(searcher.embedder, "encode", lambda batch, progress=None: calls.append(batch) or encode(batch))
    again = searcher.similarities("保障机制组准备什么花名册", texts)
    assert calls == [] and np.allclose(again, sims)  # kept, not encoded again
    monkeypatch.setattr(search, "UNIT_VECTORS", 3)
    searcher.similarities("别的问题", ["第三句。", "第四句。"])
    assert len(searcher._vectors) <= 3  # bounded: the least recently used go


def test_similarities_without_a_dense_model_are_none(searcher):
    assert Searcher(searcher.index, None).similarities("问题", ["一句。"]) is None


def test_the_ranking_s_question_vector_is_not_encoded_again_for_the_similarities(searcher, monkeypatch):
    question = searcher.understand("保障机制组准备什么材料")
    searcher.rank(question)
    calls = []
    queries = searcher.embedder.encode_queries
    monkeypatch.setattr(searcher.embedder, "encode_queries", lambda batch: calls.append(batch) or queries(batch))
    sims = searcher.similarities(question.query.dense_text, ["保障机制组准备工资花名册。"])
    assert calls == [] and sims.shape == (1,)
    expected = queries([question.query.dense_text])[0]
    vector = searcher._vectors["p:保障机制组准备工资花名册。"]
    assert np.isclose(sims[0], vector @ (expected / np.linalg.norm(expected)), atol=1e-5)
