"""Found or not found: does the corpus answer the question? A logistic model over evidence that
survives paraphrase, fitted on labelled answerable and absent questions (scripts/calibrate.py writes
assistant/data/answerability.json with the weights, the thresholds and the figures they were
chosen on; none of the sets the README reports on is among them).

The evidence, each a number the ranking stage or the question itself gives:
- how much of the question the best passage holds: its best two adjacent sentences with its title
  and path (window), the whole chunk (coverage); both after synonyms and the English mapping;
- whether the quoted lines state what is asked (a figure, of the asked kind of quantity; a date, a
  name, a rule);
- the dense retrieval's view: is the best passage also the dense retriever's first, and how far its
  similarity stands above the other candidates' (z-score, so the scale of a model does not matter);
- the question's own words the corpus never uses (share, IDF-weighted), and among them names of
  places, schools or people (a school that is not in the documents);
- names and years the corpus has but the best passage's document does not (the documents speak of
  德新镇 in 2012–2015, the question asks about 2016).

Three outcomes: found; found but unsure (the best passage is quoted and the answer says it may not
answer); not found. A false "not found" with the answer at [1] is the worst outcome, so the
unsure band is wide."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from ..index.store import IndexData
from ..index.tokenization import tokenize
from ..retrieval.assembly import Passage
from ..retrieval.facts import has_figure, has_person, states
from ..retrieval.focus import focus_evidence
from ..retrieval.intent import FACT_KINDS, Intent
from ..retrieval.question import Question
from ..retrieval.search import Hit
from ..retrieval.units import unit_match

FEATURES = ("window", "coverage", "kind", "fact", "top_missing", "unit_ok", "unit_asked", "blank", "focus_present",
            "focus_figure", "focus_unknown", "doc_coverage", "dense_first", "dense_z", "unknown", "unknown_en", "unknown_names",
            "entity_missing", "english", "asks_fact")
#: The direction each feature may push: +1 towards found, -1 towards not found, 0 either. The fit
#: drops a feature whose weight comes out the other way (it would not generalise).
SIGNS = {"window": 1, "coverage": 1, "kind": 1, "fact": 1, "top_missing": -1, "unit_ok": 1, "unit_asked": 0,
         "blank": -1, "focus_present": 1, "focus_figure": 1, "focus_unknown": -1, "doc_coverage": 1, "dense_first": 1, "dense_z": 1,
         "unknown": -1, "unknown_en": -1, "unknown_names": -1, "entity_missing": -1, "english": 0, "asks_fact": 0}
#: Passages searched for the thing asked about and its figure.
FOCUS_DEPTH = 3
#: A figure left blank in a template ("拿出了( )元", "____所"): the document does not state it.
_BLANK = re.compile(r"[((]\s*[)）]|_{2,}|＿{2,}|\(\s+\)|(?<![A-Za-z])x{2,}(?![A-Za-z])|X{2,}")
_SENTENCE = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])")


@dataclass
class Decision:
    found: bool
    sure: bool
    probability: float
    features: dict[str, float]


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    bias: float
    found_at: float  # probability from which the answer is given as found
    unsure_at: float  # from here up to found_at: the best passage is given, marked as unsure

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * features.get(name, 0.0) for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    data = json.loads(resources.files("assistant").joinpath("data", "answerability.json").read_text(encoding="utf-8"))
    return Model(data["weights"], data["bias"], data["found_at"], data["unsure_at"])


def unknown_share(question: Question, index: IndexData) -> float:
    """IDF-weighted share of the question's content words that no passage of the corpus uses."""
    weights = question.weights
    if not weights.total:
        return 0.0
    known = sum(w for _, w in weights.known(index.lexical))
    return (weights.total - known) / weights.total  # with English words that map to no Chinese term


def _document_text(index: IndexData, doc_id: str) -> str:
    meta = index.doc_by_id[doc_id]
    lines = index.lines.get(doc_id, [])
    header = " ".join(meta.get("header") or []) + " " + " ".join(str(v) for v in (meta.get("dates") or {}).values())
    return " ".join([meta.get("title") or "", meta.get("organisation") or "", meta.get("date") or "", header]
                    + [line.text for line in lines])


def fact_evidence(question: Question, passage: Passage) -> tuple[float, float, str]:
    """(coverage of the question by the best sentence of the passage that states what is asked, with
    the title and heading path; whether the question's most specific word is missing from it; that
    sentence). For questions that ask for no particular kind of fact, every sentence counts."""
    intent = question.intent
    groups, weights, total = question.weights.groups, question.weights.idfs, question.weights.total
    if not total or not groups:
        return 0.0, 0.0, ""
    context = f"{passage.title} {passage.section}"
    asked = [k for k in FACT_KINDS if k in intent.kinds]
    best, best_sentence, best_tokens = 0.0, "", set(tokenize(context))
    for sentence in (s for line in passage.lines for s in _SENTENCE.split(line.text) if s.strip()):
        if asked and not any(states(k, sentence) for k in asked):
            continue
        if intent.unit is not None and not unit_match(intent.unit, sentence) and not _BLANK.search(sentence):
            continue
        raw = context + sentence
        tokens = set(tokenize(raw))
        value = sum(w * g.presence(tokens, raw) for g, w in zip(groups, weights)) / total
        if value > best:
            best, best_sentence, best_tokens = value, sentence, tokens
    key = max(range(len(groups)), key=lambda i: weights[i])
    raw = context + best_sentence
    missing = 1.0 if groups[key].presence(best_tokens, raw) < 0.5 else 0.0
    return best, missing, best_sentence


