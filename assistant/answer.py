"""Answer text with numbered citations, built from assembled passages (extractive: every figure is
quoted exactly as the document writes it). Says plainly when the corpus has no answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .index.lexical import LexicalIndex
from .index.tokenization import tokenize
from .retrieval.assembly import Passage
from .retrieval.evidence import GENERIC, best_first, content_groups, window_coverage
from .retrieval.query import Query

_SENTENCE = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])|\n")
_QUANTITY = re.compile(r"多少|几[个名所间人套册天次年]|比例|比是|率|面积|how many|how much|ratio|rate|area|number of|amount", re.I)
_LISTING = re.compile(r"哪些|什么材料|什么资料|职责|任务|措施|做法|内容|包括|目标|要求|怎样|如何|是怎样|"
                      r"\bwhat (?:must|should|do|does|are)\b|\bwhich\b|\blist\b|duties|responsibilit|tasks|measures|steps|materials|how (?:is|are|does|did|do)", re.I)
#: Questions that ask for a figure or a date: a passage with no figure in its key sentences does not answer them.
_ASKS_FIGURE = re.compile(r"多少|几[个名所间人套册天次年辆台位岁点项条种小]|多大|多高|多长|多远|多久|"
                          r"什么时候|何时|哪一?年|几月|"
                          r"how (?:many|much|large|big|long|old)|what (?:percentage|proportion|share)", re.I)
_FIGURE = re.compile(r"[0-9\uff10-\uff19]|百分之|[〇零一二三四五六七八九十百千万亿两半]+\s*"
                     r"(?:个|名|所|人|间|套|册|天|次|年|辆|台|位|岁|点|项|条|种|小时|分钟|周|月|元|万|亿|亩|"
                     r"平方米|米|倍|节|课时|成|层|栋|班|批)")
_NOT_A_FIGURE = re.compile(r"^\s*[((]?[0-9一二三四五六七八九十]{1,3}[))、.．]|[A-Z]\d+(?:[-:][A-Z]?\d+)*")
#: Questions that ask when: for them a year is the answer, for the others it is no figure.
_ASKS_DATE = re.compile(r"什么时候|何时|哪一?年|几月|\bwhen\b|what year", re.I)
#: Years written as years: a range (2012-2014) or with 年 (2014年, 2014年5月, 2014年5月12日).
_YEAR = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}\s*年?(?:度)?|"
                   r"(?:19|20)\d{2}\s*年(?:度)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?")
#: Below this share of the question's (IDF-weighted) content found in the best passage, the
#: corpus is taken not to answer the question.
FOUND_THRESHOLD = 0.5
#: The answer's framing, in the question's language; the quoted passages stay as written.
PHRASES = {
    "zh": {
        "not_found": "资料中没有找到这个问题的答案。下面是最接近的段落,仅供参考,它们并不回答这个问题。",
        "where": "《{title}》", "where_section": "《{title}》“{heading}”",
        "whole": "{where}[1]:\n{text}", "sentences": "根据{where}[1]:{text}",
        "cut": "\n(该部分较长,以上只摘录了前面部分;全文见 {source} 第{start}–{end}行之后。)",
        "related": "\n另见 {refs}。", "sep": "、",
        "empty": "资料中没有找到与这个问题相关的内容。",
    },
    "en": {
        "not_found": "The documents do not answer this question. The closest passages are listed below for "
                     "reference; they do not answer it.",
        "where": "“{title}”", "where_section": "“{title}”, section “{heading}”",
        "whole": "From {where} [1] (quoted in the original Chinese):\n{text}",
        "sentences": "According to {where} [1] (original Chinese): {text}",
        "cut": "\n(The section is long; only its beginning is quoted. It continues after line {end} of {source}.)",
        "related": "\nSee also {refs}.", "sep": ", ",
        "empty": "The documents contain nothing related to this question.",
    },
}
#: A section this short is quoted whole (heading and body) rather than cut to its key sentences.
SHORT_SECTION = 300
#: Other passages are pointed to ("see also") only when they hold this much of the question.
RELATED_THRESHOLD = 0.75


@dataclass
class Answer:
    question: str
    resolved_question: str
    lang: str
    found: bool
    text: str
    passages: list[Passage] = field(default_factory=list)
    coverage: float = 0.0

    def citations(self) -> list[dict]:
        return [{"n": n, "doc_id": p.doc_id, "title": p.title, "source": p.source, "section": p.section,
                 "start_line": p.start_line, "end_line": p.end_line, "page": p.page, "text": p.text,
                 "score": round(float(p.score), 6)} for n, p in enumerate(self.passages, start=1)]

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.text, "citations": self.citations(),
                "resolved_question": self.resolved_question, "lang": self.lang, "found": self.found,
                "coverage": round(self.coverage, 3)}


def content_tokens(query: Query) -> list[tuple[str, float]]:
    """(token, weight) of the question's content words."""
    return [(t, w) for t, w in zip(query.tokens, query.weights)
            if len(t) >= 2 and t not in GENERIC and not t.isdigit()]


