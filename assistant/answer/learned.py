"""What to quote and whether it answers, learned from labelled questions (eval/, scripts/train_answers.py).

Three small logistic models over numbers the question and the ranking already hold (`Question`,
`Evidence`), shipped as data (assistant/data/answer_model.json), evaluated with numpy:

- unit: the chance that one unit of a ranked passage (a sentence, or a table row) states what the
  question asks, from how much of the question it holds alone and with its title and headings, whether
  it states the asked kind of fact next to the thing asked about, which part of a multi-part question
  it answers best, the passage's rank and evidence, and how it stands against the other units;
- found: the chance that the documents answer the question at all (absent questions are the negatives),
  from the best units, the best passage's evidence, the question's words and names the corpus or the
  quoted document lacks;
- sure: the chance that the quoted answer is right when the documents answer the question (an answer
  is sure when found × sure reaches the threshold).

Trained on the train split, thresholds chosen on dev (scripts/train_answers.py writes them with the
figures they were chosen on). Every feature is a number with a meaning; none names a document or a
question."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import AssistantError
from ..index.store import IndexData
from ..retrieval.assembly import Passage
from ..retrieval.evidence import text_tokens
from ..retrieval.facts import has_date, has_figure, has_person, has_rule, is_signature, states
from ..retrieval.focus import near_figure, spellings
from ..retrieval.intent import FACT_KINDS, YEAR
from ..retrieval.names import PLACE_WORDS
from ..retrieval.query import with_synonyms
from ..retrieval.question import Question
from ..retrieval.ranking import Evidence
from ..retrieval.search import Hit
from ..retrieval.units import SENTENCE_UNITS, unit_match

_SENTENCE = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])")
#: A line that leads in to what follows it ("具体分工如下:", "主要有以下问题："): its items follow.
LEAD_IN = re.compile(r"(如下|以下|下列|分别是|分别为|包括|主要有|有以下)[^。;;]{0,12}[::]?\s*$|[::]\s*$")
_BLANK = re.compile(r"[(（]\s*[)）]|_{2,}|＿{2,}|\(\s+\)|(?<![A-Za-z])x{2,}(?![A-Za-z])|X{2,}")
#: An enumerated item: 一是, （一）, 1., ①, (1), 第一, 其一 at the start.
_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?!\d)|[①-⑳]|"
                   r"第[一二三四五六七八九十]+[,，、]|其[一二三四五六七八九十])")
#: Passages whose units are scored (the ranking's first ones).
UNIT_PASSAGES = 5

KIND_FLAGS = ("figure", "date", "who", "where", "yesno", "list", "definition", "article")

UNIT_FEATURES = (
    "rank_inv", "rank1", "cover", "cover_ctx", "cover_pair", "cover_rel", "cover_rank_inv", "cover_part",
    "part_best", "states", "unit_ok", "unit_asked", "focus_in", "focus_figure", "things", "names", "years",
    "heading", "signature", "lead_in", "table_row", "length", "first", "position", "blank", "figure", "date",
    "person", "rule", "in_window", "p_window", "p_coverage", "p_kind", "p_focus", "p_names", "p_lookup",
    "p_dense", "p_whole", "q_multi", "q_english",
) + tuple(f"q_{k}" for k in KIND_FLAGS) + ("states_x_fact", "cover_x_list", "heading_x_list", "cover_lead", "after_lead",
                                           "item", "item_x_list", "stated_rank_inv", "focus_rank_inv",
                                           "heading_x_fact", "chars", "chars_rel", "sim_z", "sim_rel", "sim_rank_inv",
                                           "year_other")

#: The column of each unit feature in a unit matrix.
COLUMN = {name: i for i, name in enumerate(UNIT_FEATURES)}

#: What the likeliest unit itself holds of what the question is specific about: an absent question most often
#: names a real school, indicator or year and asks for what its documents do not state, so the unit that comes
#: closest misses the name, states another year, or holds no figure beside the thing asked about.
BEST_FEATURES = ("best_names_missing", "best_years_missing", "best_year_other", "best_focus_figure", "best_states",
                 "best_things")

#: The found model reads the evidence only: what kinds of question the writers of a labelled set made absent
#: is no evidence about a new question (the sure model may learn which kinds are answered right more often).
FOUND_FEATURES = (
    "u_max", "u_second", "u_top3", "u_count", "primary_rank_inv", "cover_best", "window", "coverage", "kind",
    "unit_ev", "focus_ev", "names_ev", "lookup", "law", "dense_first", "dense_z", "unknown", "unknown_en",
    "unknown_names", "entity_missing", "year_missing", "doc_coverage", "focus_unknown", "blank", "quoted_states",
    "quoted_unit", "q_english", "sim_best_z", "sim_best_rank_inv") + BEST_FEATURES
ANSWER_FEATURES = (
    "u_max", "u_second", "u_top3", "u_count", "primary_rank_inv", "cover_best", "window", "coverage", "kind",
    "unit_ev", "focus_ev", "names_ev", "lookup", "law", "dense_first", "dense_z", "unknown", "unknown_en",
    "unknown_names", "entity_missing", "year_missing", "doc_coverage", "focus_unknown", "blank", "quoted_states",
    "quoted_unit", "q_multi", "q_english", "q_fact", "sim_best_z", "sim_best_rank_inv",
) + tuple(f"q_{k}" for k in KIND_FLAGS) + BEST_FEATURES


@dataclass(frozen=True)
class Unit:
    passage: int  # position of its passage in the ranked passages
    line: int  # index of its line in the passage
    text: str
    heading: bool  # the passage's own heading line


def units_of(passage: Passage, number: int) -> list[Unit]:
    """The passage's sentences (a table row, a line with " | ", is one unit), in reading order."""
    heading = passage.section_path[-1] if passage.section_path else ""
    out = []
    for n, line in enumerate(passage.lines):
        text = line.text.strip()
        if not text:
            continue
        is_heading = n == 0 and bool(heading) and text.startswith(heading.rstrip("…")) and len(text) <= len(heading) + 2
        pieces = [text] if " | " in text else [p.strip() for p in _SENTENCE.split(text) if p.strip()]
        out.extend(Unit(number, n, piece, is_heading) for piece in pieces)
    return out


