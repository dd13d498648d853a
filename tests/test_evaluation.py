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
