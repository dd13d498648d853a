"""Which lines of the ranked passages answer, chosen by the learned unit model (learned.py).

The passage with the likeliest unit is the one answered from (the first passage, when it is the
article the question looks up by law and number). It is quoted whole when it is a section the question
asks for as a list or names, a short section or a short article (structure, not a guess); else its
likely units are quoted. Then every other passage's units that the model finds likely are quoted too,
so a question in several parts, or about two schools, gets each part from the passage that states it.
The passages keep the ranking stage's order and numbers; selection only chooses among them."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..documents import is_table_row
from ..language.tokenization import tokenize
from ..retrieval.assembly import Passage
from ..retrieval.names import name_groups, names_any
from ..retrieval.question import Question
from .config import DEFAULT, AnswerConfig
from .learned import LEAD_IN, Unit

_ARTICLE = re.compile(r"^第[零〇一二两三四五六七八九十百千\d]+条")
#: Marks what a quote leaves out between two quoted pieces.
GAP = "……"
#: A sentence that qualifies the one before it in the same paragraph (款) of a law: a 但书 ("但是，有下列
#: 情形之一的除外"), an exception; quoted with the sentence it qualifies, never dropped.
_QUALIFIES = re.compile(r"^(?:但是|但)|除外[。；;]?$")


@dataclass
class Quote:
    passage: int  # 0-based position in the ranked passages
    text: str
    whole: bool  # the whole passage (a section, a short article)


def is_article(passage: Passage) -> bool:
    return bool(passage.section_path) and bool(re.fullmatch(r"第[零〇一二两三四五六七八九十百千\d]+条", passage.section_path[-1]))


def names_section(question: Question, passage: Passage) -> bool:
    """Does the question name the passage's section ("三个优先", "A2保障机制组")?"""
    if not passage.section_path:
        return False
    heading = passage.section_path[-1]
    tokens = set(tokenize(heading))
    groups = question.weights.groups
    named = [g for g in groups if g.presence(tokens, heading) >= 0.5]
    return bool(groups) and len(named) / len(groups) >= 0.5


def wants_whole(question: Question, passage: Passage, config: AnswerConfig = DEFAULT) -> bool:
    """Is the passage quoted whole: a short article; an assembled section asked for as a list or named
    by the question, or short enough to read at once (not for a figure or a date, which is a line)?"""
    intent = question.intent
    if is_article(passage):
        return len(passage.text) <= config.short_article
    if not passage.section_id or len(passage.lines) <= 1:
        return len(passage.text) <= config.short_section and "figure" not in intent.kinds and bool(passage.section_id)
    if "figure" in intent.kinds or "date" in intent.kinds:
        return False
    if intent.kinds & {"who", "where"} and "list" not in intent.kinds:
        return False  # one line answers (组长:张宗海): it is quoted, not the whole section it heads
    return "list" in intent.kinds or names_section(question, passage) or len(passage.text) <= config.short_section


def _with_lead_ins(units: list[Unit], picked: list[int], limit: int) -> list[int]:
    """A chosen lead-in ("具体分工如下:") brings the items that follow it in its passage (up to `limit`
    characters)."""
    extra = []
    for i in picked:
        if not LEAD_IN.search(units[i].text):
            continue
        size = 0
        for j in range(i + 1, len(units)):
            if units[j].passage != units[i].passage or size > limit:
                break
            extra.append(j)
            size += len(units[j].text)
    return sorted(set(picked) | set(extra))


def _with_table(units: list[Unit], picked: list[int], limit: int) -> list[int]:
    """For a question that ranks or compares rows ("哪个…最低"): a picked table row brings the rows of its
    table in the passage (the run of table rows around it), up to `limit` characters."""
    out = set(picked)
    for i in picked:
        if not is_table_row(units[i].text):
            continue
        run = [i]
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(units) and units[j].passage == units[i].passage and is_table_row(units[j].text):
                run.append(j)
                j += step
        size = 0
        for j in sorted(run, key=lambda j: abs(j - i)):  # the nearest rows first, when the table is long
            size += len(units[j].text)
            if size > limit:
                break
            out.add(j)
    return sorted(out)


def _join(units: list[Unit], picked: list[int]) -> str:
    """The picked units in reading order; where units between two of them are left out, "……" says so."""
    parts, previous = [], None
    for i in sorted(picked):
        if previous is not None:
            if units[i].line != units[previous].line:
                parts.append("\n")
            if i != previous + 1:
                parts.append(GAP)
        parts.append(units[i].text)
        previous = i
    return "".join(parts)


