"""The answer a person reads: the quoted lines (selection.py, chosen by the learned unit model) framed
in the question's language, each passage cited as [n] in the ranking stage's order, and the found /
unsure / not-found decision (the learned found and sure models: learned.py). Extractive: every figure
is quoted exactly as the document writes it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from ..collection import of_id
from ..index.store import IndexData
from ..retrieval.assembly import Passage
from ..retrieval.lookup import superseded_by
from ..retrieval.question import Question
from ..retrieval.search import Hit
import numpy as np

from ..documents import TABLE_CELL
from ..retrieval.facts import has_date, has_figure
from ..retrieval.units import unit_match

from .config import DEFAULT, AnswerConfig
from .gloss import gloss
from .learned import (ANSWER_FEATURES, UNIT_FEATURES, UNIT_PASSAGES, AnswerModel, Similar, answer_features,
                      unit_features)
from .selection import Quote, choose, wants_whole

#: The answer's framing, in the question's language; the quoted passages stay as written.
PHRASES = {
    "zh": {
        "not_found": "资料中没有找到这个问题的答案。下面是最接近的段落,仅供参考,它们并不回答这个问题。",
        # unsure, and what is uncertain: whether the quoted lines are the answer (the documents answer this),
        # or whether the documents answer it at all (the found model's own doubt)
        "unsure_quote": "资料中有相关内容,但所引的句子未必就是答案,请核对原文:\n",
        "unsure_answers": "以下内容可能回答了这个问题,但把握不大,请核对原文:\n",
        "where": "{kind}《{title}》", "where_section": "{kind}《{title}》“{heading}”", "where_article": "{kind}《{title}》{article}",
        "whole": "{where}[{n}]:\n{text}", "sentences": "根据{where}[{n}]:{text}",
        "more": "\n另据{where}[{n}]:{text}",
        "cut": "\n(该部分较长,以上只摘录了前面部分;全文见 {source} 第{start}–{end}行之后。)",
        "outline": "\n(该部分较长,以上列出其各部分的标题;各部分全文见 {source} 第{start}–{end}行。)",
        "related": "\n另见 {refs}。", "sep": "、",
        "empty": "资料中没有找到与这个问题相关的内容。",
        "no_article": "《{title}》没有第{number}条(最后一条是第{last}条)。",
        "no_law": "资料中没有《{name}》。",
        "no_law_scoped": "所选范围({filters})的资料中没有《{name}》。",
        "superseded": "(注意:[{n}]出自{date}的旧版本,现行版本为{current}。)",
        "owners": "有{count}部法规有第{number}条:{titles}。下面分别引用;要问其中一部,请说出法规名称。",
        "owner": "\n{where}[{n}]:{text}",
    },
    "en": {
        "not_found": "The documents do not answer this question. The closest passages are listed below for "
                     "reference; they do not answer it.",
        "unsure_quote": "The documents cover this, but the quoted lines may not be the exact answer; check the source:\n",
        "unsure_answers": "These lines may answer the question, but that is uncertain; check the source:\n",
        "where": "{kind}“{title}”", "where_section": "{kind}“{title}”, section “{heading}”",
        "where_article": "{kind}“{title}”, article {article}",
        "whole": "From {where} [{n}] (quoted in the original Chinese):\n{text}",
        "sentences": "According to {where} [{n}] (original Chinese): {text}",
        "more": "\nAlso {where} [{n}]: {text}",
        "cut": "\n(The section is long; only its beginning is quoted. It continues after line {end} of {source}.)",
        "outline": "\n(The section is long; the headings of its parts are quoted. The parts are in lines {start}–{end} of {source}.)",
        "related": "\nSee also {refs}.", "sep": ", ",
        "gloss": "\nGloss of the Chinese words (word by word, not a translation): {words}.",
        "empty": "The documents contain nothing related to this question.",
        "no_article": "“{title}” has no article {number} (its last article is {last}).",
        "no_law": "The documents do not include “{name}”.",
        "no_law_scoped": "The chosen documents ({filters}) do not include “{name}”.",
        "superseded": " (Note: [{n}] is from the version of {date}, superseded by the version of {current}.)",
        "owners": "{count} of the documents have an article {number}: {titles}. Each is quoted below; name the law to "
                  "ask about one of them.",
        "owner": "\n{where} [{n}]: {text}",
    },
}


@dataclass
class Answer:
    question: str
    resolved_question: str
    lang: str
    found: bool
    text: str
    passages: list[Passage] = field(default_factory=list)
    coverage: float = 0.0
    sure: bool = False
    confidence: float = 0.0
    evidence: dict = field(default_factory=dict)

    pages: dict = field(default_factory=dict)  # passage position → (first, last) page of the quoted lines
    #: Who wrote the text: "extractive" (quoted by selection.py), "llm" (a language model, every
    #: sentence checked), "llm_repaired" (sentences that failed the checks dropped) or
    #: "extractive_fallback" (the model failed or its answer failed the checks); see synthesis.py.
    mode: str = "extractive"
    synthesis: dict | None = None  # model, note, cited, dropped: when a language model was asked
    across_documents: bool = False  # a summary question answered from one passage per document
    #: what is uncertain in an answer given unsure: "quote" (the documents answer this; the quoted lines may
    #: not be the answer) or "answers" (whether the documents answer it at all); None when sure
    doubt: str | None = None

    def unsure_note(self) -> str:
        """The line in front of an unsure answer that says what is uncertain ("" when it is sure)."""
        if self.sure or not self.found:
            return ""
        return PHRASES["zh" if self.lang == "zh" else "en"][f"unsure_{self.doubt or 'answers'}"]

    def citations(self) -> list[dict]:
        rows = self._citations()
        for n, (first, last) in self.pages.items():
            if n < len(rows) and first is not None:
                rows[n]["page"], rows[n]["page_end"] = first, (last if last != first else None)
        return rows

    def _citations(self) -> list[dict]:
        return [{"n": n, "doc_id": p.doc_id, "title": p.title, "source": p.source, "collection": of_id(p.doc_id),
                 "section": p.cited_section,
                 "article": p.article, "start_line": p.start_line, "end_line": p.end_line, "page": p.page, "page_end": p.page_end,
                 "text": p.text,
                 "score": round(float(p.score), 6)} for n, p in enumerate(self.passages, start=1)]

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.text, "citations": self.citations(),
                "resolved_question": self.resolved_question, "lang": self.lang, "found": self.found,
                "sure": self.sure, "doubt": self.doubt, "confidence": round(self.confidence, 3), "coverage": round(self.coverage, 3),
                "answer_mode": self.mode, "synthesis": self.synthesis}


def quote_pages(passage: Passage, text: str) -> tuple[int | None, int | None]:
    """First and last page of the passage's lines that the quote holds (paged sources)."""
    quoted = re.sub(r"\s+", "", text)
    pages = []
    for line in passage.lines:
        pieces = [re.sub(r"\s+", "", p) for p in re.split(r"(?<=[。;；!?！？])", line.text)]
        if any(len(p) >= 4 and p in quoted for p in pieces):
            pages.extend(p for p in (line.page, line.page_end) if p is not None)
    return (min(pages), max(pages)) if pages else (None, None)


