"""The one place that orders passages. Every weight and threshold is in `RankingConfig`, with how
it was measured; search, assembly and the answer read this order and never re-sort it.

Two steps:
1. Candidates: the `depth` best chunks by BM25 and by dense similarity, fused by reciprocal rank
   (Cormack et al. 2009), plus every chunk that carries an indicator code the question names.
2. Evidence: the first `rescore_depth` candidates are scored again on what the passage holds —
   how much of the question its best two adjacent sentences hold with its title and heading path
   (window coverage), whether those sentences state what the question asks for (a figure, a date,
   a name, a rule), the years and article numbers the question names. The final score is the
   fused score plus the weighted evidence, in units of one first-place vote 1/(rrf_k + 1).

Each candidate carries its `Evidence`, made here once: assembly, sentence selection and the found /
not-found decision read it and never compute it again."""

from __future__ import annotations

from dataclasses import dataclass

from ..index.store import IndexData
from .evidence import best_window
from .facts import states
from .focus import focus_evidence
from .units import unit_match
from .fusion import ranks_from, ranks_of, reciprocal_rank_fusion
from .intent import ASKED_KINDS, Intent
from .question import Question


@dataclass(frozen=True)
class RankingConfig:
    #: Candidates taken from each retriever (BM25, dense). 60: the fused top 20 did not change
    #: between 40 and 100 on the calibration sets; cost grows with it.
    depth: int = 60
    #: RRF constant; 60 is the value of the original paper, not tuned here.
    rrf_k: float = 60.0
    #: Weight of the dense ranking against BM25's in the fusion.
    dense_weight: float = 1.0
    #: Bonus for a chunk carrying the indicator codes the question names (share of them).
    code_weight: float = 2.0
    #: Bonus for the share of the question's content words anywhere in the chunk.
    coverage_weight: float = 1.0
    #: Candidates scored again on their evidence.
    #: Within this many votes, a section's opening chunk goes before a later chunk of that section.
    opens_margin: float = 0.25
    rescore_depth: int = 20
    #: Bonus for window coverage: the question's words together in two adjacent sentences.
    #: window/kind/focus/year weights: scripts/tune_ranking.py on the calibration questions (2026-12-02,
    #: e5, the CEDICT table, article chunks): MRR@5 0.831 with 1/0.5/0.5/1, 0.850 with 6/2/0.5/1, flat
    #: up to 12/3/1 (0.853). (With m3e-small and the old chunks: 0.705 → 0.724 for 3/1/1/1 → 1/0.5/0.5/1.)
    window_weight: float = 6.0
    #: Bonus when the best sentences state what the question asks for (figure, date, name, rule).
    kind_weight: float = 2.0
    #: Bonus when the passage names every year the question names (and penalty when it names none).
    year_weight: float = 1.0
    #: Bonus when the passage is the article the question names (第十一条, Article 11).
    article_weight: float = 3.0
    #: Bonus when a figure of the asked kind stands next to the thing asked about (focus.py), or for
    #: other questions when that thing is named at all; half of it when the question names no thing.
    focus_weight: float = 0.5
    #: Bonus when those sentences state a figure of the kind of quantity asked for (a count, money, a
    #: share…: units.py).
    unit_weight: float = 1.0
    #: Bonus for a chunk of the law the question names ("义务教育法…"): its own documents first.
    law_weight: float = 2.0
    #: Bonus for the article the question looks up by law and number ("教师法第七条"): exact, so it
    #: outweighs everything else (the newest version of the law gets all of it, older ones half).
    lookup_weight: float = 20.0
    #: Bonus for a chunk whose document names the places and schools the question names (share of
    #: them): a question about 曹集学校 is answered from 曹集学校's documents. A guess: two votes.
    names_weight: float = 2.0
    #: Penalty for a chunk of a law's older version when the index holds a newer one (the current
    #: version answers; the older one is still found when asked for by its date). A guess: one vote.
    superseded_weight: float = 1.0


