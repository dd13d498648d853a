"""Search over one loaded index: the question analysed, the candidates of BM25 and dense retrieval
gathered, and their order taken from the ranking stage (ranking.py), as Hits."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field

from ..documents import Chunk
from ..errors import QuestionError
from ..index.embedders import Embedder
from ..index.store import IndexData
from ..segmentation import cut
from .intent import Intent, intent_of
from .lookup import LawNames, Named, article_number, english_law_name
from .names import names_in
from .focus import focus_en, focus_zh, things_en, things_zh
from .query import Query, analyse, chinese_word, english_terms, with_synonyms
from .ranking import RankingConfig, rank

MAX_QUESTION_CHARS = 2000
_PLACE_SUFFIX = "乡镇县区村市省"
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@dataclass
class Hit:
    chunk: Chunk
    document: dict
    score: float
    rank: int
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_similarity: float | None = None
    features: dict[str, float] = field(default_factory=dict)  # the ranking's evidence (ranking.py)

    def to_dict(self) -> dict:
        c = self.chunk
        return {"rank": self.rank, "chunk_id": c.id, "doc_id": c.doc_id, "title": self.document["title"],
                "source": self.document["source"], "section": c.section, "article": article_label(c),
                "start_line": c.start_line,
                "end_line": c.end_line, "page": c.page,
                "page_end": getattr(c, "page_end", None), "text": c.text, "score": round(float(self.score), 6)}


def article_label(chunk: Chunk) -> str | None:
    """The article a chunk belongs to (第十一条), or None."""
    label = getattr(chunk, "article", None) or (chunk.section_path[-1] if chunk.section_path else "")
    return label if label and label.startswith("第") and label.endswith("条") and article_number(label) else None


def check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty; type a question, e.g. 'A2保障机制组要准备哪些材料?'")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}")
    return question.strip()


class Searcher:
    """Search over one loaded index. Thread-safe for concurrent queries."""

    def __init__(self, index: IndexData, embedder: Embedder | None, config: RankingConfig | None = None):
        self.index = index
        self.embedder = embedder if index.dense is not None else None
        self.config = config or RankingConfig()
        self._chunk_tokens: dict[int, set[str]] = {}
        self._code_positions: dict[str, list[int]] | None = None
        self._articles: list[int | None] | None = None
        self._law_names: LawNames | None = None
        # an English law name → the title it matches; bounded (questions are anyone's text)
        self._english_law = functools.lru_cache(maxsize=1024)(self._match_english_law)
        self._document_texts: dict[str, str] = {}
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
                    if len(token) >= 3 and token[-1] in _PLACE_SUFFIX:  # 新庄乡 is also "Xinzhuang"
                        stem = "".join(lazy_pinyin(token[:-1]))
                        if len(stem) >= 4 and token not in names.get(stem, []):
                            names.setdefault(stem, []).append(token)
            self._names = names
        return self._names

    def analyse(self, question: str, lang: str | None = None) -> Query:
        """`lang` forces the language (a follow-up resolved against a Chinese heading is still
        an English question)."""
        question = check_question(question)
        query = analyse(question, lang=lang)
        if query.lang == "en":
            query = analyse(question, self.names(), lang=query.lang, dictionary=self.index.bilingual,
                            known=self.known_word)
            phrase = focus_en(question)
            if phrase:
                terms = [t for t, _ in english_terms(phrase, self.names(), dictionary=self.index.bilingual)]
                query.focus = [w for w in (chinese_word(t) for t in dict.fromkeys(terms)) if w]
                for part in things_en(phrase):
                    found = english_terms(part, self.names(), dictionary=self.index.bilingual)
                    word = chinese_word(found[0][0]) if found else None
                    if word is None:
                        query.things = []
                        break
                    query.things.append(word)
                if len(query.things) < 2:
                    query.things = []
        else:
            self._recut_unknown(query)
            query.focus = [with_synonyms(w) for w in (chinese_word(t) for t in focus_zh(question)) if w]
            query.things = [w for w in (chinese_word(t) for t in things_zh(question)) if w]
        query.names = names_in(query, self.names() if query.lang != "zh" else None)
        return query

    def known_word(self, word: str) -> bool:
        """Is `word` a token of the corpus?"""
        return word in self.index.lexical.vocab_dict

    def _recut_unknown(self, query: Query) -> None:
        """A question word the corpus never uses may be a guess of jieba's HMM gluing characters
        ("A3组要准备" → "组要"): cut it again from the dictionary alone."""
        vocabulary = self.index.lexical.vocab_dict
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

    def ranked(self, query: Query, intent: Intent | None = None):
        """Every candidate chunk, best first (ranking.rank), with its evidence."""
        intent = intent or intent_of(query.text)
        weighted = query.lang != "zh"
        lexical = self.index.lexical.scores(query.tokens, query.weights if weighted else None)
        dense = None
        if self.embedder is not None and query.dense_text:
            with self._lock:
                vector = self.embedder.encode_queries([query.dense_text])[0]
            dense = self.index.dense.search(vector, self.config.depth)
        named_docs, exact = self.lookup(query, intent)
        return rank(self.index, query, intent, lexical, dense, self.code_positions(), self.tokens_of,
                    self.config, self.article_of, named_docs, exact, self.law_names().superseded,
                    self.document_text)

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

    def law_names(self) -> LawNames:
        if self._law_names is None:
            self._law_names = LawNames(self.index)
        return self._law_names

    def named_law(self, query: Query) -> Named | None:
        """The law the question names: a title variant written in it (Chinese, or an English question's
        Chinese terms), else for English questions a law named in English (lookup.english_law_name)
        matched to a title through the dictionary."""
        names = self.law_names()
        if query.lang == "zh":
            return names.named(query.text)
        found = english_law_name(query.text)
        if found is None:  # a Chinese title written into the question, or its terms ("义务教育法")
            return names.named(query.text + " " + "".join(query.terms))
        name, genres = found
        return self._english_law(name, frozenset(genres)) or names.named(query.text)

    def _match_english_law(self, name: str, genres: frozenset[str]) -> Named | None:
        words = analyse(name, self.names(), lang="en", dictionary=self.index.bilingual).words
        groups = [["".join(alt) if len(alt) == 1 else max(alt, key=len) for alt in w.alternatives]
                  for w in words]
        groups = [g for g in groups if not all(t in ("中华人民共和国", "中华", "中国", "我国") for t in g)]
        return self.law_names().named_english(name, set(genres), groups)

    def unknown_laws(self, query: Query) -> list[str]:
        """The 《…》 law names of the question that no document of the index has."""
        if self.named_law(query) is not None:
            return []
        return self.law_names().unknown_bracketed(query.text)

    def lookup(self, query: Query, intent: Intent) -> tuple[frozenset, dict[int, float]]:
        """The documents of the law the question names, and the chunks of the article it looks up
        (all of the newest version's, half for older versions)."""
        names = self.law_names()
        named = self.named_law(query)
        if named is None:
            return frozenset(), {}
        exact: dict[int, float] = {}
        for version, doc_id in enumerate(named.doc_ids):
            for number in intent.articles:
                for position in names.article_chunks(doc_id, number):
                    exact[position] = 1.0 if version == 0 else 0.5
        return frozenset(named.doc_ids), exact

    def missing_articles(self, query: Query, intent: Intent) -> list[tuple[str, int, int | None]]:
        """(law title, article number, its last article) for each article the question looks up in
        a law it names that has no such article ("教师法第五十条": 教师法 has 43)."""
        if not intent.articles:
            return []
        names = self.law_names()
        named = self.named_law(query)
        if named is None:
            return []
        newest = named.doc_ids[0]
        return [(self.index.doc_by_id[newest]["title"], number, names.last_article(newest))
                for number in intent.articles
                if names.last_article(newest) and not any(names.article_chunks(d, number) for d in named.doc_ids)]

    def article_owners(self, query: Query, intent: Intent) -> list[str]:
        """The documents that have the article a question asks for without naming a law ("第二十九条
        规定了什么?"), newest versions only; empty when it names a law or asks for no article."""
        if len(intent.articles) != 1:
            return []
        names = self.law_names()
        if self.named_law(query) is not None:
            return []
        return [d for d in names.documents_with_article(intent.articles[0]) if d not in names.superseded]

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

    def search_query(self, query: Query, top_k: int = 5, intent: Intent | None = None) -> list[Hit]:
        """The top_k chunks in the ranking stage's order."""
        hits = []
        for rank_number, candidate in enumerate(self.ranked(query, intent)[:top_k], start=1):
            chunk = self.index.chunks[candidate.position]
            hits.append(Hit(chunk, self.index.doc_by_id[chunk.doc_id], candidate.score, rank_number,
                            candidate.lexical_rank, candidate.dense_rank, candidate.dense_similarity,
                            candidate.features))
        return hits