def _numeral(number: int, lang: str) -> str:
    from ..language.numerals import int_to_cn

    return int_to_cn(number) if lang == "zh" else str(number)


#: How an answer names a document's kind before its title, by language; a Chinese title names its own
#: kind (…自评报告), so Chinese answers name only news, whose headline does not.
KIND_WORDS = {
    "zh": {"news": "新闻"},
    "en": {"summary": "the work summary ", "plan": "the plan ", "self-inspection": "the self-inspection report ",
           "rectification": "the rectification plan ", "inspection-prep": "the inspection preparation plan ",
           "notice": "the notice ", "opinion": "the opinion ", "report": "the report ", "law": "the law ",
           "regulation": "the regulation ", "standard": "the standard ", "news": "the news report "},
}


def _where(say: dict, passage: Passage) -> str:
    kind = KIND_WORDS["zh" if say is PHRASES["zh"] else "en"].get(passage.kind or "", "")
    if passage.article:
        return say["where_article"].format(kind=kind, title=passage.title, article=passage.article)
    heading = passage.section_path[-1] if passage.section_path else ""
    return say["where_section" if heading else "where"].format(kind=kind, title=passage.title, heading=heading)


def render(say: dict, quotes: list[Quote], passages: list[Passage], hits: list[Hit], index: IndexData,
           config: AnswerConfig = DEFAULT) -> str:
    first = quotes[0]
    top = passages[first.passage]
    where = _where(say, top)
    body = say["whole" if first.whole else "sentences"].format(where=where, n=first.passage + 1, text=first.text)
    if first.whole and top.cut:
        body += say["outline" if top.outline else "cut"].format(source=top.source, start=top.start_line,
                                                                 end=top.end_line)
    for quote in quotes[1:]:
        body += say["more"].format(where=_where(say, passages[quote.passage]), n=quote.passage + 1, text=quote.text)
    quoted = {q.passage for q in quotes}
    for n in sorted(quoted):
        newer = superseded_by(index, passages[n].doc_id)
        if newer is not None:
            body += say["superseded"].format(n=n + 1, date=index.doc_by_id[passages[n].doc_id].get("date"),
                                             current=newer.get("date"))
    window = {h.chunk.id: h.evidence.window for h in hits}
    exact = hits[0].evidence.lookup > 0
    related = [] if exact else [n for n, p in enumerate(passages[1:], start=2) if n - 1 not in quoted
               and max((window.get(c, 0.0) for c in p.chunk_ids), default=0.0) >= config.related_threshold]
    if related:
        body += say["related"].format(refs=say["sep"].join(f"[{n}]" for n in related))
    if "gloss" in say:  # English: what the quoted Chinese words mean, word by word
        words = gloss("\n".join(q.text for q in quotes), index.bilingual)
        if words:
            body += say["gloss"].format(words=say["sep"].join(f"{zh} = {en}" for zh, en in words))
    return body


