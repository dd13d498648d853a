"""BM25 over jieba tokens (bm25s), with matching save(dir)/load(dir)."""

from __future__ import annotations

import math
from pathlib import Path

import bm25s
import numpy as np

from .tokenization import tokenize


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25, size: int):
        self.retriever = retriever
        self.size = size
        self._doc_indptr: np.ndarray | None = None

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        return cls.from_tokens([tokenize(text) or ["∅"] for text in texts])

    @classmethod
    def from_tokens(cls, corpus_tokens: list[list[str]]) -> "LexicalIndex":
        """BM25 over already tokenized chunks (an empty chunk is ["∅"])."""
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, len(corpus_tokens))

    def scores(self, tokens: list[str], weights: list[float] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query tokens; with `weights`, each token's
        contribution is scaled (expansion terms count less than the user's own words)."""
        out = np.zeros(self.size, dtype=np.float32)
        if not tokens:
            return out
        if weights is None:
            known = [t for t in tokens if t in self.retriever.vocab_dict]
            return self.retriever.get_scores(known) if known else out
        for token, weight in zip(tokens, weights):
            if token in self.retriever.vocab_dict and weight > 0:
                out += weight * self.retriever.get_scores([token])
        return out

    def doc_freq(self, token: str) -> int:
        """Number of chunks that contain `token` (0 when the corpus never uses it)."""
        position = self.retriever.vocab_dict.get(token)
        if position is None:
            return 0
        indptr = self.retriever.scores["indptr"]
        return int(indptr[position + 1] - indptr[position])

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency: ln((N - df + 0.5) / (df + 0.5) + 1)."""
        df = self.doc_freq(token)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def doc_tokens(self, position: int) -> set[str]:
        """The distinct tokens of one chunk, read back from the BM25 matrix (no re-tokenizing)."""
        if self._doc_indptr is None:
            self._invert()
        start, end = self._doc_indptr[position], self._doc_indptr[position + 1]
        return {self._vocab[t] for t in self._doc_token_ids[start:end]} - {"∅"}

    def _invert(self) -> None:
        """Document → token ids from the token → documents (CSC) matrix bm25s keeps: O(entries)."""
        indptr = np.asarray(self.retriever.scores["indptr"])
        indices = np.asarray(self.retriever.scores["indices"])
        token_ids = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        order = np.argsort(indices, kind="stable")
        vocab = [""] * len(self.retriever.vocab_dict)
        for token, number in self.retriever.vocab_dict.items():
            vocab[number] = token
        self._vocab = vocab
        self._doc_token_ids = token_ids[order]
        self._doc_indptr = np.searchsorted(indices[order], np.arange(self.size + 1))

    def vocabulary(self) -> list[str]:
        return [t for t in self.retriever.vocab_dict if t != "∅" and t != ""]

    def save(self, directory: Path) -> None:
        self.retriever.save(str(directory), show_progress=False)
        (Path(directory) / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        retriever = bm25s.BM25.load(str(directory), show_progress=False)
        size = int((Path(directory) / "size.txt").read_text())
        return cls(retriever, size)
