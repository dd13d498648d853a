"""How much of a question a passage holds (retrieval/evidence.py): the window of adjacent
sentences, a list's lead-in, one-character terms as the heads of compounds."""

from assistant.index.lexical import LexicalIndex
from assistant.retrieval.evidence import best_window, coverage, weigh
from assistant.retrieval.query import Query, Word

TEXTS = ["称为大学的，须符合下列规定：\n（一）培养本科人才；\n（二）设有八个学科；\n（三）全日制在校学生计划规模在五千人以上。",
         "称为学院的，须符合下列规定：\n（一）培养本科人才；\n（二）全日制在校学生计划规模在三千人以上。",
         "每年5月15日所在周为全国家庭教育宣传周。", "学校办学条件较差。", "本市实施义务教育，不收学费、杂费。"]
LEXICAL = LexicalIndex.build(TEXTS)


def _query(lang: str, *words: str) -> Query:
    return Query(" ".join(words), lang, list(words), [1.0] * len(words), [], " ".join(words),
                 words=[Word(((w,),), 1.0) for w in words])


def test_a_lead_in_belongs_to_every_item_below_it():
    """大学 is in the lead-in, 全日制 in item (三): two sentences apart, yet one window (issue 14, l31)."""
    query = _query("zh", "大学", "全日制")
    value, sentences = best_window(weigh(query, LEXICAL), "", TEXTS[0])
    assert value == 1.0 and sentences[0].startswith("称为大学的") and "五千人" in sentences[-1]
    assert best_window(weigh(query, LEXICAL), "", TEXTS[1])[0] < 1.0  # the 学院 article: no 大学
    plain = "大学设有八个学科。学科建设很重要。教师很多。全日制学生很多。"  # no lead-in: words far apart
    assert best_window(weigh(query, LEXICAL), "", plain)[0] < 1.0


def test_an_english_nouns_one_character_term_is_found_as_the_head_of_a_word():
    """week → 周 is in 宣传周, fees → 费 in 学费 (Chinese compounds are head-final); a Chinese
    question's own one-character word is not (差 is not what 较差 is about)."""
    assert coverage(_query("en", "宣传", "周"), TEXTS[2], LEXICAL) == 1.0
    assert coverage(_query("en", "费"), TEXTS[4], LEXICAL) == 1.0
    assert coverage(_query("zh", "差"), TEXTS[3], LEXICAL) == 0.0
    assert coverage(_query("en", "周"), TEXTS[4], LEXICAL) == 0.0