@dataclass
class Decision:
    """The quotes and the verdict on them (what compose renders; scripts/train_answers.py reads it too)."""

    quotes: list[Quote]
    primary: int  # the passage answered from
    found: float  # the found model's probability
    sure: float  # the sure model's probability
    features: dict = field(default_factory=dict)


def possible(question: Question, units: list, matrix: np.ndarray, row: np.ndarray, config: AnswerConfig = DEFAULT) -> bool:
    """What no evidence can outweigh: a question about a place or school no document mentions cannot be
    answered from them; nor a question asking for a quantity of a known kind (money, a share, an area…)
    when no unit of the first passages states a figure of that kind beside any of the question's words
    (with its title and headings; a table row with a figure counts: its unit may be in the header), nor a
    question asking only when when none of them states a date."""
    if row[0, ANSWER_FEATURES.index("unknown_names")] >= 1.0:
        return False
    cover = UNIT_FEATURES.index("cover_ctx")
    near = [u for i, u in enumerate(units) if u.passage < config.figure_passages and matrix[i, cover] > 0]
    unit = question.intent.unit
    if unit and not any(unit_match(unit, u.text) or (TABLE_CELL in u.text and has_figure(u.text)) for u in near):
        return False
    if question.intent.kinds == {"date"} and not any(has_date(u.text) for u in near):
        return False  # "什么时候…" and no date beside any of its words
    return True


