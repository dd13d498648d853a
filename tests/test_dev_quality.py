"""Quality on the shipped corpus and on the real laws, question by question: every question of
the development sets (../shared/eval: answers_dev and laws_dev in answer mode, dev in search and
ask mode) and of our own sets (tests/data) is expected to come out as measured, with the misses
of today listed by id. A question that breaks fails the test by name; one that gets fixed says so
(move it out of the list). The shared sets must be present: CI runs with ../shared beside the clone."""

import json
from pathlib import Path

import pytest

from assistant.config import SHIPPED_CORPUS, load_settings
from assistant.evaluation import evaluate, evaluate_answers, read_questions
from assistant.service import Assistant

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval"
LAWS = SHARED / "realworld" / "laws"
DATA = Path(__file__).resolve().parent / "data"
pytestmark = [pytest.mark.slow, pytest.mark.real_model, pytest.mark.shared]

#: Measured 2026-12-07 (e5, tables as records, document heads and feet of ingest/masthead.py, the learned
#: answer model of answer/learned.py with each unit's dense similarity to the question and what the likeliest
#: unit holds of the question's names and years). answers_dev: 36 of 40 answerable correct, 3 of 5 absent
#: refused (2026-12-02, rules: 38 and 4; a03 and a06 are said not found, a14 and a29 quote the wrong line,
#: a41 and a42 are absent and answered).
ANSWERS_DEV_WRONG = {"a03", "a06", "a14", "a29", "a41", "a42"}
#: laws_dev: 35 of 36 answerable correct (English 12 of 13), 1 of 4 absent refused (l37 answered); checked in
#: test_dev_quality_laws.py (a file of its own, so that its index, the 42 laws embedded with e5, is built
#: by one test process while the other runs this file).
LAWS_DEV_WRONG = {"l30", "l37", "l39", "l40"}
#: dev.jsonl: every answer passage in the top 5; these not first (d21 first since the things-with-figures evidence).
DEV_NOT_FIRST: dict[str, set[str]] = {"search": set(), "ask": set()}
#: Our own sets in ask mode: every answer passage in the top 5 but these; these not first.
OWN_NOT_FIRST = {"heldout": {"h20"}, "helper_set": {"u09", "u11", "u25", "u30"}, "helper_set2": {"v03", "v10", "v11", "v23"},
                 "paraphrase": {"p02"}, "english": {"e05"}}
OWN_MISSED = {"english": {"e05"}}
#: tests/data/absent.jsonl: questions the corpus does not answer; these are (wrongly) answered. a04
#: ("学校游泳池有多大?") since the models were retrained on the labelled set with PDF paragraphs joined
#: (2026-12-08: labelled dev 0.764 → 0.780, absent refused there 0.421 → 0.447).
ABSENT_ANSWERED = {"a03", "a04", "a08", "a12", "a13", "a14", "a15"}


def _assistant(tmp_path_factory, corpus: Path) -> Assistant:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSISTANT_HOME", str(tmp_path_factory.mktemp("home")))
    mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    mp.delenv("ASSISTANT_RERANK_MODEL", raising=False)
    assistant = Assistant.open(load_settings(corpus_dir=corpus), warn=lambda m: None)
    mp.undo()
    return assistant


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return _assistant(tmp_path_factory, SHIPPED_CORPUS)


def _compare(wrong: set[str], expected: set[str], what: str) -> None:
    broken, fixed = sorted(wrong - expected), sorted(expected - wrong)
    assert not broken and not fixed, f"{what}: newly wrong {broken}; newly right {fixed} (update the list)"


def test_the_shared_sets_are_here():
    for path in (EVAL / "answers_dev.jsonl", EVAL / "laws_dev.jsonl", EVAL / "dev.jsonl", LAWS):
        assert path.exists(), f"{path} is missing: the quality tests need ../shared beside the checkout"


def test_answers_dev_question_by_question(shipped):
    report = evaluate_answers(read_questions(EVAL / "answers_dev.jsonl"), lambda q, k: shipped.ask(q, k).to_dict())
    _compare({q["id"] for q in report["questions"] if not q["correct"]}, ANSWERS_DEV_WRONG, "answers_dev")


@pytest.mark.parametrize("mode", ["search", "ask"])
def test_dev_set_retrieval_question_by_question(shipped, mode):
    retrieve = (lambda q, k: shipped.search(q, k)["results"]) if mode == "search" else \
        (lambda q, k: shipped.ask(q, k).citations())
    report = evaluate(read_questions(EVAL / "dev.jsonl"), retrieve, 5)
    assert all(q["rank"] for q in report["questions"]), [q["id"] for q in report["questions"] if not q["rank"]]
    _compare({q["id"] for q in report["questions"] if q["rank"] != 1}, DEV_NOT_FIRST[mode], f"dev {mode}")


@pytest.mark.parametrize("name", sorted(OWN_NOT_FIRST))
def test_own_sets_question_by_question(shipped, name):
    report = evaluate(read_questions(DATA / f"{name}.jsonl"), lambda q, k: shipped.ask(q, k).citations(), 5)
    _compare({q["id"] for q in report["questions"] if not q["rank"]}, OWN_MISSED.get(name, set()), f"{name} top 5")
    _compare({q["id"] for q in report["questions"] if q["rank"] != 1}, OWN_NOT_FIRST[name], f"{name} first")


def test_absent_questions_are_refused(shipped):
    absent = [json.loads(line) for line in (DATA / "absent.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    _compare({q["id"] for q in absent if shipped.ask(q["q"]).found}, ABSENT_ANSWERED, "absent.jsonl")


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


def test_figure_question_is_answered_from_the_passage_that_states_the_figure(shipped):
    area = shipped.ask("第四十六中学校园面积有多大?")
    assert area.found and "41.5亩" in area.text and "41.5亩" in area.citations()[0]["text"]
    pay = shipped.ask("教师的平均工资是多少?")  # the corpus names 绩效工资 but states no average pay
    assert not pay.found


def test_who_where_and_when_questions(shipped):
    leader = shipped.ask("Who leads the A4 group?")
    assert leader.found and "组长:张 婷" in leader.text, "the leader's line, not the group heading alone"
    assert "张 婷" in shipped.ask("A4组组长是谁?").text
    where = shipped.ask("曹集学校在哪里?")  # 哪里 → 位于
    assert where.found and "位于流坡坞镇" in where.text
    assert "1999年" in shipped.ask("昭阳街道中心小学什么时候建校的?").text
    assert not shipped.ask("学校食堂什么时候开放?").found, "a when-question needs a date in the passage"


def test_follow_ups_stay_with_the_school_asked_about(shipped):
    first = shipped.ask("德新镇初级中学现有学生多少人?")
    staff = shipped.ask("教职工呢?", history=[shipped.turn(first)])
    assert staff.resolved_question == "德新镇初级中学现有教职工多少人?" and "教职工54人" in staff.text
    caoji = shipped.ask("曹集学校的师生比是多少?")
    problems = shipped.ask("存在哪些问题?", history=[shipped.turn(caoji)])
    assert problems.citations()[0]["section"] == "二、存在问题" and "建筑档案不规范" in problems.text


def test_readme_example_gives_both_ratios_as_the_source_means_them(shipped):
    """The source breaks "师生比小学1:19.9" / "6、初中1:13.1" over two lines; the answer holds both."""
    answer = shipped.ask("曹集学校的师生比是多少?")
    assert answer.found and "师生比小学1:19.9" in answer.text and "初中1:13.1" in answer.text
