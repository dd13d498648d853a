"""Example passages for the sections of an outline: how other schools wrote each part.

For each section: retrieve candidates with the hybrid searcher (query = the section's heading,
points and area keywords; one batch of embeddings per outline), cut each candidate down to the
part under a fitting heading, and rank the parts by

    fit = s / s_max + kind bonus + heading bonus − penalties

s is the fused retrieval score; the kind bonus favours documents of the outline's kind (then
related kinds); the heading bonus favours parts whose own heading (less: whose section path)
holds one of the section's `match` words; penalties lower documents that are not about schools
(a 未成年人保护 report filed as a 学校均衡发展工作总结), documents that never speak of 均衡, short
parts, and (outside 迎检/自查 outlines) lists of indicator codes and materials. Parts that lack all
of the section's `must` words, are too short, look like site boilerplate or fit below MIN_FIT are
dropped. Sections then pick round by round, the best fit first, so a passage goes to the
section it fits best and is never used twice in one outline, nor is a near-copy of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..documents import Chunk, Line
from ..index.embedders import Embedder
from ..ingest.splitting import ORG, SIGNATURE, is_title_like
from ..retrieval.search import Searcher
from ..structure import extract_codes, parse_marker

KIND_BONUS = 0.30
RELATED_KIND_BONUS = 0.15
HEADING_BONUS = 0.45
TEXT_MATCH_BONUS = 0.10
#: A document about schools uses school words (教育, 学校, 教师, …) at ≥ 20 per 1000 characters
#: (the shipped documents: 24–72); a 未成年人保护 report filed as a 学校均衡发展工作总结 has 4.
_SCHOOL_WORDS = re.compile(r"教育|学校|教师|教学|学生|办学|课程")
SCHOOL_DENSITY = 20.0
OFF_TOPIC_PENALTY = 0.8
UNBALANCED_PENALTY = 0.1  # for a document that never speaks of 均衡
MIN_FIT = 0.6
SAME_DOCUMENT_PENALTY = 0.4
MIN_BODY_CHARS = 20
SHORT_CHARS = 80
SHORT_PENALTY = 0.2
#: Outlines of these kinds welcome passages that list indicator codes and materials (the A1–A4
#: groups of a 迎检方案); other kinds take a penalty for them: a summary's 入学机会 section wants
#: what a school did, not a list of registers to file.
LIST_KINDS = ("inspection-prep", "self-inspection")
LIST_PENALTY = 0.5
NEAR_DUPLICATE = 0.6
SHARED_TEXT = 0.3
DEPTH = 40
MAX_QUERY_CHARS = 1500

_BOILERPLATE = re.compile(r"小编|相关文章|范文|我要投稿|WORD下载|PDF下载|上一篇|下一篇|手机扫码|希望对大家有所帮助")
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、．.]")
_KIND_HINTS = (("self-inspection", re.compile(r"自查")), ("inspection-prep", re.compile(r"迎检|迎评|督导评估")),
               ("rectification", re.compile(r"整改方案")))


@dataclass
class Passage:
    """A cited example: part of one chunk, with the source lines it covers."""

    chunk: Chunk
    document: dict
    text: str
    start_line: int
    end_line: int
    fit: float
    section: str = ""

    def citation(self, n: int) -> dict:
        """The shape of `ask` citations (design.md, "JSON of ask")."""
        return {"n": n, "doc_id": self.chunk.doc_id, "title": self.document["title"],
                "source": self.document["source"], "section": self.section, "start_line": self.start_line,
                "end_line": self.end_line, "page": self.chunk.page, "text": self.text, "score": round(self.fit, 4)}


@dataclass(frozen=True)
class Request:
    """What one section wants: a query, heading words that fit, words it must contain, how many."""

    query: str
    match: tuple[str, ...] = ()
    must: tuple[str, ...] = ()
    n: int = 2


@dataclass
class Seen:
    """What one outline has used so far: never the same source lines twice, nor a near-copy of a
    passage already used (two parts of one chunk may both serve, in different sections)."""

    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    doc_grams: dict[str, list[set[str]]] = field(default_factory=dict)
    grams: list[set[str]] = field(default_factory=list)

    def add(self, passage: Passage) -> None:
        grams = bigrams(passage.text)
        self.spans.setdefault(passage.chunk.doc_id, []).append((passage.start_line, passage.end_line))
        self.doc_grams.setdefault(passage.chunk.doc_id, []).append(grams)
        self.grams.append(grams)

    def repeats(self, passage: Passage) -> bool:
        """Overlapping source lines with shared text (a flattened source line can hold two
        sections' headings, so overlap alone is not enough), or a near-copy anywhere."""
        grams = bigrams(passage.text)
        for (a, b), other in zip(self.spans.get(passage.chunk.doc_id, []), self.doc_grams.get(passage.chunk.doc_id, [])):
            if a <= passage.end_line and passage.start_line <= b and containment(grams, other) > SHARED_TEXT:
                return True
        return any(containment(grams, other) > NEAR_DUPLICATE for other in self.grams)


def bigrams(text: str) -> set[str]:
    chars = re.sub(r"\s+", "", text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def containment(a: set[str], b: set[str]) -> float:
    """|A ∩ B| / min(|A|, |B|): near 1 when one text is (almost) inside the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _is_signature(text: str, organisation: str) -> bool:
    """A closing line: "东山学校", "2019年5月20日", "德新初中学校 2012年8月26日"."""
    text = text.strip()
    return bool(SIGNATURE.match(text)) or (bool(organisation) and text == organisation) or bool(
        len(text) <= 20 and ORG.fullmatch(text))


def _is_heading(text: str) -> bool:
    marker = parse_marker(text)
    return bool(marker and marker.title_like) or (len(text) <= 30 and not re.search(r"[。;\uff1b]", text[:-1]))


class _Prefetched:
    """An embedder that answers queries from vectors computed beforehand in one batch: an outline
    asks ~15 queries, and one batch costs about as much as two single encodes."""

    MAX_CACHED = 512

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.name = embedder.name
        self.dim = embedder.dim
        self.cache: dict[str, np.ndarray] = {}

    def prefetch(self, texts: list[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if not missing:
            return
        if len(self.cache) + len(missing) > self.MAX_CACHED:
            self.cache.clear()
        vectors = self.embedder.encode_queries(missing)
        self.cache.update(zip(missing, np.asarray(vectors, dtype=np.float32)))

    def encode(self, texts, progress=None):
        """Passages are not prefetched: straight to the model."""
        return self.embedder.encode(texts, progress)

    def encode_queries(self, texts):
        found = {text: self.cache.get(text) for text in texts}
        missing = [text for text, vector in found.items() if vector is None]
        if missing:  # not prefetched, or dropped by another outline's prefetch meanwhile
            vectors = np.asarray(self.embedder.encode_queries(missing), dtype=np.float32)
            found.update(zip(missing, vectors))
        return np.stack([found[text] for text in texts])


class ExampleFinder:
    """Chooses example passages from one index. Build once per index; pass a `Seen` per outline."""

    def __init__(self, searcher: Searcher):
        embedder = _Prefetched(searcher.embedder) if searcher.embedder is not None else None
        self.searcher = Searcher(searcher.index, embedder)
        self.embedder = embedder
        self.index = searcher.index
        self.topic: dict[str, float] = {}  # doc id -> off-topic penalty
        self.kinds: dict[str, set[str]] = {}
        for doc in self.index.documents:
            lines = self.index.lines.get(doc["id"], [])
            body = "".join(line.text for line in lines[1:]) or "-"
            density = 1000 * len(_SCHOOL_WORDS.findall(body)) / len(body)
            self.topic[doc["id"]] = (OFF_TOPIC_PENALTY * (1.0 - min(1.0, density / SCHOOL_DENSITY))
                                     + UNBALANCED_PENALTY * (1.0 - min(1.0, body.count("均衡") / 3)))
            kinds = {doc["kind"]}
            opening = "".join(line.text for line in lines[:4])[:300]
            kinds.update(kind for kind, pattern in _KIND_HINTS if pattern.search(opening))
            self.kinds[doc["id"]] = kinds
        self.sections: dict[str, list] = {}
        for section in self.index.sections:
            self.sections.setdefault(section.doc_id, []).append(section)

    def lines_of(self, chunk: Chunk) -> list[Line]:
        """The chunk's text lines, each with the source lines it came from."""
        doc_lines = [l for l in self.index.lines.get(chunk.doc_id, [])
                     if l.start >= chunk.start_line and l.end <= chunk.end_line]
        out: list[Line] = []
        cursor = 0
        for piece in chunk.text.split("\n"):
            found = None
            for i in range(cursor, len(doc_lines)):
                if piece and (piece in doc_lines[i].text or doc_lines[i].text in piece):
                    found = i
                    break
            if found is None:
                out.append(Line(piece, chunk.start_line, chunk.end_line, chunk.page))
            else:
                out.append(Line(piece, doc_lines[found].start, doc_lines[found].end, chunk.page))
                cursor = found
        return out

    def cut(self, chunk: Chunk, document: dict, match: tuple[str, ...]) -> tuple[list[Line], float]:
        """The part of a chunk that fits the section, and how well its heading fits (1: the part's
        own heading holds a `match` word; 0.6: only its section path does; 0).

        A chunk may hold the end of one section and the start of the next ("四、存在的主要问题 …
        五、今后的措施和办法 …") or several groups ("6.校园文化建设组 … 7.档案材料工作组 …"). Unless
        its first line or its section path fits, the part starts at the first heading inside
        holding a `match` word; it ends before the next heading of the same style or the next
        一、 heading. Leading document titles and a
        leading line that is only the organisation's name are dropped."""
        lines = self.lines_of(chunk)
        organisation = document.get("organisation") or ""
        while len(lines) > 1 and (lines[0].text.strip() in (document["title"], organisation)
                                  or is_title_like(lines[0].text)
                                  or re.match(r"^第[一二三四五六七八九十]{1,3}篇", lines[0].text)):
            lines = lines[1:]

        def fits(line: Line, inner: bool = False) -> bool:
            if inner:  # inside a chunk only a real heading, not a short list item, may start the part
                marker = parse_marker(line.text)
                if not (marker and (marker.title_like or marker.rank <= 2)):
                    return False
            return _is_heading(line.text) and any(word in line.text[:40] for word in match)

        in_path = any(word in " ".join(chunk.section_path[-2:]) for word in match)
        if fits(lines[0]):
            start, fit = 0, 1.0
        elif in_path:
            start, fit = 0, 0.6
        else:
            start = next((i for i in range(1, len(lines)) if fits(lines[i], inner=True)), 0)
            fit = 1.0 if start else 0.0
        # a part that starts at a fitting heading ends at its next sibling; otherwise at the next 一、
        marker = parse_marker(lines[start].text) if fit == 1.0 else None
        end = len(lines)
        for j in range(start + 1, len(lines)):
            other = parse_marker(lines[j].text)
            sibling = marker and other and other.style == marker.style and (marker.rank <= 2 or other.title_like)
            if _TOP_HEADING.match(lines[j].text) or sibling:
                end = j
                break
        part = lines[start:end]
        while len(part) > 1 and _is_signature(part[-1].text, organisation):
            part = part[:-1]
        return part, fit

    def section_of(self, doc_id: str, start: int, end: int, fallback: str) -> str:
        """The heading path of the deepest section that holds source lines start..end."""
        best = None
        for section in self.sections.get(doc_id, []):
            if section.start_line <= start and end <= section.end_line and (best is None or section.level >= best.level):
                best = section
        return " › ".join(best.path) if best is not None else fallback

    def prefetch(self, queries: list[str]) -> None:
        """Embed the queries of a whole outline in one batch."""
        if self.embedder is not None:
            self.embedder.prefetch([self.searcher.understand(q[:MAX_QUERY_CHARS]).query.dense_text for q in queries])

    def candidates(self, query: str, match: tuple[str, ...], must: tuple[str, ...], kinds: tuple[str, ...]
                   ) -> list[Passage]:
        """Passages that could illustrate one section, best fit first (see the module docstring)."""
        hits = self.searcher.search(query[:MAX_QUERY_CHARS], DEPTH)
        if not hits:
            return []
        top = max(hit.score for hit in hits) or 1.0
        ranked: list[Passage] = []
        for hit in hits:
            lines, heading_fit = self.cut(hit.chunk, hit.document, match)
            text = "\n".join(line.text for line in lines).strip()
            body = "".join(line.text for line in lines[1:]) if len(lines) > 1 else text
            if len(body) < MIN_BODY_CHARS or _BOILERPLATE.search(text):
                continue
            if must and not any(word in text for word in must):
                continue
            doc_kinds = self.kinds.get(hit.chunk.doc_id, {hit.document["kind"]})
            fit = hit.score / top
            if kinds and kinds[0] in doc_kinds:
                fit += KIND_BONUS
            elif doc_kinds & set(kinds):
                fit += RELATED_KIND_BONUS
            if heading_fit:
                fit += HEADING_BONUS * heading_fit
            elif any(word in text for word in match):
                fit += TEXT_MATCH_BONUS
            fit -= self.topic.get(hit.chunk.doc_id, 0.0)
            if len(text) < SHORT_CHARS:
                fit -= SHORT_PENALTY
            if kinds and kinds[0] not in LIST_KINDS and len(set(hit.chunk.codes) | set(extract_codes(text))) >= 2:
                fit -= LIST_PENALTY
            if fit < MIN_FIT:
                continue
            first, last = min(l.start for l in lines), max(l.end for l in lines)
            section = self.section_of(hit.chunk.doc_id, first, last, hit.chunk.section)
            ranked.append(Passage(hit.chunk, hit.document, text, first, last, fit, section))
        ranked.sort(key=lambda p: (-p.fit, p.chunk.id))
        return ranked

    def choose_all(self, requests: list[Request], kinds: tuple[str, ...], seen: Seen) -> list[list[Passage]]:
        """Examples for every section of an outline at once. Round by round (first example, second,
        third), sections pick in order of their best remaining fit, so a passage that fits two
        sections goes to the one it fits better, and no passage is used twice."""
        self.prefetch([r.query for r in requests])
        pools = [self.candidates(r.query, r.match, r.must, kinds) if r.n > 0 else [] for r in requests]
        chosen: list[list[Passage]] = [[] for _ in requests]

        def next_free(i: int) -> Passage | None:
            """The best passage not used yet; one from a document already shown in this section
            counts SAME_DOCUMENT_PENALTY less (other schools first, but a second, distinct part of
            one document beats a poor passage from another)."""
            best, best_fit = None, float("-inf")
            for passage in pools[i]:
                fit = passage.fit - (SAME_DOCUMENT_PENALTY if any(p.chunk.doc_id == passage.chunk.doc_id
                                                                  for p in chosen[i]) else 0.0)
                if fit > best_fit and fit >= MIN_FIT and not seen.repeats(passage):
                    best, best_fit = passage, fit
            return best

        for round_ in range(max((r.n for r in requests), default=0)):
            waiting = [i for i, r in enumerate(requests) if r.n > round_ and len(chosen[i]) == round_]
            best = {i: next_free(i) for i in waiting}
            for i in sorted(waiting, key=lambda i: -(best[i].fit if best[i] else -1.0)):
                passage = next_free(i)
                if passage is not None:
                    chosen[i].append(passage)
                    seen.add(passage)
        return chosen