def decide(question: Question, hits: list[Hit], passages: list[Passage], index: IndexData, model: AnswerModel,
           select_at: float | None = None, probabilities=None, select_ratio: float | None = None,
           similar: Similar | None = None, config: AnswerConfig = DEFAULT) -> Decision:
    """Choose what to quote (the unit model) and judge it (the found and sure models). `probabilities`:
    the units' chances when already known (training uses out-of-fold ones); `similar`: the dense model's
    closeness of a question and texts (Searcher.similarities), a feature of each unit."""
    whole = [wants_whole(question, p, config) for p in passages[:UNIT_PASSAGES]]
    units, matrix, _ = unit_features(question, passages, hits, whole, similar)
    if probabilities is None:
        probabilities = model.unit.probability(matrix)
    # each part of a question in several parts, asked of the same units on its own
    parts = np.column_stack([model.unit.probability(unit_features(part, passages, hits, whole, similar)[1])
                             for part in question.parts]) if question.parts and units else None
    exact = hits[0].evidence.lookup > 0 and passages[0].article is not None
    quotes, primary = choose(question, passages, units, probabilities, whole,
                             model.select_at if select_at is None else select_at, exact, parts,
                             model.select_ratio if select_ratio is None else select_ratio, config)
    quoted = "\n".join(q.text for q in quotes)
    row = answer_features(question, passages, hits, units, matrix, probabilities, primary, quoted, index)
    found = float(model.found.probability(row, ANSWER_FEATURES)[0])
    sure = found * float(model.sure.probability(row)[0])  # answerable, and answered right
    if not possible(question, units, matrix, row, config):
        found = 0.0
    if exact:  # the article the question names by law and number: exact, not a guess
        found = sure = 1.0
    features = {k: (None if math.isnan(v) else v) for k, v in zip(ANSWER_FEATURES, row[0].round(4).tolist())}
    return Decision(quotes, primary, found, sure, features)


def compose(question: Question, hits: list[Hit], passages: list[Passage], index: IndexData, model: AnswerModel,
            missing_articles: list | None = None, owners: list[str] | None = None,
            similar: Similar | None = None, config: AnswerConfig = DEFAULT) -> Answer:
    """The answer: the quoted lines of the ranked passages, or a plain 'not found'. `missing_articles`:
    (law title, number, last article) for articles the question looks up that its law does not have;
    `owners`: the documents that have the article a question asks for without naming a law."""
    original, resolved, lang = question.asked, question.text, question.lang
    say = PHRASES["zh" if lang == "zh" else "en"]
    if not passages or not hits:
        return Answer(original, resolved, lang, False, say["empty"])
    if question.unknown_laws:
        phrase = say["no_law_scoped"] if question.filters else say["no_law"]
        text = "\n".join(phrase.format(name=name, filters=question.filters.describe(lang)) for name in question.unknown_laws)
        return Answer(original, resolved, lang, False, text, passages, 0.0, True, 0.0, {})
    if missing_articles:
        text = "\n".join(say["no_article"].format(title=title, number=_numeral(number, lang),
                                                  last=_numeral(last, lang)) for title, number, last in missing_articles)
        return Answer(original, resolved, lang, False, text, passages, 0.0, True, 0.0, {})
    if owners and len(owners) > 1:
        titles = say["sep"].join(f"《{index.doc_by_id[d]['title']}》" for d in owners)
        text = say["owners"].format(count=len(owners), number=_numeral(question.intent.articles[0], lang), titles=titles)
        for n, passage in enumerate(passages, start=1):
            text += say["owner"].format(where=_where(say, passage), n=n, text=passage.text)
        return Answer(original, resolved, lang, True, text, passages, 1.0, True, 1.0, {})
    decision = decide(question, hits, passages, index, model, similar=similar, config=config)
    coverage = decision.features.get("cover_best", 0.0)
    if decision.found < model.found_at:
        return Answer(original, resolved, lang, False, say["not_found"], passages, coverage, False,
                      decision.found, decision.features)
    body = render(say, decision.quotes, passages, hits, index, config)
    pages = {q.passage: quote_pages(passages[q.passage], q.text) for q in decision.quotes}
    sure = decision.sure >= model.sure_at
    # the found model as confident that the documents answer as a sure answer must be: the doubt is the quote's
    doubt = None if sure else ("quote" if decision.found >= model.sure_at else "answers")
    answer = Answer(original, resolved, lang, True, body, passages, coverage, sure, decision.sure,
                    decision.features, pages, doubt=doubt)
    return replace(answer, text=answer.unsure_note() + body)
