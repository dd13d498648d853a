"""Which lines of the ranked passages answer: the items under a heading when the question asks
for items, what follows "如下 / 以下 / 下列" when that is what is asked, the line that names people
for a who-question, the sentences with figures (and their units) for a figure question, never a
signature or a bare heading unless nothing else answers; each part of a two-part question from
the passage that answers that part. An article of a law is quoted whole when it is short, else
its key sentences after the article number.

The passages come in the ranking stage's order; selection never reorders them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..index.tokenization import tokenize
from ..retrieval.assembly import Passage
from ..retrieval.evidence import Weights
from ..retrieval.facts import is_signature, states
from ..retrieval.intent import ASKED_KINDS, Intent
from ..retrieval.names import name_groups, names_any
from ..retrieval.question import Question
from ..retrieval.units import unit_match

_SENTENCE = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])")
_LEAD_IN = re.compile(r"(如下|以下|下列|如次|名单|分别是|分别为|包括|主要有|有以下)[^。;;]{0,12}[::]?\s*$|[::]\s*$")
_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+条")
#: A section this short is quoted whole (heading and body) rather than cut to its key sentences.
SHORT_SECTION = 300
#: An article of a law this short is quoted whole.
SHORT_ARTICLE = 500
#: Characters of items quoted after a lead-in line ("组成人员如下:").
LEAD_IN_ITEMS = 600
#: A sentence scoring this share of the best one is quoted beside it (at most `KEY_SENTENCES`).
SECOND_SHARE = 0.6
KEY_SENTENCES = 2
#: For a figure question: it often asks for several figures ("合格率和毕业率", "学生和老师").
KEY_FIGURE_SENTENCES = 3
#: Weight kept by a question word that the passage's title or heading path already holds.
CONTEXT_SHARE = 0.3


@dataclass
class Sentence:
    text: str
    line: int  # index of its line in the passage
    heading: bool  # the passage's own heading line


@dataclass
class Quote:
    passage: int  # 0-based position in the ranked passages
    text: str
    whole: bool  # the whole passage (a section, a short article)


def sentences_of(passage: Passage) -> list[Sentence]:
    heading = passage.section_path[-1] if passage.section_path else ""
    out = []
    for n, line in enumerate(passage.lines):
        is_heading = n == 0 and bool(heading) and line.text.strip().startswith(heading.rstrip("…"))
        for piece in _SENTENCE.split(line.text):
            if piece.strip():
                out.append(Sentence(piece.strip(), n, is_heading and len(line.text) <= len(heading) + 2))
    return out


def is_article(passage: Passage) -> bool:
    return bool(passage.section_path) and bool(re.fullmatch(r"第[零〇一二两三四五六七八九十百千\d]+条", passage.section_path[-1]))


class SentenceScorer:
    """Score = IDF-weighted share of the question's content words the sentence holds (synonyms
    count), + 0.5 when it states what is asked (a figure, a date, names, a rule), + 0.25 when its
    figure has the asked unit; a signature line or a bare heading scores nothing unless asked."""

    def __init__(self, weights: Weights, intent: Intent):
        self.intent = intent
        self.groups, self.weights, self.total = weights.groups, list(weights.idfs), weights.total
        self.context = ""
        self._context_weights = self.weights

    def within(self, passage: Passage) -> "SentenceScorer":
        """Score the sentences of `passage`: the question's words that its title and heading path
        already hold (the school's name, the group's name) tell its sentences apart less, and count
        CONTEXT_SHARE of their weight."""
        context = f"{passage.title} {passage.section}"
        if context != self.context:
            tokens = set(tokenize(context))
            self._context_weights = [w * (CONTEXT_SHARE if g.presence(tokens, context) >= 1.0 else 1.0)
                                     for g, w in zip(self.groups, self.weights)]
            self.context = context
        return self

    def coverage(self, text: str) -> float:
        total = sum(self._context_weights)
        if not total:
            return 0.0
        tokens = set(tokenize(text))
        return sum(w * g.presence(tokens, text) for g, w in zip(self.groups, self._context_weights)) / total

    def score(self, sentence: Sentence) -> float:
        text = sentence.text
        if is_signature(text) and "date" not in self.intent.kinds:
            return 0.0
        score = self.coverage(text)
        asked = [k for k in ASKED_KINDS if k in self.intent.kinds]
        if asked and any(states(k, text) for k in asked):
            score += 0.5
        if "figure" in self.intent.kinds and unit_match(self.intent.unit, text):
            score += 0.25
        if sentence.heading:
            score *= 0.3
        return score


def key_sentences(scorer: SentenceScorer, sentences: list[Sentence]) -> list[int]:
    """Positions of the best sentences (reading order), lead-ins extended to the items they lead to."""
    scores = [scorer.score(s) for s in sentences]
    if not sentences:
        return []
    best = max(scores)
    if best <= 0:
        return [0]
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    limit = KEY_FIGURE_SENTENCES if scorer.intent.wants_figure else KEY_SENTENCES
    # others join the best on the question's words they hold, not on stating some figure
    covers = [scorer.coverage(s.text) for s in sentences]
    top = covers[ranked[0]]
    chosen = [ranked[0]] + [i for i in ranked[1:limit] if scores[i] >= SECOND_SHARE * best
                            and covers[i] > 0]
    extra = []
    for i in chosen:
        if _LEAD_IN.search(sentences[i].text) or len(sentences[i].text) < 12:
            size = 0
            for j in range(i + 1, len(sentences)):
                if size > LEAD_IN_ITEMS or (j > i + 1 and not _LEAD_IN.search(sentences[i].text)):
                    break
                extra.append(j)
                size += len(sentences[j].text)
    return sorted(set(chosen + extra))


def _join(sentences: list[Sentence], picked: list[int]) -> str:
    parts, previous_line = [], None
    for i in picked:
        s = sentences[i]
        if previous_line is not None and s.line != previous_line:
            parts.append("\n")
        parts.append(s.text)
        previous_line = s.line
    return "".join(parts)


def _wants_whole(question: Question, intent: Intent, passage: Passage) -> bool:
    if not passage.section_id or len(passage.lines) <= 1:
        return len(passage.text) <= SHORT_SECTION and "figure" not in intent.kinds and bool(passage.section_id)
    if "figure" in intent.kinds or "date" in intent.kinds:
        return False
    return "list" in intent.kinds or names_section(question, passage) or len(passage.text) <= SHORT_SECTION


def names_section(question: Question, passage: Passage) -> bool:
    """Does the question name the passage's section ("三个优先", "A2保障机制组")?"""
    if not passage.section_path:
        return False
    heading = passage.section_path[-1]
    tokens = set(tokenize(heading))
    groups = question.weights.groups
    named = [g for g in groups if g.presence(tokens, heading) >= 0.5]
    return bool(groups) and len(named) / len(groups) >= 0.5


