"""A deterministic fake embedder shared by the tests (conftest's `fake_embedder` fixture gives one;
module-scoped fixtures import the class from here)."""

from __future__ import annotations

import hashlib
import re

import numpy as np


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

    def encode_queries(self, texts):
        """Queries and passages alike (the fake has no prefixes)."""
        return self.encode(texts)