def _with_qualifiers(units: list[Unit], picked: list[int]) -> list[int]:
    """Each picked sentence of a law brings the sentences of its paragraph that qualify it (但书, 除外)."""
    out = set(picked)
    for i in picked:
        j = i + 1
        while j < len(units) and units[j].passage == units[i].passage and units[j].line == units[i].line \
                and _QUALIFIES.search(units[j].text):
            out.add(j)
            j += 1
    return sorted(out)


def part_units(parts: np.ndarray | None, floor: float) -> set[int]:
    """For a question in several parts: the likeliest unit of each part (a column of chances per part),
    each part a unit of its own (the surest part chooses first: two parts ask two things), when at
    least `floor` likely."""
    if parts is None or parts.size == 0:
        return set()
    chosen: set[int] = set()
    for k in sorted(range(parts.shape[1]), key=lambda k: -parts[:, k].max()):
        column = parts[:, k].copy()
        column[list(chosen)] = -1.0
        best = int(np.argmax(column))
        if column[best] >= floor:
            chosen.add(best)
    return chosen


def place_units(question: Question, passages: list[Passage], units: list[Unit], probabilities: np.ndarray,
                primary: int) -> set[int]:
    """For a question about two or more places or schools ("青山小学和白水中学各有多少名学生?"): the likeliest
    unit of the passages about each place the answer's passage does not name."""
    groups = name_groups(question.names)
    if len(groups) < 2:
        return set()
    about = [f"{p.title} {p.text}" for p in passages]
    chosen: set[int] = set()
    for group in groups:
        if primary < len(about) and names_any(group, about[primary]):
            continue
        mine = [i for i, u in enumerate(units) if u.passage < len(about) and names_any(group, about[u.passage])]
        if mine:
            chosen.add(max(mine, key=lambda i: probabilities[i]))
    return chosen


def choose(question: Question, passages: list[Passage], units: list[Unit], probabilities: np.ndarray,
           whole: list[bool], select_at: float, exact: bool = False,
           parts: np.ndarray | None = None, select_ratio: float = 1.0,
           config: AnswerConfig = DEFAULT) -> tuple[list[Quote], int]:
    """The quotes of the answer and the passage answered from (see the module docstring). `exact`: the
    first passage is the article the question looks up by law and number: it is the answer, alone.
    `parts`: the chance of each unit for each part of a question in several parts (a column per part)."""
    if not passages:
        return [], 0
    if not units:
        return [Quote(0, passages[0].text, True)], 0
    best = int(np.argmax(probabilities))
    primary = 0 if exact else units[best].passage
    parts = part_units(parts, config.part_floor)
    ranked = np.argsort(-probabilities, kind="stable")[:config.top_units]
    parts |= {int(i) for i in ranked if probabilities[i] >= select_ratio * probabilities[best]}
    parts |= place_units(question, passages, units, probabilities, primary)
    quotes: list[Quote] = []
    order = [primary] + [n for n in range(len(passages)) if n != primary]
    for n in order:
        mine = [i for i, u in enumerate(units) if u.passage == n]
        if n == primary and n < len(whole) and whole[n]:
            quotes.append(Quote(n, passages[n].text, True))
            continue
        if exact and n == primary and len(passages[n].text) <= config.asked_article:
            quotes.append(Quote(n, passages[n].text, True))  # the article asked for by number, whole
            continue
        if exact and n != primary:
            continue
        likely = [i for i in mine if probabilities[i] >= select_at or i in parts]
        if n == primary:
            top = max(mine, key=lambda i: probabilities[i]) if mine else None
            likely = likely or ([top] if top is not None else [])
        if not likely:
            continue
        likely = sorted(sorted(likely, key=lambda i: -probabilities[i])[:config.units_per_passage])
        picked = _with_lead_ins(units, likely, config.lead_in_items)
        if question.intent.ranks:
            picked = _with_table(units, picked, config.table_rows)
        if is_article(passages[n]):
            picked = _with_qualifiers(units, picked)
        quoted = "".join(q.text for q in quotes)
        picked = [i for i in picked if units[i].text not in quoted]
        if not picked:
            continue
        text = _join(units, picked)
        passage = passages[n]
        if is_article(passage) and not _ARTICLE.match(text):
            text = f"{passage.section_path[-1]} ……{text}"
        quotes.append(Quote(n, text, False))
    return quotes, primary