def evidence_of(passage: Passage, hits: list[Hit]) -> tuple[Evidence, int]:
    """The ranking's evidence for a passage: of the best-ranked hit among its chunks (else empty)."""
    ids = set(passage.chunk_ids)
    for hit in hits:
        if hit.chunk.id in ids:
            return hit.evidence, hit.rank
    return Evidence(), len(hits) + 1


#: How close in meaning a question and texts are (Searcher.similarities), or None without a dense model.
Similar = Callable[[str, list[str]], "np.ndarray | None"]


def unit_features(question: Question, passages: list[Passage], hits: list[Hit], whole: list[bool],
                  similar: Similar | None = None) -> tuple[list[Unit], np.ndarray, np.ndarray]:
    """The units of the first UNIT_PASSAGES passages, their features (one row each, UNIT_FEATURES) and
    how much of each part of the question each holds (a column per part; no columns for one part).
    `similar`: the dense model's closeness of the question and each unit, read against the other units
    (in standard deviations from their mean and from the closest, and its rank: models differ in scale,
    e5's cosines lie between 0.7 and 0.9); without one those features are not measured (NaN: the models
    read their average)."""
    weights, intent, query = question.weights, question.intent, question.query
    asked = [k for k in FACT_KINDS + ("definition",) if k in intent.kinds]
    focus = spellings(query.focus[:1])
    things = spellings([with_synonyms(t) for t in query.things])
    pattern = SENTENCE_UNITS.get(intent.unit) if intent.unit else None
    kinds = [1.0 if k in intent.kinds or (k == "article" and intent.articles) else 0.0 for k in KIND_FLAGS]
    units: list[Unit] = []
    rows: list[list[float]] = []
    part_covers: list[list[float]] = []
    # the characters of the question's content words: a paraphrase shares characters more than words
    # (始建于 and 建校, 招录教师 and 新招老师)
    chars = {c for g in weights.groups for t in g.tokens for c in t if "\u4e00" <= c <= "\u9fff"}
    for number, passage in enumerate(passages[:UNIT_PASSAGES]):
        evidence, rank = evidence_of(passage, hits)
        context = f"{passage.title} {passage.section}"
        ctx_tokens = text_tokens(context)
        window = set(evidence.sentences)
        own = units_of(passage, number)
        previous, lead = "", ""
        for k, unit in enumerate(own):
            text = unit.text
            tokens = text_tokens(text)
            # the nearest lead-in before it in the passage ("须符合下列规定：", "存在以下问题：") says what it is about
            cover_lead = weights.coverage(set(tokens) | text_tokens(lead) | ctx_tokens, context + lead + text) if lead else 0.0
            after_lead = 1.0 if lead else 0.0
            cover = weights.coverage(set(tokens), text)
            cover_ctx = weights.coverage(set(tokens) | ctx_tokens, context + text)
            pair = previous + text
            cover_pair = weights.coverage(set(tokens) | text_tokens(previous) | ctx_tokens, context + pair)
            previous = text
            part_covers.append([p.weights.coverage(set(tokens), text) for p in question.parts])
            stated = sum(1.0 for kind in asked if (has_person(text) if kind == "who" else states(kind, text)))
            rows.append([
                1.0 / (number + 1), 1.0 if number == 0 else 0.0, cover, cover_ctx, cover_pair, 0.0, 0.0, 0.0, 0.0,
                stated / len(asked) if asked else 0.0,
                1.0 if intent.unit and unit_match(intent.unit, text) else 0.0, 1.0 if intent.unit else 0.0,
                1.0 if focus and any(f in text for f in focus) else 0.0,
                1.0 if focus and intent.wants_figure and near_figure(focus, text, pattern) else 0.0,
                (sum(1.0 for t in things if t in text) / len(things)) if things else 0.0,
                (sum(1.0 for n in query.names if n in text or n in context) / len(query.names)) if query.names else 0.0,
                (sum(1.0 for y in intent.years if y in text) / len(intent.years)) if intent.years else 0.0,
                1.0 if unit.heading else 0.0, 1.0 if is_signature(text) else 0.0,
                1.0 if LEAD_IN.search(text) else 0.0, 1.0 if " | " in text else 0.0,
                math.log1p(len(text)) / 6.0, 1.0 if k == 0 else 0.0, k / max(1, len(own) - 1),
                1.0 if _BLANK.search(text) else 0.0, 1.0 if has_figure(text) else 0.0, 1.0 if has_date(text) else 0.0,
                1.0 if has_person(text) else 0.0, 1.0 if has_rule(text) else 0.0,
                1.0 if any(text in s or s in text for s in window if s.strip()) else 0.0,
                evidence.window, evidence.coverage, evidence.kind, evidence.focus, evidence.names,
                evidence.lookup, 1.0 / evidence.dense_rank if evidence.dense_rank else 0.0,
                1.0 if whole[number] else 0.0,
                1.0 if question.parts else 0.0, 1.0 if question.lang == "en" else 0.0,
                *kinds, 0.0, 0.0, 0.0, cover_lead, after_lead, 1.0 if _ITEM.match(text) else 0.0, 0.0, 0.0, 0.0,
                0.0, (sum(1 for c in chars if c in text) / len(chars)) if chars else 0.0, 0.0, 0.0, 0.0, 0.0,
                1.0 if intent.years and YEAR.search(text) and not any(y in text for y in intent.years) else 0.0])
            units.append(unit)
            if LEAD_IN.search(text) or re.search(r"(?:问题|不足|措施|做法|任务|要求|条件|情形)[^。]{0,6}[。:：]\s*$", text):
                lead = text
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(UNIT_FEATURES))
    parts = np.array(part_covers, dtype=np.float64).reshape(len(rows), len(question.parts))
    if len(rows):
        covers = matrix[:, COLUMN["cover_ctx"]]
        matrix[:, COLUMN["cover_rel"]] = covers - covers.max()
        order = np.argsort(-covers, kind="stable")
        ranks = np.empty(len(rows))
        ranks[order] = np.arange(1, len(rows) + 1)
        matrix[:, COLUMN["cover_rank_inv"]] = 1.0 / ranks
        if question.parts:
            matrix[:, COLUMN["cover_part"]] = parts.max(axis=1)
            best = parts.max(axis=0)
            matrix[:, COLUMN["part_best"]] = ((parts >= best - 1e-9) & (best > 0)).any(axis=1)
        fact = 1.0 if any(k in intent.kinds for k in ("figure", "date", "who", "where")) else 0.0
        matrix[:, COLUMN["states_x_fact"]] = matrix[:, COLUMN["states"]] * fact
        matrix[:, COLUMN["cover_x_list"]] = matrix[:, COLUMN["cover_ctx"]] * kinds[KIND_FLAGS.index("list")]
        matrix[:, COLUMN["heading_x_list"]] = matrix[:, COLUMN["heading"]] * kinds[KIND_FLAGS.index("list")]
        matrix[:, COLUMN["item_x_list"]] = matrix[:, COLUMN["item"]] * kinds[KIND_FLAGS.index("list")]
        matrix[:, COLUMN["heading_x_fact"]] = matrix[:, COLUMN["heading"]] * fact
        matrix[:, COLUMN["chars_rel"]] = matrix[:, COLUMN["chars"]] - matrix[:, COLUMN["chars"]].max()
        sims = similar(question.text, [u.text for u in units]) if similar is not None else None
        if sims is None:
            matrix[:, [COLUMN["sim_z"], COLUMN["sim_rel"], COLUMN["sim_rank_inv"]]] = np.nan
        else:
            spread = float(sims.std()) or 1.0
            matrix[:, COLUMN["sim_z"]] = (sims - sims.mean()) / spread
            matrix[:, COLUMN["sim_rel"]] = (sims - sims.max()) / spread
            order = np.argsort(-sims, kind="stable")
            ranks = np.empty(len(rows))
            ranks[order] = np.arange(1, len(rows) + 1)
            matrix[:, COLUMN["sim_rank_inv"]] = 1.0 / ranks
        for name, mask in (("stated_rank_inv", matrix[:, COLUMN["states"]] > 0), ("focus_rank_inv", matrix[:, COLUMN["focus_in"]] > 0)):
            if mask.any():
                masked = np.where(mask, covers, -1.0)
                order = np.argsort(-masked, kind="stable")
                ranks = np.empty(len(rows))
                ranks[order] = np.arange(1, len(rows) + 1)
                matrix[:, COLUMN[name]] = np.where(mask, 1.0 / ranks, 0.0)
    return units, matrix, parts