@dataclass
class Evidence:
    """What the ranking found in one candidate passage (each a share from 0 to 1 unless said)."""

    lexical_rank: int | None = None  # its rank by BM25 (within `depth`), or None
    dense_rank: int | None = None  # its rank by dense similarity (within `depth`), or None
    dense_similarity: float | None = None
    coverage: float = 0.0  # the question's content words anywhere in the chunk with its title and path
    law: float = 0.0  # 1 when it is a chunk of the law the question names
    lookup: float = 0.0  # 1 (newest version) or 0.5 when it is the article the question looks up
    names: float = 0.0  # share of the places and schools the question names that its document names
    rescored: bool = False  # the fields below were measured (the first `rescore_depth` candidates)
    fused: float = 0.0  # the score before the evidence below (fusion, codes, coverage, law, lookup, names)
    window: float = 0.0  # the question's words in its best two adjacent sentences with title and path
    sentences: tuple[str, ...] = ()  # those sentences (with a list's lead-in)
    kind: float = 0.0  # share of the asked kinds of fact (figure, date, who…) those sentences state
    unit: float = 0.0  # 1 when they state a figure of the asked kind of quantity
    year: float = 0.0  # +1 every year the question names, -1 none of them
    article: float = 0.0  # 1 when it is an article the question names by number
    focus: float = 0.0  # the thing asked about is named (and, for a figure, a figure stands next to it)
    opens: bool = False  # moved before a later chunk of its section because it opens the section


@dataclass
class Candidate:
    position: int
    score: float
    evidence: Evidence


def fuse(lexical: dict[int, int], dense: dict[int, int], config: RankingConfig) -> dict[int, float]:
    return reciprocal_rank_fusion([lexical, dense], [1.0, config.dense_weight], config.rrf_k)


def vote(config: RankingConfig) -> float:
    """One first-place vote of the fusion: the unit of every bonus."""
    return 1.0 / (config.rrf_k + 1.0)


def kind_evidence(intent: Intent, sentences: list[str]) -> float:
    """Share of the asked-for kinds (figure, date, who, where, yesno, definition) that the sentences state."""
    asked = [k for k in ASKED_KINDS if k in intent.kinds]
    if not asked:
        return 0.0
    return sum(1.0 for k in asked if any(states(k, s) for s in sentences)) / len(asked)


def year_evidence(intent: Intent, text: str) -> float:
    """+1 when the passage (with its title and path) names every year the question names, -1 when none."""
    if not intent.years:
        return 0.0
    found = sum(1 for year in intent.years if year in text)
    return 1.0 if found == len(intent.years) else (-1.0 if found == 0 else 0.0)


def article_evidence(intent: Intent, article: int | None) -> float:
    return 1.0 if intent.articles and article in intent.articles else 0.0


def evidence_score(evidence: Evidence, config: RankingConfig) -> float:
    """The weighted evidence of one candidate, in votes."""
    return (config.window_weight * evidence.window + config.kind_weight * evidence.kind
            + config.year_weight * evidence.year + config.article_weight * evidence.article
            + config.focus_weight * evidence.focus + config.unit_weight * evidence.unit)


def _names_share(names: list[str], doc_id: str, document_text) -> float:
    text = document_text(doc_id)
    return sum(1.0 for name in names if name in text) / len(names)


