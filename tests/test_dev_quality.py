"""Quality on the shipped corpus: the development question set (../shared/eval), our own
held-out questions (tests/data/heldout.jsonl, never used for tuning) and the card's example."""

import json
from pathlib import Path

import pytest

from assistant.config import SHIPPED_CORPUS, load_settings
from assistant.evaluation import evaluate, read_questions
from assistant.service import Assistant

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.jsonl"
HELDOUT = Path(__file__).resolve().parent / "data" / "heldout.jsonl"
pytestmark = [pytest.mark.slow, pytest.mark.real_model]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSISTANT_HOME", str(tmp_path_factory.mktemp("home")))
    mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    mp.delenv("ASSISTANT_RERANK_MODEL", raising=False)
    assistant = Assistant.open(load_settings(corpus_dir=SHIPPED_CORPUS), warn=lambda m: None)
    yield assistant
    mp.undo()


@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.jsonl not present")
def test_dev_set_search_and_ask_quality(shipped):
    questions = read_questions(DEV)
    search = evaluate(questions, lambda q, k: shipped.search(q, k)["results"], 5)
    assert search["hit@k"] >= 0.95 and search["mrr"] >= 0.85, search
    ask = evaluate(questions, lambda q, k: shipped.ask(q, k).citations(), 5)
    assert ask["hit@k"] >= 0.95 and ask["mrr"] >= 0.85 and ask["completeness"] >= 0.85, ask
    assert ask["by_lang"]["en"]["hit@k"] >= 0.8, ask["by_lang"]


def test_heldout_questions(shipped):
    report = evaluate(read_questions(HELDOUT), lambda q, k: shipped.ask(q, k).citations(), 5)
    assert report["hit@k"] >= 0.9 and report["mrr"] >= 0.8, report


def test_card_example_a2_group_materials(shipped):
    answer = shipped.ask("What must the A2 guarantee-mechanism group file?").to_dict()
    text = answer["answer"]
    assert answer["found"] and answer["citations"][0]["section"].endswith("3.A2保障机制组")
    expected = ["目标责任制度和问责制度", "财务管理制度", "财务公开", "教职工工资花名册", "学生公用经费统计表",
                "标准化建设的文件", "校舍档案", "固定资产", "实验室资料装订目录", "图书室装订目录", "信息技术教室装订目录"]
    positions = [text.index(item) for item in expected]
    assert positions == sorted(positions), "the list comes in the document's order"
    for a3_item in ("绩效工资", "教师交流", "A3教师队伍组"):
        assert a3_item not in text


def test_absent_topic_is_answered_as_not_found(shipped):
    answer = shipped.ask("学校食堂的菜价是多少?")
    assert not answer.found and "没有找到" in answer.text


ABSENT = Path(__file__).resolve().parent / "data" / "absent.jsonl"
PARAPHRASE = Path(__file__).resolve().parent / "data" / "paraphrase.jsonl"
ENGLISH = Path(__file__).resolve().parent / "data" / "english.jsonl"


def test_answerability_absent_versus_answerable(shipped):
    """Questions the corpus does not answer (tests/data/absent.jsonl) come back as not found; the
    answerable ones (held-out, and the dev set when present) come back as found."""
    absent = [json.loads(line) for line in ABSENT.read_text(encoding="utf-8").splitlines() if line.strip()]
    wrongly_found = [q["q"] for q in absent if shipped.ask(q["q"]).found]
    assert len(wrongly_found) <= len(absent) * 0.15, wrongly_found
    answerable = read_questions(HELDOUT) + (read_questions(DEV) if DEV.exists() else [])
    wrongly_missing = [q["q"] for q in answerable if not shipped.ask(q["q"]).found]
    assert not wrongly_missing, wrongly_missing


def test_figure_question_is_answered_from_the_passage_that_states_the_figure(shipped):
    area = shipped.ask("第四十六中学校园面积有多大?")
    assert area.found and "41.5亩" in area.text and "41.5亩" in area.citations()[0]["text"]
    pay = shipped.ask("教师的平均工资是多少?")  # the corpus names 绩效工资 but states no average pay
    assert not pay.found