def passage_coverage(query: Query, passage: Passage, lexical: LexicalIndex) -> float:
    """Question coverage of the passage's title and heading path with its best two adjacent
    sentences: the question's words must occur together."""
    return window_coverage(query, " ".join([passage.title, passage.section]), passage.text, lexical)


def names_section(query: Query, passage: Passage) -> bool:
    """Does the question name the passage's section ("三个优先", "A2保障机制组")?"""
    if not passage.section_path:
        return False
    heading = set(tokenize(passage.section_path[-1]))
    groups = content_groups(query)
    named = [g for g in groups if g.presence(heading, passage.section_path[-1]) >= 0.5]
    return bool(groups) and len(named) / len(groups) >= 0.5


def key_sentences(query: Query, text: str, lexical: LexicalIndex, limit: int = 2, heading: str = "") -> list[str]:
    """The sentences of `text` that carry most of the question's content, in reading order. The
    section's own heading line (already named in the answer) is chosen only when nothing else is."""
    wanted = dict(content_tokens(query))
    wants_figure = bool(_QUANTITY.search(query.text))
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    scored = []
    for i, sentence in enumerate(sentences):
        tokens = set(tokenize(sentence))
        score = sum(lexical.idf(t) * w for t, w in wanted.items() if t in tokens)
        if wants_figure and has_figure(sentence):
            score *= 1.5
        scored.append((score, i))
    if heading and len(sentences) > 1:
        body = [(score, i) for score, i in scored if sentences[i] != heading.strip()]
        if any(score > 0 for score, _ in body):
            scored = body
    best = max((s for s, _ in scored), default=0.0)
    if best <= 0:
        return sentences[:1]
    chosen = sorted(i for s, i in sorted(scored, reverse=True)[:limit] if s >= 0.6 * best)
    return [sentences[i] for i in chosen]


def has_figure(sentence: str, dates: bool = False) -> bool:
    """Does the sentence state a figure (list numbers and indicator codes do not count, nor years
    unless `dates`: "2012-2014学校绩效工资发放单" states no amount of pay)?"""
    text = _NOT_A_FIGURE.sub("", sentence)
    return bool(_FIGURE.search(text if dates else _YEAR.sub("", text)))


def answering_passage(query: Query, passages: list[Passage], covers: list[float], lexical: LexicalIndex
                      ) -> tuple[int, list[str]] | None:
    """The passage that answers: the top one when it holds enough of the question (`covers`: each
    passage's coverage); for a question that asks for a figure, the first in ranked order that holds
    enough of it and states a figure in its key sentences. (Its position, key sentences), or None."""
    asks_figure = bool(_ASKS_FIGURE.search(query.text))
    dates = bool(_ASKS_DATE.search(query.text))
    for n, passage in enumerate(passages if asks_figure else passages[:1]):
        if covers[n] < FOUND_THRESHOLD:
            continue
        sentences = key_sentences(query, passage.text, lexical, heading=_heading(passage))
        if not asks_figure or any(has_figure(s, dates) for s in sentences):
            return n, sentences
    return None


def _heading(passage: Passage) -> str:
    return passage.section_path[-1] if passage.section_path else ""


def compose(query: Query, original: str, resolved: str, lang: str, passages: list[Passage],
            lexical: LexicalIndex) -> Answer:
    """The answer text: a plain 'not found', a whole section (lists, duties, measures), or the key
    sentences (figures), each with its citation number."""
    if not passages:
        return Answer(original, resolved, lang, False, PHRASES["zh" if lang == "zh" else "en"]["empty"])
    say = PHRASES["zh" if lang == "zh" else "en"]
    # the passages that hold most of the question first (window coverage, computed once per passage)
    covered = [(p, passage_coverage(query, p, lexical)) for p in passages]
    covered = best_first(covered, [c for _, c in covered])
    passages, covers = [p for p, _ in covered], [c for _, c in covered]
    chosen = answering_passage(query, passages, covers, lexical)
    if chosen is None:
        return Answer(original, resolved, lang, False, say["not_found"], passages, covers[0])
    n, sentences = chosen
    order = [n] + [i for i in range(len(passages)) if i != n]
    passages, covers = [passages[i] for i in order], [covers[i] for i in order]
    top, cover = passages[0], covers[0]
    heading = _heading(top)
    whole_section = bool(top.section_id and len(top.lines) > 1 and not _QUANTITY.search(query.text)
                         and (_LISTING.search(query.text) or names_section(query, top)
                              or len(top.text) <= SHORT_SECTION))
    related = [n for n, c in enumerate(covers[1:], start=2) if c >= RELATED_THRESHOLD]
    where = say["where_section" if heading else "where"].format(title=top.title, heading=heading)
    if whole_section:
        body = say["whole"].format(where=where, text=top.text)
    else:
        body = say["sentences"].format(where=where, text="".join(sentences))
    if top.cut:
        body += say["cut"].format(source=top.source, start=top.start_line, end=top.end_line)
    if related:
        body += say["related"].format(refs=say["sep"].join(f"[{n}]" for n in related))
    return Answer(original, resolved, lang, True, body, passages, cover)
