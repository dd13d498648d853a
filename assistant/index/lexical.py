"""BM25 over jieba tokens, with matching save(dir)/load(dir).

bm25s builds the index (its eager scoring: every token's BM25 score in every chunk, computed at
build time, kept as a CSC matrix token → chunks) and writes it in its format. A question only
sums the columns of its tokens, which needs numpy alone: `load` reads bm25s's files directly and
`scores` does what bm25s's numpy backend does (`np.add.at` per token, in query order: the same
float32 sums), so answering a question does not import bm25s and, through it, scipy (0.3 s of a
one-shot question here)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..language.tokenization import tokenize

#: BM25 variants whose scores are all in the matrix (BM25L and BM25+ also add a per-token
#: non-occurrence score, which this reader does not implement).
EAGER_METHODS = ("robertson", "lucene", "atire")


class LexicalIndex:
    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab_dict: dict[str, int],
                 size: int, params: dict | None = None, retriever=None):
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab_dict = vocab_dict
        self.size = size
        self.params = params or {}
        self._retriever = retriever  # the bm25s object when built in this process (it saves itself)
        self._doc_indptr: np.ndarray | None = None
        self._doc_token_ids: np.ndarray | None = None
        self._vocab: list[str] | None = None

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        return cls.from_tokens([tokenize(text) or ["∅"] for text in texts])

    @classmethod
    def from_tokens(cls, corpus_tokens: list[list[str]]) -> "LexicalIndex":
        """BM25 over already tokenized chunks (an empty chunk is ["∅"])."""
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(corpus_tokens, show_progress=False)
        scores = retriever.scores
        params = {"k1": retriever.k1, "b": retriever.b, "method": retriever.method, "dtype": str(retriever.dtype)}
        return cls(scores["data"], scores["indices"], scores["indptr"], retriever.vocab_dict,
                   len(corpus_tokens), params, retriever)

    def scores(self, tokens: list[str], weights: list[float] | None = None) -> np.ndarray:
        """BM25 score of every chunk for the query tokens; with `weights`, each token's
        contribution is scaled (expansion terms count less than the user's own words)."""
        out = np.zeros(self.size, dtype=np.float32)
        if not tokens:
            return out
        if weights is None:
            return self._sum([self.vocab_dict[t] for t in tokens if t in self.vocab_dict])
        for token, weight in zip(tokens, weights):
            if token in self.vocab_dict and weight > 0:
                out += weight * self._sum([self.vocab_dict[token]])
        return out

    def _sum(self, token_ids: list[int]) -> np.ndarray:
        """Σ over the tokens of their BM25 column (bm25s's numpy `_compute_relevance_from_scores`)."""
        scores = np.zeros(self.size, dtype=self.data.dtype)
        for token_id in token_ids:
            start, end = self.indptr[token_id], self.indptr[token_id + 1]
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores

    def doc_freq(self, token: str) -> int:
        """Number of chunks that contain `token` (0 when the corpus never uses it)."""
        position = self.vocab_dict.get(token)
        if position is None:
            return 0
        return int(self.indptr[position + 1] - self.indptr[position])

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency: ln((N - df + 0.5) / (df + 0.5) + 1)."""
        df = self.doc_freq(token)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def doc_tokens(self, position: int) -> set[str]:
        """The distinct tokens of one chunk, read back from the BM25 matrix (no re-tokenizing)."""
        if self._doc_indptr is None:
            self._doc_token_ids, self._doc_indptr = self._invert()
        if self._vocab is None:
            vocab = [""] * len(self.vocab_dict)
            for token, number in self.vocab_dict.items():
                vocab[number] = token
            self._vocab = vocab
        start, end = self._doc_indptr[position], self._doc_indptr[position + 1]
        return {self._vocab[t] for t in self._doc_token_ids[start:end]} - {"∅"}

    def _invert(self) -> tuple[np.ndarray, np.ndarray]:
        """Document → token ids (32-bit) and each document's start, from the token → documents (CSC)
        matrix: O(entries). `save` writes them beside the matrix, so a loaded index maps them instead."""
        indptr = np.asarray(self.indptr)
        indices = np.asarray(self.indices)
        token_ids = np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))
        doc_token_ids = token_ids[np.argsort(indices, kind="stable")]
        doc_indptr = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(indices, minlength=self.size), out=doc_indptr[1:])
        return doc_token_ids, doc_indptr

    def vocabulary(self) -> list[str]:
        """The words of the index, sorted: bm25s numbers them in an order that changes from build to build
        (a set's), and what is made from them (the pinyin names a question's English is matched against,
        the bilingual table) must not."""
        return sorted(t for t in self.vocab_dict if t != "∅" and t != "")

    def save(self, directory: Path) -> None:
        """bm25s's own format (its save); an index that was loaded is written back in that format."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(directory), show_progress=False)
        else:
            for name, array in (("data", self.data), ("indices", self.indices), ("indptr", self.indptr)):
                np.save(directory / f"{name}.csc.index.npy", array)
            (directory / "vocab.index.json").write_text(json.dumps(self.vocab_dict, ensure_ascii=False), encoding="utf-8")
            (directory / "params.index.json").write_text(json.dumps(dict(self.params, num_docs=self.size)), encoding="utf-8")
        doc_token_ids, doc_indptr = (self._doc_token_ids, self._doc_indptr) if self._doc_indptr is not None \
            else self._invert()
        np.save(directory / "doc_tokens.npy", doc_token_ids)
        np.save(directory / "doc_indptr.npy", doc_indptr)
        (directory / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        """Read the files bm25s wrote (without importing it), mapped from the disk rather than read into
        memory: a question reads the columns of its few tokens, and the system shares and frees the
        pages as it needs (a 115,000-chunk index: 104 MB of matrix and 51 MB of document tokens)."""
        directory = Path(directory)
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in EAGER_METHODS:
            raise ValueError(f"BM25 method {params.get('method')!r} is not supported here")
        arrays = [np.load(directory / f"{name}.csc.index.npy", allow_pickle=False, mmap_mode="r")
                  for name in ("data", "indices", "indptr")]
        vocab_dict = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        size = int((directory / "size.txt").read_text())
        index = cls(*arrays, vocab_dict, size, params)
        if (directory / "doc_indptr.npy").exists():  # builds before these files invert on first use
            index._doc_token_ids = np.load(directory / "doc_tokens.npy", allow_pickle=False, mmap_mode="r")
            index._doc_indptr = np.load(directory / "doc_indptr.npy", allow_pickle=False, mmap_mode="r")
        return index
