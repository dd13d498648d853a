"""The thing a figure question asks about (retrieval/focus.py), and questions that ask for the
figures of two or more things at once."""

import pytest

from assistant.retrieval.focus import focus_evidence, things_en, things_zh
from assistant.retrieval.intent import intent_of
from assistant.retrieval.query import chinese_word


def test_questions_that_join_things_name_each():
    assert things_zh("镇上有多少所小学和教学点？") == ["小学", "教学点"]  # jieba tags 所 a conjunction here
    assert things_zh("全县有几所初中、小学和教学点") == ["初中", "小学", "教学点"]
    assert things_zh("有多少留守儿童和随迁子女参加了活动") == ["留守儿童", "随迁子女"]
    assert things_zh("曹集学校有多少学生？") == []  # one thing
    assert things_zh("小学和初中分别有多少学生") == []  # parts of a question, not things counted
    assert things_en("schools and teaching points") == ["schools", "teaching points"]
    assert things_en("left-behind children") == [] and things_en(None) == []


def test_a_passage_that_gives_each_thing_its_own_figure_answers_better():
    """dev d21: "全镇14所学校(含教学点)" counts the schools only; "学校14所…教学点3所" both."""
    intent = intent_of("镇上有多少所学校和教学点?")
    things = [chinese_word(w) for w in ("学校", "教学点")]
    focus = things[:1]
    both = "镇有义务教育学校14所,其中村小6个,中心小学2所,初中2所,九年一贯制学校1所,教学点3所。"
    one = "据不完全统计,全镇14所学校(含教学点)的校园文化建设投入在40多万元。"
    assert focus_evidence(focus, intent, both, things=things) == (1.0, 1.0)
    assert focus_evidence(focus, intent, one, things=things) == (1.0, 0.5)
    assert focus_evidence(focus, intent, one) == (1.0, 1.0)  # as one thing, both passages state it
    # a thing the passage does not name is no evidence either way (教职工 for 老师)
    teachers = [chinese_word(w) for w in ("学生", "老师")]
    assert focus_evidence(teachers[:1], intent_of("有多少学生、多少老师?"), "现有学生人数650人,教职工54人",
                          things=teachers) == (1.0, 1.0)


def test_a_question_for_what_a_term_means_wants_a_definition():
    """Laws define their terms ("本法所称严重不良行为，是指…"): a question for what a term means or what
    counts as it ranks the defining article first (calibration_laws cl052, cl065)."""
    from assistant.retrieval.facts import states
    from assistant.retrieval.ranking import kind_evidence

    for question in ("孩子抽烟喝酒算不良行为吗?", "什么是学前教育?", "Which children count as preschool children?",
                     "Which article defines serious misbehaviour?", "What is meant by left-behind children?"):
        assert "definition" in intent_of(question).kinds, question
    for question in ("今年的预算是多少?", "学校的经费怎么计算?", "结算完了吗?", "打算什么时候开始?"):
        assert "definition" not in intent_of(question).kinds, question
    defining = "本法所称严重不良行为，是指未成年人实施的有刑法规定、因不满法定刑事责任年龄不予刑事处罚的行为。"
    assert states("definition", defining) and not states("definition", "学校应当加强对学生的教育。")
    intent = intent_of("Which article defines serious misbehaviour?")
    assert kind_evidence(intent, [defining]) == 1.0 and kind_evidence(intent, ["学校应当加强教育。"]) == 0.0


@pytest.mark.parametrize("question, things", [
    ("How many students, classes and staff does No. 46 Middle School have?", ["students", "classes", "staff"]),
    ("How many teachers, classrooms, and libraries are there in Caoji?", ["teachers", "classrooms", "libraries"]),
    ("How many schools and teaching points does the county have?", ["schools", "teaching points"]),
    ("How many students, and what is the ratio?", []),  # a second question, not a list
    ("How many students are there?", []),
])
def test_an_english_list_of_things_is_read_whole(question, things):
    from assistant.retrieval.focus import focus_en

    assert things_en(focus_en(question)) == things