def quote_passage(question: Question, intent: Intent, passage: Passage, scorer: SentenceScorer, index: int) -> Quote:
    """The lines of one passage that answer."""
    scorer = scorer.within(passage)
    if is_article(passage):
        if len(passage.text) <= SHORT_ARTICLE:
            return Quote(index, passage.text, True)
        sentences = sentences_of(passage)
        picked = key_sentences(scorer, sentences)
        text = _join(sentences, picked)
        label = passage.section_path[-1]
        if not _ARTICLE.match(text):
            text = f"{label} ……{text}"
        return Quote(index, text, False)
    if _wants_whole(question, intent, passage):
        return Quote(index, passage.text, True)
    sentences = sentences_of(passage)
    return Quote(index, _join(sentences, key_sentences(scorer, sentences)), False)


def _each_place(question: Question, passages: list[Passage], scorer: SentenceScorer,
                quotes: list[Quote]) -> list[Quote]:
    """A question about two or more places or schools ("In Shanghai and Zhejiang, which fees…",
    "曹集学校和德新镇初中的师生比"): for each one no quoted passage names, the first passage that does
    is quoted too (service.py makes sure there is one when the documents have it)."""
    groups = name_groups(question.names)
    if len(groups) < 2:
        return []
    out: list[Quote] = []
    for group in groups:
        quoted = [passages[q.passage] for q in quotes + out]
        if any(names_any(group, f"{p.title} {p.text}") for p in quoted):
            continue
        n = next((n for n, p in enumerate(passages) if names_any(group, f"{p.title} {p.text}")), None)
        if n is not None:
            out.append(quote_passage(question, question.intent, passages[n], scorer, n))
    return out


def select(question: Question, passages: list[Passage], depth: int = 3) -> list[Quote]:
    """The quotes that make the answer: from the first passage, and for a question in several
    parts, the best sentence of each part not already quoted (from the first `depth` passages)."""
    if not passages:
        return []
    intent = question.intent
    scorer = SentenceScorer(question.weights, intent)
    quotes = [quote_passage(question, intent, passages[0], scorer, 0)]
    if intent.unit is not None and not unit_match(intent.unit, quotes[0].text):
        # the first passage states no figure of the asked kind: the best sentence that does, from the next
        best = None
        for n, passage in enumerate(passages[1:depth], start=1):
            for sentence in sentences_of(passage):
                if unit_match(intent.unit, sentence.text):
                    score = scorer.within(passage).score(sentence) - 0.1 * n
                    if best is None or score > best[0]:
                        best = (score, n, sentence)
        if best is not None and best[0] > 0.5:
            quotes.append(Quote(best[1], best[2].text, False))
    quotes += _each_place(question, passages, scorer, quotes)
    for part in question.parts:
        if not part.weights.groups:
            continue
        part_scorer = SentenceScorer(part.weights, part.intent)
        best = None
        for n, passage in enumerate(passages[:depth]):
            for s in sentences_of(passage):
                score = part_scorer.within(passage).score(s) - 0.1 * n
                if best is None or score > best[0]:
                    best = (score, n, s)
        if best is None or best[0] <= 0:
            continue
        _, n, sentence = best
        if any(sentence.text in q.text for q in quotes):
            continue
        same = next((q for q in quotes if q.passage == n and not q.whole), None)
        if same is not None:
            same.text += "\n" + sentence.text
        else:
            quotes.append(Quote(n, sentence.text, False))
    return quotes