@dataclass(frozen=True)
class Linear:
    """A logistic model: p = σ(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probability(self, matrix: np.ndarray, columns: tuple[str, ...] | None = None) -> np.ndarray:
        """`columns`: the names of the matrix's columns when they are more than the model reads."""
        if matrix.size == 0:
            return np.zeros(len(matrix))
        if columns is not None and columns != self.names:
            matrix = matrix[:, [columns.index(name) for name in self.names]]
        if np.isnan(matrix).any():  # a feature not measured (no dense model) counts as its average
            matrix = np.where(np.isnan(matrix), self.mean, matrix)
        z = self.bias + ((matrix - self.mean) / self.scale) @ self.weights
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_dict(self) -> dict:
        return {"names": list(self.names), "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "weights": self.weights.round(6).tolist(), "bias": round(float(self.bias), 6)}

    @classmethod
    def from_dict(cls, data: dict, names: tuple[str, ...]) -> "Linear":
        if tuple(data["names"]) != names:
            raise AssistantError("assistant/data/answer_model.json was fitted on other features than this version "
                                 "reads; run .venv/bin/python scripts/train_answers.py (after scripts/labelled.py build)")
        return cls(names, np.array(data["mean"]), np.array(data["scale"]), np.array(data["weights"]), float(data["bias"]))


@dataclass(frozen=True)
class AnswerModel:
    unit: Linear
    found: Linear
    sure: Linear
    select_at: float  # a unit this likely is quoted beside the best one
    select_ratio: float  # one of the `top_units` (AnswerConfig) likeliest this likely relative to the best is quoted too
    found_at: float  # below: "not found"
    sure_at: float  # from here: found and sure; between found_at and sure_at: found but unsure
    fitted: dict

    @classmethod
    def load(cls, path: Path | None = None) -> "AnswerModel":
        text = path.read_text(encoding="utf-8") if path else \
            resources.files("assistant").joinpath("data", "answer_model.json").read_text(encoding="utf-8")
        data = json.loads(text)
        return cls(Linear.from_dict(data["unit"], UNIT_FEATURES), Linear.from_dict(data["found"], FOUND_FEATURES),
                   Linear.from_dict(data["sure"], ANSWER_FEATURES), data["select_at"], data.get("select_ratio", 1.0),
                   data["found_at"],
                   data["sure_at"], data.get("fitted", {}))

    def to_dict(self) -> dict:
        return {"unit": self.unit.to_dict(), "found": self.found.to_dict(), "sure": self.sure.to_dict(),
                "select_at": self.select_at, "select_ratio": self.select_ratio, "found_at": self.found_at, "sure_at": self.sure_at, "fitted": self.fitted}


def _document_text(index: IndexData, doc_id: str) -> str:
    meta = index.doc_by_id[doc_id]
    header = " ".join(meta.get("header") or []) + " " + " ".join(str(v) for v in (meta.get("dates") or {}).values())
    return " ".join([meta.get("title") or "", meta.get("organisation") or "", meta.get("date") or "", header,
                     meta.get("source") or ""] + [line.text for line in index.lines.get(doc_id, [])])


def answer_features(question: Question, passages: list[Passage], hits: list[Hit], units: list[Unit],
                    matrix: np.ndarray, probabilities: np.ndarray, primary: int, quoted: str,
                    index: IndexData) -> np.ndarray:
    """One row (ANSWER_FEATURES) for the found and sure models."""
    weights, intent, query = question.weights, question.intent, question.query
    f = dict.fromkeys(ANSWER_FEATURES, 0.0)
    ranked = np.sort(probabilities)[::-1] if len(probabilities) else np.zeros(1)
    f["u_max"] = float(ranked[0])
    f["u_second"] = float(ranked[1]) if len(ranked) > 1 else 0.0
    f["u_top3"] = float(ranked[:3].mean())
    f["u_count"] = float((probabilities >= 0.5).sum()) / 5.0 if len(probabilities) else 0.0
    f["primary_rank_inv"] = 1.0 / (primary + 1)
    if len(matrix):
        best = int(np.argmax(probabilities))
        f["cover_best"] = float(matrix[best, COLUMN["cover_ctx"]])
        f["best_names_missing"] = 1.0 - float(matrix[best, COLUMN["names"]]) if query.names else 0.0
        if intent.years:
            unit = units[best]
            about = f"{passages[unit.passage].title} {passages[unit.passage].section} {unit.text}"
            f["best_years_missing"] = 1.0 - sum(1 for y in intent.years if y in about) / len(intent.years)
        f["best_year_other"] = float(matrix[best, COLUMN["year_other"]])
        f["best_focus_figure"] = float(matrix[best, COLUMN["focus_figure"]])
        f["best_states"] = float(matrix[best, COLUMN["states"]])
        f["best_things"] = float(matrix[best, COLUMN["things"]])
        f["sim_best_z"] = float(matrix[best, COLUMN["sim_z"]])
        f["sim_best_rank_inv"] = float(matrix[best, COLUMN["sim_rank_inv"]])
    else:
        f["sim_best_z"] = f["sim_best_rank_inv"] = float("nan")
    evidence, _ = evidence_of(passages[primary], hits) if passages else (Evidence(), 0)
    f["window"], f["coverage"], f["kind"] = evidence.window, evidence.coverage, evidence.kind
    f["unit_ev"], f["focus_ev"], f["names_ev"] = evidence.unit, evidence.focus, evidence.names
    f["lookup"], f["law"] = evidence.lookup, evidence.law
    f["dense_first"] = 1.0 / evidence.dense_rank if evidence.dense_rank else 0.0
    sims = [h.evidence.dense_similarity for h in hits if h.evidence.dense_similarity is not None]
    if evidence.dense_similarity is not None and len(sims) >= 3:
        f["dense_z"] = (evidence.dense_similarity - float(np.mean(sims))) / (float(np.std(sims)) or 1.0)
    known = weights.known(index.lexical)
    if weights.total:
        f["unknown_en" if question.lang == "en" else "unknown"] = 1.0 - sum(w for _, w in known) / weights.total
    if passages:
        document = _document_text(index, passages[primary].doc_id)
        total = sum(w for _, w in known)
        if total:
            f["doc_coverage"] = sum(w for g, w in known if any(max(a, key=len) in document
                                                               for a in g.alternatives if a)) / total
        specific = [n for n in query.names if re.search(r"[\u4e00-\u9fff]", n)] + list(intent.years)
        if specific:
            f["entity_missing"] = 1.0 - sum(1 for s in specific if s in document) / len(specific)
        if intent.years and not all(y in document for y in intent.years):
            f["year_missing"] = 1.0
    missing = 0
    for name in query.names:
        if not (re.search(r"[\u4e00-\u9fff]", name) and (index.lexical.doc_freq(name) > 0 or _in_titles(index, name))):
            missing += 1
    f["unknown_names"] = min(1.0, float(missing))
    if query.focus and not any(index.lexical.doc_freq(t) for w in query.focus for a in w.alternatives for t in a):
        f["focus_unknown"] = 1.0
    f["blank"] = 1.0 if _BLANK.search(quoted) else 0.0
    asked = [k for k in FACT_KINDS if k in intent.kinds]
    if asked:
        f["quoted_states"] = sum(1.0 for k in asked if (has_person(quoted) if k == "who" else states(k, quoted))) / len(asked)
    f["quoted_unit"] = 1.0 if intent.unit and unit_match(intent.unit, quoted) else 0.0
    f["q_multi"] = 1.0 if question.parts else 0.0
    f["q_english"] = 1.0 if question.lang == "en" else 0.0
    f["q_fact"] = 1.0 if any(k != "yesno" for k in asked) else 0.0
    for k in KIND_FLAGS:
        f[f"q_{k}"] = 1.0 if k in intent.kinds or (k == "article" and intent.articles) else 0.0
    return np.array([[f[name] for name in ANSWER_FEATURES]], dtype=np.float64)


def _in_titles(index: IndexData, name: str) -> bool:
    """Does any document name it: its title, organisation, file name or text (the name, or the name
    without its place word: segmentation may cut "桐山城区片" as 桐/山城区, and 山城 is in the text)?"""
    end = next((w for w in sorted(PLACE_WORDS, key=len, reverse=True) if name.endswith(w)), "")
    stem = name[:len(name) - len(end)]
    names = [name] + ([stem] if len(stem) >= 2 and stem != name else [])
    for d in index.documents:
        about = f"{d.get('title') or ''} {d.get('organisation') or ''} {d.get('source') or ''}"
        if any(n in about for n in names):
            return True
    return any(n in line.text for lines in index.lines.values() for line in lines for n in names)


