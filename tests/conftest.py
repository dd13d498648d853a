"""Shared fixtures: a deterministic fake embedder, tiny corpora written by the tests, and
settings that point ASSISTANT_HOME at a temporary folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from assistant.config import load_settings


class FakeEmbedder:
    """Character-bigram hashing into 256 dimensions, L2-normalised: texts sharing more bigrams
    are closer. Deterministic, instant, no model files."""

    name = "fake-bigram"
    dim = 256

    def encode(self, texts, progress=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = re.sub(r"\s+", "", text)
            for a, b in zip(chars, chars[1:]):
                bucket = int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16) % self.dim
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        if progress:
            progress(len(texts), len(texts))
        return out


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


TINY_PLAN = """迎检工作方案
一、指导思想
为做好义务教育均衡发展迎检工作,特制定本方案。
二、工作措施
(一)成立领导小组
1.宣传报道组 组长:王一
工作任务和职责:制作迎检专题片;审定宣传手册。
2.A2保障机制组 组长:李二
责任指标:C7-C9 工作任务和职责: 1.学校财务管理制度; 2.2011-2014教职工工资花名册; 3.生均公用经费统计表;
3.A3教师队伍组 组长:赵三
工作任务和职责: 1.绩效工资实施方案; 2.教师交流统计表;
(二)建立责任制
实行校长负责制。
三、时间安排
2015年3月开始集中整改。
"""

TINY_SUMMARY = """乡村学校工作总结
一、基本情况
本校有学生320人,教职工28人,生均图书30册。
二、存在的问题
运动场面积不足,达不到生均10平方米的标准。
三、下一步打算
争取资金改造操场。
"""


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(TINY_PLAN, encoding="utf-8")
    (corpus / "summary.txt").write_text(TINY_SUMMARY, encoding="gb18030")
    return corpus


@pytest.fixture
def settings(tmp_path: Path, tiny_corpus: Path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_CORPUS", str(tiny_corpus))
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    return load_settings()
