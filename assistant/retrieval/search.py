"""Hybrid search: BM25 + dense over chunks, fused with reciprocal rank fusion, indicator codes
taken exactly."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ..documents import Chunk
from ..errors import QuestionError
from ..index.embedders import Embedder
from ..index.store import IndexData
from ..segmentation import cut
from .evidence import best_first, coverage_of_tokens, group_weights, window_coverage
from .fusion import ranks_from, ranks_of, reciprocal_rank_fusion
from .query import Query, analyse, chinese_word

MAX_QUESTION_CHARS = 2000
#: The best-covering chunks among this many first fused results are put first.
COVERAGE_DEPTH = 5
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@dataclass
class Hit:
    chunk: Chunk
    document: dict
    score: float
    rank: int
    lexical_rank: int | None = None
    dense_rank: int | None = None

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "doc_id": c.doc_id, "title": self.document["title"],
                "source": self.document["source"], "section": c.section, "start_line": c.start_line,
                "end_line": c.end_line, "page": c.page, "text": c.text, "score": round(float(self.score), 6)}


def check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty; type a question, e.g. 'A2保障机制组要准备哪些材料?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return question.strip()


class Searcher:
    """Search over one loaded index. Thread-safe for concurrent queries."""

    def __init__(self, index: IndexData, embedder: Embedder | None, depth: int = 60, rrf_k: float = 60.0,
                 dense_weight: float = 1.0, code_weight: float = 2.0, coverage_weight: float = 1.0):
        self.index = index
        self.embedder = embedder if index.dense is not None else None
        self.depth = depth
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.code_weight = code_weight
        self.coverage_weight = coverage_weight
        self._chunk_tokens: dict[int, set[str]] = {}
        self._code_positions: dict[str, list[int]] | None = None
        self._names: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def names(self) -> dict[str, list[str]]:
        """Pinyin of the corpus's own words (caoji → 曹集), so names written in pinyin match."""
        if self._names is None:
            from pypinyin import lazy_pinyin

            names: dict[str, list[str]] = {}
            for token in self.index.lexical.vocabulary():
                if _HAN.match(token):
                    key = "".join(lazy_pinyin(token))
                    if len(key) >= 4:
                        names.setdefault(key, []).append(token)
            self._names = names
        return self._names

    def analyse(self, question: str, lang: str | None = None) -> Query:
        """`lang` forces the language (a follow-up resolved against a Chinese heading is still
        an English question)."""
        question = check_question(question)
        query = analyse(question, lang=lang)
        if query.lang == "en":
            query = analyse(question, self.names(), lang=query.lang, dictionary=self.index.bilingual)
        else:
            self._recut_unknown(query)
        return query

    def _recut_unknown(self, query: Query) -> None:
        """A question word the corpus never uses may be a guess of jieba's HMM gluing characters
        ("A3组要准备" → "组要"): cut it again from the dictionary alone."""
        vocabulary = self.index.lexical.retriever.vocab_dict
        words = []
        for word in query.words:
            tokens = word.alternatives[0]
            whole = max(tokens, key=len)
            known = any(t in vocabulary for alternative in word.alternatives for t in alternative)
            if known or len(whole) < 2:
                words.append(word)
                continue
            words.extend(w for w in (chinese_word(piece) for piece in cut(whole, hmm=False)) if w)
        query.words = words

    def search(self, question: str, top_k: int = 5) -> list[Hit]:
        return self.search_query(self.analyse(question), top_k)

    def scores(self, query: Query) -> tuple[dict[int, float], dict[int, int], dict[int, int]]:
        """Fused score per chunk position, and the lexical and dense rankings behind it."""
        weighted = query.lang != "zh"
        lexical = self.index.lexical.scores(query.tokens, query.weights if weighted else None)
        lex_ranks = ranks_of(lexical, self.depth, floor=0.0)
        dense_ranks: dict[int, int] = {}
        if self.embedder is not None and query.dense_text:
            with self._lock:
                vector = self.embedder.encode([query.dense_text])[0]
            dense_ranks = ranks_from(self.index.dense.search(vector, self.depth)[0])
        fused = reciprocal_rank_fusion([lex_ranks, dense_ranks], [1.0, self.dense_weight], self.rrf_k)
        if query.codes:
            wanted = set(query.codes)
            bonus = self.code_weight / (self.rrf_k + 1)
            overlaps: dict[int, int] = {}
            for code in wanted:
                for position in self.code_positions().get(code, ()):
                    overlaps[position] = overlaps.get(position, 0) + 1
            for position in sorted(overlaps):  # once per chunk, ranked or not
                fused[position] = fused.get(position, 0.0) + bonus * overlaps[position] / len(wanted)
        if self.coverage_weight:
            weights = group_weights(query, self.index.lexical)  # once per question, not per chunk
            bonus = self.coverage_weight / (self.rrf_k + 1)
            for position in fused:
                fused[position] += bonus * coverage_of_tokens(query, self.tokens_of(position), self.index.lexical,
                                                              raw=self.index.chunks[position].text, weights=weights)
        return fused, lex_ranks, dense_ranks

    def tokens_of(self, position: int) -> set[str]:
        """Tokens of a chunk with its title and heading path (cached; threads that race here
        compute the same set, and a dict item assignment is atomic)."""
        tokens = self._chunk_tokens.get(position)
        if tokens is None:  # read back from the BM25 matrix: no re-tokenizing
            tokens = self.index.lexical.doc_tokens(position)
            self._chunk_tokens[position] = tokens
        return tokens

    def code_positions(self) -> dict[str, list[int]]:
        """Indicator code → positions of the chunks that carry it (built once)."""
        if self._code_positions is None:
            positions: dict[str, list[int]] = {}
            for position, chunk in enumerate(self.index.chunks):
                for code in dict.fromkeys(chunk.codes):
                    positions.setdefault(code, []).append(position)
            self._code_positions = positions
        return self._code_positions

    def search_query(self, query: Query, top_k: int = 5) -> list[Hit]:
        """The top_k chunks by fused score, except that among the first max(top_k, COVERAGE_DEPTH)
        the chunks whose sentences hold most of the question (window coverage, with the title and
        heading path) come first, in fused order."""
        fused, lex_ranks, dense_ranks = self.scores(query)
        order = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:max(top_k, COVERAGE_DEPTH)]
        hits = []
        for position, score in order:
            chunk = self.index.chunks[position]
            hits.append(Hit(chunk, self.index.doc_by_id[chunk.doc_id], score, 0,
                            lex_ranks.get(position), dense_ranks.get(position)))
        hits = self._coverage_first(query, hits)[:top_k]
        for rank, hit in enumerate(hits, start=1):
            hit.rank = rank
        return hits

    def _coverage_first(self, query: Query, hits: list[Hit]) -> list[Hit]:
        return best_first(hits, [window_coverage(query, f"{hit.document['title']} {hit.chunk.section}",
                                                 hit.chunk.text, self.index.lexical) for hit in hits])
