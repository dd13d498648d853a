"""Search over one loaded index: the question understood once (question.py), the candidates of BM25
and dense retrieval gathered, and their order taken from the ranking stage (ranking.py), with the
evidence it found for each. Everything after this consumes that order."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..collection import of_document
from ..documents import Chunk
from ..index.embedders import Embedder
from ..index.store import IndexData
from .lookup import article_number
from .question import MAX_QUESTION_CHARS, Question, Reader, check_question
from .ranking import Candidate, Evidence, RankingConfig, rank
from .rerank import Reranker, rerank

__all__ = ["Hit", "Ranking", "Searcher", "MAX_QUESTION_CHARS", "check_question", "article_label"]

#: Characters of a sentence or table row encoded for its similarity to the question (a longer one is cut).
UNIT_CHARS = 300
#: Vectors of sentences kept between questions (384-d floats: ~12 MB), the least recently used dropped.
UNIT_VECTORS = 8192


@dataclass
class Hit:
    chunk: Chunk
    document: dict
    score: float
    rank: int
    evidence: Evidence  # what the ranking found in it (ranking.py)

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "doc_id": c.doc_id, "title": self.document["title"],
                "source": self.document["source"], "collection": of_document(self.document),
                "section": c.cited_section, "article": article_label(c), "start_line": c.start_line,
                "end_line": c.end_line, "page": c.page,
                "page_end": getattr(c, "page_end", None), "text": c.text, "score": round(float(self.score), 6)}


def article_label(chunk: Chunk) -> str | None:
    """The article a chunk belongs to (第十一条), or None."""
    label = getattr(chunk, "article", None) or (chunk.section_path[-1] if chunk.section_path else "")
    return label if label and label.startswith("第") and label.endswith("条") and article_number(label) else None


@dataclass
class Ranking:
    """One question's candidates in the ranking stage's order (made once per question)."""

    question: Question
    candidates: list[Candidate]
    index: IndexData

    def hits(self, top_k: int) -> list[Hit]:
        """The first `top_k` candidates as Hits, numbered from 1."""
        out = []
        for number, candidate in enumerate(self.candidates[:top_k], start=1):
            chunk = self.index.chunks[candidate.position]
            out.append(Hit(chunk, self.index.doc_by_id[chunk.doc_id], candidate.score, number, candidate.evidence))
        return out


class Searcher:
    """Search over one loaded index. Thread-safe for concurrent queries."""

    def __init__(self, index: IndexData, embedder: Embedder | None, config: RankingConfig | None = None,
                 reranker: Reranker | None = None):
        self.index = index
        self.embedder = embedder if index.dense is not None else None
        self.config = config or RankingConfig()
        self.reranker = reranker
        self.reader = Reader(index)
        self._chunk_tokens: dict[int, set[str]] = {}
        self._code_positions: dict[str, list[int]] | None = None
        self._articles: list[int | None] | None = None
        self._document_texts: dict[str, str] = {}
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def similarities(self, query: str, texts: list[str]) -> np.ndarray | None:
        """How close in meaning each text (a sentence or table row of a ranked passage) is to the query:
        the cosine of the dense model's query and passage vectors, whatever words either uses (a paraphrase,
        an English question over Chinese lines). None without a dense model. Vectors are kept between
        questions (UNIT_VECTORS), so the parts of a question and a follow-up reuse them."""
        if self.embedder is None or not texts:
            return None
        keys = ["p:" + t[:UNIT_CHARS] for t in texts]
        with self._lock:
            wanted = ["q:" + query[:UNIT_CHARS]] + keys
            for k in wanted:  # used now: kept first when new vectors push the oldest out
                if k in self._vectors:
                    self._vectors.move_to_end(k)
            missing = [k for k in dict.fromkeys(wanted) if k not in self._vectors]
            queries = [k for k in missing if k.startswith("q:")]
            passages = [k for k in missing if k.startswith("p:")]
            for batch, encode in ((queries, self.embedder.encode_queries), (passages, self.embedder.encode)):
                if batch:
                    for k, v in zip(batch, np.asarray(encode([k[2:] for k in batch]), dtype=np.float32)):
                        self._keep(k, v)
            matrix = np.stack([self._vectors[k] for k in keys])
            vector = self._vectors[wanted[0]]
        return matrix @ vector

    def _keep(self, key: str, vector: np.ndarray) -> None:
        """Keep a vector (normalised) under `key`, the least recently used going past UNIT_VECTORS
        (callers hold self._lock)."""
        norm = float(np.linalg.norm(vector)) or 1.0
        self._vectors[key] = np.asarray(vector, dtype=np.float32) / norm
        self._vectors.move_to_end(key)
        while len(self._vectors) > UNIT_VECTORS:
            self._vectors.popitem(last=False)

    def understand(self, text: str, lang: str | None = None, asked: str | None = None,
                   filters=None) -> Question:
        """The Question (question.Reader.understand)."""
        return self.reader.understand(text, lang, asked, filters)

    def search(self, text: str, top_k: int = 5) -> list[Hit]:
        return self.rank(self.understand(text)).hits(top_k)

    def rank(self, question: Question) -> Ranking:
        """Every candidate chunk, best first (ranking.rank, then the optional reranker over its head),
        with its evidence."""
        query = question.query
        weighted = query.lang != "zh"
        lexical = self.index.lexical.scores(query.tokens, query.weights if weighted else None)
        dense = None
        if self.embedder is not None and query.dense_text:
            with self._lock:
                vector = self.embedder.encode_queries([query.dense_text])[0]
                if len(query.dense_text) <= UNIT_CHARS:  # similarities() of the same text reuses it
                    self._keep("q:" + query.dense_text, vector)
            dense = self.index.dense.search(vector, self.config.depth)
        named_docs, exact = self.lookup(question)
        laws = self.reader.laws()
        allowed = self.allowed(question)
        if allowed is not None:  # only the documents the filters let through
            lexical = np.where(allowed, lexical, 0.0)
            if dense is not None:
                dense = self._dense_within(vector, allowed)
            exact = {p: v for p, v in exact.items() if allowed[p]}
        candidates = rank(self.index, question, lexical, dense, self.code_positions(), self.tokens_of,
                          self.config, self.article_of, named_docs, exact, laws.superseded, self.document_text)
        if allowed is not None:
            candidates = [c for c in candidates if allowed[c.position]]
        if self.reranker is not None:
            candidates = rerank(question.text, candidates, self.reranker,
                                lambda c: self.index.chunks[c.position].text)
        return Ranking(question, candidates, self.index)

    def allowed(self, question: Question) -> np.ndarray | None:
        """Which chunks the question's filters let through (a boolean per chunk), None without filters."""
        if not question.filters:
            return None
        docs = {d["id"] for d in self.index.documents if question.filters.matches(d)}
        return np.fromiter((c.doc_id in docs for c in self.index.chunks), dtype=bool, count=len(self.index.chunks))

    def _dense_within(self, vector, allowed: np.ndarray):
        """The dense search's best chunks among those `allowed` (searched deeper until enough are in)."""
        depth = self.config.depth
        while True:
            found = self.index.dense.search(vector, depth)
            kept = [(p, s) for p, s in zip(*found) if p >= 0 and allowed[p]] if isinstance(found, tuple) else None
            if kept is None:
                return found
            if len(kept) >= min(self.config.depth, int(allowed.sum())) or depth >= len(allowed):
                positions = np.array([p for p, _ in kept], dtype=np.int64)
                scores = np.array([s for _, s in kept], dtype=np.float32)
                return positions, scores
            depth *= 4

    def document_text(self, doc_id: str) -> str:
        """A document's title, organisation and text (cached)."""
        text = self._document_texts.get(doc_id)
        if text is None:
            meta = self.index.doc_by_id[doc_id]
            text = " ".join([meta.get("title") or "", meta.get("organisation") or ""]
                            + [line.text for line in self.index.lines.get(doc_id, [])])
            self._document_texts[doc_id] = text
        return text

    def article_of(self, position: int) -> int | None:
        """The article number of a chunk whose section is an article (第十一条), else None."""
        if self._articles is None:
            articles: list[int | None] = []
            for chunk in self.index.chunks:
                label = getattr(chunk, "article", None) or (chunk.section_path[-1] if chunk.section_path else None)
                articles.append(article_number(label) if label and label.endswith("条") else None)
            self._articles = articles
        return self._articles[position]

    def law_names(self):
        return self.reader.laws()

    def lookup(self, question: Question) -> tuple[frozenset, dict[int, float]]:
        """The documents of the law the question names, and the chunks of the article it looks up
        (all of the newest version's, half for older versions)."""
        named = question.law
        if named is None:
            return frozenset(), {}
        names = self.reader.laws()
        exact: dict[int, float] = {}
        for version, doc_id in enumerate(named.doc_ids):
            for number in question.intent.articles:
                for position in names.article_chunks(doc_id, number):
                    exact[position] = 1.0 if version == 0 else 0.5
        return frozenset(named.doc_ids), exact

    def missing_articles(self, question: Question) -> list[tuple[str, int, int | None]]:
        """(law title, article number, its last article) for each article the question looks up in
        a law it names that has no such article ("教师法第五十条": 教师法 has 43)."""
        named = question.law
        if not question.intent.articles or named is None:
            return []
        names = self.reader.laws()
        newest = named.doc_ids[0]
        return [(self.index.doc_by_id[newest]["title"], number, names.last_article(newest))
                for number in question.intent.articles
                if names.last_article(newest) and not any(names.article_chunks(d, number) for d in named.doc_ids)]

    def article_owners(self, question: Question) -> list[str]:
        """The documents that have the article a question asks for without naming a law ("第二十九条
        规定了什么?"), newest versions only; empty when it names a law or asks for no article."""
        if len(question.intent.articles) != 1 or question.law is not None:
            return []
        names = self.reader.laws()
        return [d for d in names.documents_with_article(question.intent.articles[0]) if d not in names.superseded
                and (not question.filters or question.filters.matches(self.index.doc_by_id[d]))]

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
