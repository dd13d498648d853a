"""The path from a question to its answer does each thing once (issue 23): the question is understood
once (its words analysed, its IDF weights computed, the law it names looked up) and ranked once, for a
plain question, a follow-up whose history is plain text, a summary question and a question about
two places. Counted by wrapping the functions wherever a module holds them."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from assistant.building import build_index
from assistant.retrieval import evidence, query, question as question_module, ranking
from assistant.service import Assistant
from tinycorpus import write_tiny

SCHOOLS = {
    "青山小学总结.txt": "青山小学工作总结\n一、基本情况\n青山小学有学生412人,教师31人。\n二、关爱留守儿童的做法\n"
                     "建立留守儿童档案,每周家访一次。\n",
    "白水中学总结.txt": "白水中学工作总结\n一、基本情况\n白水中学有学生958人,教师76人。\n二、关爱留守儿童的做法\n"
                     "开设心理辅导室,结对帮扶。\n",
}


@pytest.fixture
def assistant(tmp_path, monkeypatch, fake_embedder):
    corpus = write_tiny(tmp_path / "corpus")
    for name, text in SCHOOLS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_CORPUS", str(corpus))
    from assistant.config import load_settings

    settings = load_settings().with_(chunk_chars=120)
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(settings, data, warn=lambda m: None)


def count(monkeypatch, owner, name: str, calls: Counter, key: str, keep=lambda *a, **k: True) -> None:
    """Count the calls of `owner.name` (a function or method) made through any module that holds it."""
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        if keep(*args, **kwargs):
            calls[key] += 1
        return original(*args, **kwargs)

    for module in list(sys.modules.values()):
        if module is not None and getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, counted)
    if isinstance(owner, type):
        monkeypatch.setattr(owner, name, counted)


@pytest.fixture
def calls(monkeypatch, assistant):
    counts: Counter = Counter()
    asked: list[str] = []
    count(monkeypatch, question_module.Reader, "understand", counts, "understand")
    # the question's own words are analysed once (its parts are other texts: each once too)
    count(monkeypatch, query, "analyse", counts, "analyse", lambda text, *a, **k: text in asked)
    count(monkeypatch, evidence, "weigh", counts, "weights", lambda q, *a, **k: q.text in asked)
    count(monkeypatch, question_module.Reader, "named_law", counts, "law")
    count(monkeypatch, ranking, "rank", counts, "rank")
    counts.asked = asked
    return counts


QUESTIONS = {
    "plain": ("A2保障机制组要准备哪些材料?", None),
    "follow-up": ("那A3组呢?", ["A2保障机制组要准备哪些材料?", "宣传报道组组长是谁?", "A2保障机制组要准备哪些材料?"]),
    "summary": ("请总结一下各学校关爱留守儿童的做法", None),
    "two places": ("青山小学和白水中学各有多少名学生?", None),
    "english": ("How many students does Qingshan Primary School have?", None),
}


@pytest.mark.parametrize("kind", list(QUESTIONS))
def test_each_step_runs_once_per_question(assistant, calls, kind):
    text, history = QUESTIONS[kind]
    answer = assistant.ask(text, 5, history=history)
    calls.asked.append(answer.resolved_question)
    calls.clear()
    answer = assistant.ask(text, 5, history=history)
    assert answer.found
    assert calls == Counter(understand=1, analyse=1, weights=1, law=1, rank=1), kind


def test_a_two_place_question_quotes_both_and_a_summary_lists_each_school(assistant):
    both = assistant.ask("青山小学和白水中学各有多少名学生?", 5)
    assert "412人" in both.text and "958人" in both.text
    listed = assistant.ask("请总结一下各学校关爱留守儿童的做法", 5)
    assert listed.across_documents and "家访" in listed.text and "心理辅导" in listed.text