def document_coverage(question: Question, index: IndexData, doc_id: str) -> float:
    """IDF-weighted share of the question's words the corpus uses that the best passage's whole
    document uses too: a school's document that never speaks of 教学班 does not say how many it has."""
    known = question.weights.known(index.lexical)
    total = sum(w for _, w in known)
    if not total:
        return 0.0
    text = _document_text(index, doc_id)
    return sum(w for g, w in known if any(max(a, key=len) in text for a in g.alternatives if a)) / total


def features(question: Question, hits: list[Hit], passages: list[Passage], quoted: str,
             index: IndexData) -> dict[str, float]:
    query, intent = question.query, question.intent
    top = hits[0]
    f = {name: 0.0 for name in FEATURES}
    f["window"] = top.evidence.window
    f["coverage"] = top.evidence.coverage
    asked = [k for k in FACT_KINDS if k in intent.kinds]
    f["asks_fact"] = 1.0 if any(k != "yesno" for k in asked) else 0.0
    if asked:
        f["kind"] = sum(1.0 for k in asked if (has_person(quoted) if k == "who" else states(k, quoted))) / len(asked)
    if intent.unit is not None:
        f["unit_asked"] = 1.0
        f["unit_ok"] = 1.0 if unit_match(intent.unit, quoted) else 0.0
    elif "figure" in intent.kinds:
        f["unit_ok"] = 1.0 if has_figure(quoted) else 0.0
    f["fact"], f["top_missing"], sentence = fact_evidence(question, passages[0])
    # a later passage may state the fact the first one lacks (the answer then quotes it: selection)
    f["fact_any"] = max([f["fact"]] + [fact_evidence(question, p)[0] for p in passages[1:FOCUS_DEPTH]])
    f["unit_asked_known"] = 1.0 if intent.unit is not None else 0.0
    f["blank"] = 1.0 if sentence and _BLANK.search(sentence) else 0.0
    best = (0.0, 0.0)
    for passage in passages[:FOCUS_DEPTH]:  # the thing asked about may be stated by a later passage
        best = max(best, focus_evidence(query.focus, intent, passage.text, f"{passage.title} {passage.section}",
                                        query.things),
                   key=lambda pair: (pair[1], pair[0]))
    f["focus_present"], f["focus_figure"] = best
    if query.focus and not any(index.lexical.doc_freq(t) for word in query.focus for a in word.alternatives for t in a):
        f["focus_unknown"] = 1.0  # the thing asked about is a word no passage uses (菜价)
    f["doc_coverage"] = document_coverage(question, index, top.chunk.doc_id)
    sims = [h.evidence.dense_similarity for h in hits if h.evidence.dense_similarity is not None]
    if top.evidence.dense_rank is not None:
        f["dense_first"] = 1.0 / top.evidence.dense_rank
    if top.evidence.dense_similarity is not None and len(sims) >= 3:
        spread = float(np.std(sims)) or 1.0
        f["dense_z"] = (top.evidence.dense_similarity - float(np.mean(sims))) / spread
    # English words a dictionary does not map say less than Chinese words the corpus never uses
    f["unknown_en" if query.lang == "en" else "unknown"] = unknown_share(question, index)
    names = query.names
    vocabulary_text = None
    missing_names = 0
    for name in names:
        known = bool(re.search(r"[\u4e00-\u9fff]", name)) and (index.lexical.doc_freq(name) > 0 or _in_corpus(index, name))
        if not known:
            vocabulary_text = vocabulary_text or _corpus_titles(index)
            known = name in vocabulary_text
        if not known:
            missing_names += 1
    f["unknown_names"] = min(1.0, float(missing_names))
    specific = [n for n in names if re.search(r"[\u4e00-\u9fff]", n)] + list(intent.years)
    if specific:
        document = _document_text(index, top.chunk.doc_id)
        present = [s for s in specific if s in document]
        f["entity_missing"] = 1.0 - len(present) / len(specific)
        if intent.years and not all(str(year) in document for year in intent.years):
            f["year_missing"] = 1.0  # the document never speaks of the year asked about
    f["english"] = 1.0 if query.lang == "en" else 0.0
    return f


def _in_corpus(index: IndexData, name: str) -> bool:
    """Does any document's text use `name` (segmentation may have cut it otherwise)?"""
    return any(name in line.text for lines in index.lines.values() for line in lines)


def _corpus_titles(index: IndexData) -> str:
    return " ".join(f"{d.get('title') or ''} {d.get('organisation') or ''}" for d in index.documents)


def possible(f: dict[str, float]) -> bool:
    """The conditions without which the passages cannot answer, whatever the model says:
    - the best passage holds some word of the question (an English question whose words the
      dictionary could not carry over may still be answered by the dense retriever's first);
    - a question asking for a figure of a known kind (a count, money, a share…) finds a sentence
      stating a figure of that kind among the first passages; one asking for a date, a name or a
      place finds a sentence stating one;
    - the places and schools it names are places and schools the corpus has, and the best passage's
      document speaks of them (all of them together, or of some when it names several) and of
      every year it names (a plan for 2012–2015 does not say what was done in 2016)."""
    if f["window"] <= 0.0 and f["fact"] <= 0.0 and not (f["english"] and f["dense_first"] >= 1.0):
        return False
    if f.get("unit_asked_known") and f.get("fact_any", f["fact"]) <= 0.0:
        return False
    if f["asks_fact"] and f["kind"] <= 0.0 and f["fact"] <= 0.0:
        return False
    if f.get("year_missing"):
        return False
    return f["unknown_names"] < 1.0 and f["entity_missing"] < 1.0


def decide(feature_values: dict[str, float], model: Model | None = None) -> Decision:
    model = model or shipped_model()
    if not possible(feature_values):
        return Decision(False, False, 0.0, feature_values)
    p = model.probability(feature_values)
    return Decision(p >= model.unsure_at, p >= model.found_at, p, feature_values)

