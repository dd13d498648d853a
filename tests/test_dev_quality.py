"""Retrieval quality of the shipped corpus on the development question set (../shared/eval)."""

from pathlib import Path

import pytest

from assistant.config import SHIPPED_CORPUS, load_settings
from assistant.evaluation import evaluate, read_questions
from assistant.service import Assistant

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev.jsonl"
pytestmark = [pytest.mark.slow, pytest.mark.real_model]


@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.jsonl not present")
def test_dev_set_search_quality(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    settings = load_settings(corpus_dir=SHIPPED_CORPUS)
    assistant = Assistant.open(settings, warn=lambda m: None)
    report = evaluate(read_questions(DEV), lambda q, k: assistant.search(q, k)["results"], 5)
    assert report["hit@k"] >= 0.95, report
    assert report["mrr"] >= 0.85, report
    assert report["by_lang"]["en"]["hit@k"] >= 0.66, report["by_lang"]