def test_paraphrased_questions_use_the_synonym_groups(shipped):
    """tests/data/paraphrase.jsonl asks in a user's words (老师, 轮岗, 农民工子女, 贫困生, 微机室) what the
    documents write otherwise; before the synonym groups: hit@5 0.714, MRR 0.619."""
    report = evaluate(read_questions(PARAPHRASE), lambda q, k: shipped.ask(q, k).citations(), 5)
    assert report["hit@k"] >= 0.85 and report["mrr"] >= 0.8, report


def test_english_questions_in_a_users_words(shipped):
    """tests/data/english.jsonl: English questions whose words the glossary must carry (improve,
    conditions, remain, achievements, share resources, trained); before those entries and the
    chunker's sibling-section fix: hit@1 0.333, MRR 0.561."""
    report = evaluate(read_questions(ENGLISH), lambda q, k: shipped.ask(q, k).citations(), 5)
    assert report["hit@k"] >= 0.8 and report["mrr"] >= 0.75, report


def test_who_where_and_when_questions(shipped):
    leader = shipped.ask("Who leads the A4 group?")
    assert leader.found and "组长:张 婷" in leader.text, "the leader's line, not the group heading alone"
    assert "张 婷" in shipped.ask("A4组组长是谁?").text
    where = shipped.ask("曹集学校在哪里?")  # 哪里 → 位于
    assert where.found and "位于流坡坞镇" in where.text
    assert "1999年" in shipped.ask("昭阳街道中心小学什么时候建校的?").text
    assert not shipped.ask("学校食堂什么时候开放?").found, "a when-question needs a date in the passage"


HELPER_SET = Path(__file__).resolve().parent / "data" / "helper_set.jsonl"


def test_questions_written_by_someone_who_never_saw_the_system(shipped):
    """tests/data/helper_set.jsonl: 30 questions (20 zh, 10 en) written from the corpus by a helper
    that never ran the assistant. First measurement (ask): hit@1 0.667, hit@5 0.867, MRR 0.761 (English
    0.600); it then guided the glossary additions and the coverage-first passage order."""
    report = evaluate(read_questions(HELPER_SET), lambda q, k: shipped.ask(q, k).citations(), 5)
    assert report["hit@k"] >= 0.9 and report["mrr"] >= 0.9, report
    assert report["by_lang"]["en"]["hit@k"] >= 0.8, report["by_lang"]
    search = evaluate(read_questions(HELPER_SET), lambda q, k: shipped.search(q, k)["results"], 5)
    assert search["hit@k"] >= 0.9 and search["mrr"] >= 0.9, search  # 0.844 before coverage-first order


HELPER_SET2 = Path(__file__).resolve().parent / "data" / "helper_set2.jsonl"


def test_second_helper_set_never_used_for_tuning(shipped):
    """tests/data/helper_set2.jsonl: 30 questions (12 English) by a second helper, measured once after
    the changes and not used to tune anything: search and ask hit@1 0.833, hit@5 1.000, MRR 0.911 (the
    code of the session before: search 0.600/0.800/0.690, ask 0.667/0.867/0.761)."""
    questions = read_questions(HELPER_SET2)
    search = evaluate(questions, lambda q, k: shipped.search(q, k)["results"], 5)
    ask = evaluate(questions, lambda q, k: shipped.ask(q, k).citations(), 5)
    for report in (search, ask):
        assert report["hit@k"] >= 0.9 and report["mrr"] >= 0.85, report


def test_follow_ups_stay_with_the_school_asked_about(shipped):
    first = shipped.ask("德新镇初级中学现有学生多少人?")
    staff = shipped.ask("教职工呢?", history=[shipped.turn(first)])
    assert staff.resolved_question == "德新镇初级中学现有教职工多少人?" and "教职工54人" in staff.text
    caoji = shipped.ask("曹集学校的师生比是多少?")
    problems = shipped.ask("存在哪些问题?", history=[shipped.turn(caoji)])
    assert problems.citations()[0]["section"] == "二、存在问题" and "建筑档案不规范" in problems.text
