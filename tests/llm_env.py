"""The corpus and index the language-model tests answer from: the tiny corpus and three school
summaries on caring for left-behind children (one document each, for summaries across schools),
indexed with the fake embedder; and helpers to read the passages a request sent."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.config import load_settings
from assistant.building import build_index
from fakes import FakeEmbedder
from tinycorpus import write_tiny

SCHOOLS = {
    "donghu.txt": """东湖小学关爱留守儿童工作总结
一、基本情况
东湖小学有学生410人,其中留守儿童86人。
二、主要做法
学校为每名留守儿童建立成长档案,安排教师结对帮扶,每周开通亲情电话两次。
""",
    "xishan.txt": """西山中学关爱留守儿童工作总结
一、基本情况
西山中学有学生540人,其中留守儿童132人。
二、主要做法
学校成立留守儿童之家,配备心理辅导教师2名,每月为留守儿童开展一次集体生日会。
""",
    "nanling.txt": """南岭小学关爱留守儿童工作总结
一、基本情况
南岭小学有学生260人,其中留守儿童61人。
二、主要做法
学校实行代理家长制度,28名教师担任留守儿童的代理家长,寒暑假开展家访。
""",
}


def build(root: Path, monkeypatch) -> tuple:
    """(settings without a model, the index, the embedder) for a corpus under `root`."""
    corpus = write_tiny(root / "corpus", summary_encoding="utf-8")
    for name, text in SCHOOLS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_HOME", str(root / "home"))
    monkeypatch.setenv("ASSISTANT_CORPUS", str(corpus))
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_MODEL",
                 "ASSISTANT_LLM_API_KEY", "ASSISTANT_LLM_TIMEOUT", "ASSISTANT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    embedder = FakeEmbedder()
    settings = load_settings().with_(chunk_chars=120)
    index, _ = build_index(settings, warn=lambda m: None, embedder=embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
    return settings, index


def sure(assistant):
    """The assistant with every found answer taken as sure: these tests are about the language model's
    text and its checks, not the found / unsure decision (tests/test_answer.py, the labelled set)."""
    from dataclasses import replace

    assistant.answer_model = replace(assistant.answer_model, sure_at=0.0)
    return assistant


def blocks(user_message: str) -> dict[int, str]:
    """The numbered passages of a request's user message: {n: "[n] 《title》 section\\ntext"}."""
    passages = user_message.split("\n\n", 1)[1].rsplit("\n\n", 1)[0]  # between the heading and the question
    parts = re.split(r"\n\n(?=\[\d+\] 《)", passages)
    out = {}
    for part in parts:
        match = re.match(r"\[(\d+)\] ", part)
        if match:
            out[int(match.group(1))] = part
    return out


def number_of(body: dict, text: str) -> int:
    """The number of the passage (of a request body) that holds `text`."""
    for n, block in blocks(body["messages"][-1]["content"]).items():
        if text in block:
            return n
    raise AssertionError(f"no passage sent holds {text!r}")


def number_without(body: dict, text: str) -> int:
    """The number of a passage that was sent and does not hold `text`."""
    for n, block in blocks(body["messages"][-1]["content"]).items():
        if text not in block:
            return n
    raise AssertionError(f"every passage sent holds {text!r}")
