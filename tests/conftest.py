"""Shared fixtures: a deterministic fake embedder, tiny corpora written by the tests, and
settings that point ASSISTANT_HOME at a temporary folder."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from assistant.config import load_settings
from tinycorpus import TINY_PLAN, TINY_SUMMARY


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
