import json

import pytest

from assistant.errors import AssistantError
from assistant.evaluation import evaluate, read_questions


def test_metrics_on_known_rankings():
    questions = [
        {"id": "a", "lang": "zh", "q": "qa", "keys": ["甲 乙"], "also": ["丙", "丁"]},
        {"id": "b", "lang": "en", "q": "qb", "keys": ["戊"], "also": []},
        {"id": "c", "lang": "zh", "q": "qc", "keys": ["无"], "also": ["己"]},
    ]
    passages = {"qa": ["甲乙 丙", "x"], "qb": ["x", "y", "戊"], "qc": ["己", "x"]}
    report = evaluate(questions, lambda q, k: [{"text": t} for t in passages[q]], k=5)
    assert report["hit@1"] == pytest.approx(1 / 3, abs=1e-3)
    assert report["hit@k"] == pytest.approx(2 / 3, abs=1e-3)
    assert report["mrr"] == pytest.approx((1 + 1 / 3) / 3, abs=1e-3)
    assert report["completeness"] == pytest.approx((0.5 + 1.0) / 2)
    assert report["by_lang"]["en"]["mrr"] == pytest.approx(1 / 3, abs=1e-3)
    assert [q["rank"] for q in report["questions"]] == [1, 3, None]


def test_bad_question_file_is_named(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"q": "ok", "keys": ["x"]}\n{broken\n', encoding="utf-8")
    with pytest.raises(AssistantError, match=r"q\.jsonl:2: not valid JSON"):
        read_questions(path)
    path.write_text(json.dumps({"question": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="needs a string 'q'"):
        read_questions(path)


def test_answer_mode_judges_the_answer_text_not_the_citations():
    from assistant.evaluation import evaluate_answers

    questions = [
        {"id": "right", "lang": "zh", "q": "r", "keys": ["师生比1:19.9"], "answer": ["1:19.9"], "also": ["1:13.1"]},
        {"id": "refused", "lang": "zh", "q": "f", "keys": ["650人"], "answer": ["650 人"], "also": []},
        {"id": "cited-only", "lang": "en", "q": "c", "keys": ["54人"], "answer": ["54人"], "also": []},
        {"id": "absent-ok", "lang": "en", "q": "a", "keys": [], "answer": [], "absent": True},
        {"id": "absent-bad", "lang": "zh", "q": "b", "keys": [], "answer": [], "absent": True},
    ]
    answers = {
        "r": {"answer": "师生比 1:19.9,初中1:13.1", "found": True, "citations": [{"text": "师生比1:19.9"}]},
        "f": {"answer": "资料中没有找到", "found": False, "citations": [{"text": "x"}, {"text": "学生650人"}]},
        "c": {"answer": "According to [1]", "found": True, "citations": [{"text": "教职工54人"}]},
        "a": {"answer": "The documents do not answer this question.", "found": False, "citations": []},
        "b": {"answer": "有12人", "found": True, "citations": [{"text": "有12人"}]},
    }
    report = evaluate_answers(questions, lambda q, k: answers[q], k=5)
    rows = {r["id"]: r for r in report["questions"]}
    assert [rows[i]["correct"] for i in ("right", "refused", "cited-only", "absent-ok", "absent-bad")] == \
        [True, False, False, True, False]
    assert rows["right"]["complete"] and rows["refused"]["false_not_found"] and rows["absent-bad"]["false_answer"]
    assert rows["cited-only"]["missing"] == ["54人"]
    assert report["correct"] == pytest.approx(1 / 3, abs=1e-3)
    assert report["false_not_found"] == pytest.approx(1 / 3, abs=1e-3)
    assert report["absent_refused"] == 0.5
    assert report["hit@1"] == pytest.approx(2 / 3, abs=1e-3) and rows["refused"]["rank"] == 2
    assert report["by_lang"]["en"]["correct"] == 0.0 and report["by_lang"]["en"]["absent_refused"] == 1.0


def test_answer_mode_needs_answer_fields():
    from assistant.evaluation import evaluate_answers

    with pytest.raises(AssistantError, match="--mode answer needs"):
        evaluate_answers([{"id": "x", "q": "q", "keys": ["k"], "also": []}], lambda q, k: {}, 5)