def rank(index: IndexData, question: Question, lexical_scores, dense_hits, code_positions,
         tokens_of, config: RankingConfig, article_of=lambda position: None, named_docs: frozenset = frozenset(),
         exact: dict | None = None, superseded: frozenset = frozenset(),
         document_text=lambda doc_id: "") -> list[Candidate]:
    """All candidates, best first. `lexical_scores`: BM25 score per chunk; `dense_hits`: (positions,
    similarities) best first, or None; `code_positions`: code → chunk positions; `tokens_of(position)`:
    a chunk's tokens with its title and path; `article_of(position)`: the article number of a chunk;
    `named_docs`: documents of the law the question names; `exact`: position → share of the lookup
    bonus for the article the question looks up (lookup.py); `superseded`: documents that are older
    versions of a law the index also holds in a newer one; `document_text(doc_id)`: a document's
    title, organisation and text, where the names the question uses are looked for."""
    query, intent, weights = question.query, question.intent, question.weights
    lex_ranks = ranks_of(lexical_scores, config.depth, floor=0.0)
    dense_ranks: dict[int, int] = {}
    similarities: dict[int, float] = {}
    if dense_hits is not None:
        positions, sims = dense_hits
        dense_ranks = ranks_from(positions)
        similarities = {int(p): float(s) for p, s in zip(positions, sims)}
    fused = fuse(lex_ranks, dense_ranks, config)
    unit = vote(config)
    if query.codes:
        wanted = set(query.codes)
        overlaps: dict[int, int] = {}
        for code in wanted:
            for position in code_positions.get(code, ()):
                overlaps[position] = overlaps.get(position, 0) + 1
        for position, count in overlaps.items():  # once per chunk, ranked or not
            fused[position] = fused.get(position, 0.0) + config.code_weight * unit * count / len(wanted)
    exact = exact or {}
    for position in exact:  # a looked-up article is a candidate whether or not retrieval found it
        fused.setdefault(position, 0.0)
    candidates = []
    for position, score in fused.items():
        chunk = index.chunks[position]
        evidence = Evidence(lex_ranks.get(position), dense_ranks.get(position), similarities.get(position),
                            coverage=weights.coverage(tokens_of(position), chunk.text),
                            law=1.0 if chunk.doc_id in named_docs else 0.0,
                            lookup=exact.get(position, 0.0),
                            names=_names_share(query.names, chunk.doc_id, document_text) if query.names else 0.0)
        old = 1.0 if chunk.doc_id in superseded else 0.0
        score += unit * (config.coverage_weight * evidence.coverage + config.law_weight * evidence.law
                         + config.lookup_weight * evidence.lookup - config.superseded_weight * old
                         + config.names_weight * evidence.names)
        candidates.append(Candidate(position, score, evidence))
    order = sorted(candidates, key=lambda c: (-c.score, c.position))
    head, tail = order[:config.rescore_depth], order[config.rescore_depth:]
    for candidate in head:
        chunk = index.chunks[candidate.position]
        document = index.doc_by_id[chunk.doc_id]
        context = f"{document['title']} {chunk.section}"
        window, sentences = best_window(weights, context, chunk.text)
        evidence = candidate.evidence
        evidence.rescored = True
        evidence.window = window
        evidence.sentences = tuple(sentences)
        evidence.kind = kind_evidence(intent, sentences)
        evidence.unit = 1.0 if intent.unit and unit_match(intent.unit, " ".join(sentences)) else 0.0
        evidence.year = year_evidence(intent, f"{context} {chunk.text}")
        evidence.article = article_evidence(intent, article_of(candidate.position))
        present, near = focus_evidence(query.focus, intent, chunk.text, context, query.things)
        evidence.focus = near if intent.wants_figure else present
        evidence.fused = candidate.score
        candidate.score += unit * evidence_score(evidence, config)
    head.sort(key=lambda c: (-c.score, c.position))
    _openers_first(head, index, unit * config.opens_margin)
    return head + tail


def opens_section(chunk) -> bool:
    """Does the chunk begin with its section's heading (the first chunk of the section)?"""
    heading = chunk.section_path[-1] if chunk.section_path else ""
    return bool(heading) and chunk.text.lstrip().startswith(heading[:12])


def _openers_first(order: list[Candidate], index: IndexData, margin: float) -> None:
    """Within `margin` of a later chunk of its own section, the chunk that opens the section (with
    the heading that names what the section is about) goes first: re-sorts `order` in place."""
    for i, earlier in enumerate(order):
        chunk = index.chunks[earlier.position]
        if chunk.section_id is None or opens_section(chunk):
            continue
        for later in order[i + 1:]:
            if earlier.score - later.score > margin:
                break
            other = index.chunks[later.position]
            if other.section_id == chunk.section_id and other.doc_id == chunk.doc_id and opens_section(other):
                later.evidence.opens = True
                later.score = earlier.score + 1e-9
                break
    order.sort(key=lambda c: (-c.score, c.position))
