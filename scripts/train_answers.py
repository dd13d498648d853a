"""Fit what to quote and whether it answers (assistant/answer/learned.py) and write
assistant/data/answer_model.json.

    python scripts/train_answers.py                 # fit on train, choose thresholds on dev, write the model
    python scripts/train_answers.py --dry-run       # the same, print the figures, write nothing

Questions: the train split of eval/ (scripts/labelled.py builds its indexes), tests/data/calibration_seeds
(over the shipped corpus, which is train) and those of tests/data/calibration_laws whose answer is in a
train law. Labels come from the answer strings for free: a unit (sentence or table row) of a ranked
passage is a positive when it holds an `answer` or `also` string and its passage holds a `key`; a
question is answerable unless `absent`; an answer is right when its text holds every `answer` string.

1. unit model: logistic regression over UNIT_FEATURES (C chosen by 5-fold cross-validation grouped by
   question);
2. found and sure models over ANSWER_FEATURES, fitted on the answers the unit model makes for the train
   questions with out-of-fold unit chances (the same as it will meet on new questions); the sure model
   on the answerable questions only (is the answer right), an answer's sureness being found × sure;
3. thresholds on dev (aggregates only) with every second train question beside it: select_at the one with the most right answers; found_at the one
   with the most right outcomes (right answers plus absent questions refused) among those whose false
   "not found" share is at most 0.05 (the middle of the longest run of such thresholds); sure_at the lowest at which sure answers are right at least 95% of
   the time."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from assistant.answer.compose import PHRASES, decide, render  # noqa: E402
from assistant.answer.learned import (ANSWER_FEATURES, FOUND_FEATURES, UNIT_FEATURES, UNIT_PASSAGES,  # noqa: E402
                                      AnswerModel, Linear, unit_features)
from assistant.answer.selection import wants_whole  # noqa: E402
from assistant.evaluation import squash  # noqa: E402
from assistant.retrieval.names import PLACE_WORDS  # noqa: E402
from labelled import EVAL, LAWS, open_assistants, questions  # noqa: E402

OUT = ROOT / "assistant" / "data" / "answer_model.json"
DATA = ROOT / "tests" / "data"
MAX_FALSE_NOT_FOUND = 0.05
#: Stems of invented place and school names (each used only where no document of the index has it):
#: a train question about 某某学校 asked about one of these instead is a question the documents do not
#: answer (generated absent questions teach the found model what an unknown school looks like).
INVENTED_STEMS = ("青龙", "石湾", "杏花", "金沙", "白鹤", "松林", "桃源", "红岩", "柳塘", "梅岭", "东湖", "北辰", "西岭",
                  "南溪", "云台", "凤栖", "鹿鸣", "龙湾", "银杏", "竹溪")
_PLACE_SUFFIX = tuple(sorted(PLACE_WORDS, key=len, reverse=True))
SURE_PRECISION = 0.95


def training_questions() -> list[dict]:
    """The train split, and the older calibration questions over train documents."""
    out = questions("train")
    for q in map(json.loads, (DATA / "calibration_seeds.jsonl").read_text(encoding="utf-8").splitlines()):
        q["collection"] = "school"
        out.append(q)
    split_of = splits()
    train_laws = [squash(p.read_text(encoding="utf-8")) for p in LAWS.glob("*.md")
                  if split_of.get(f"laws/{p.name}") == "train"]
    for q in map(json.loads, (DATA / "calibration_laws.jsonl").read_text(encoding="utf-8").splitlines()):
        if q.get("absent") or not any(squash(k) in text for k in q["keys"] for text in train_laws):
            continue  # an absent question may be about a dev or test law: left out
        q["collection"] = "laws"
        out.append(q)
    return out


def generated_absent(examples: list["Example"], texts: dict[str, str]) -> list[dict]:
    """Answerable Chinese train questions with their first named place or school replaced by an invented
    one that no document of their index has."""
    out = []
    for n, e in enumerate(examples):
        names = [x for x in e.case.question.names if any(x.endswith(s) for s in _PLACE_SUFFIX) and len(x) >= 3]
        if e.q.get("absent") or e.q.get("lang") != "zh" or not names or names[0] not in e.q["q"]:
            continue
        name = names[0]
        suffix = next(s for s in _PLACE_SUFFIX if name.endswith(s))
        stem = INVENTED_STEMS[n % len(INVENTED_STEMS)]
        invented = stem + suffix
        if stem in texts[e.q["collection"]]:
            continue
        out.append({"id": f"{e.q['id']}-absent", "lang": "zh", "q": e.q["q"].replace(name, invented, 1), "keys": [],
                    "answer": [], "also": [], "absent": True, "collection": e.q["collection"], "generated": True})
    return out


def splits() -> dict[str, str]:
    """Document → its split (eval/documents.jsonl)."""
    rows = [json.loads(line) for line in (EVAL / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    return {r["doc"]: r["split"] for r in rows}


class Example:
    """One question's case, its units, their features and labels."""

    def __init__(self, q: dict, assistant):
        self.q, self.assistant = q, assistant
        question = assistant.searcher.understand(q["q"])
        self.case = assistant.case(question, 5)
        self.special = bool(question.unknown_laws or self.case.missing or len(self.case.owners) > 1)
        passages = self.case.passages
        whole = [wants_whole(question, p) for p in passages[:UNIT_PASSAGES]]
        self.units, self.matrix, _ = unit_features(question, passages, self.case.hits, whole,
                                                   assistant.searcher.similarities)
        wanted = [squash(a) for a in q.get("answer", []) + q.get("also", []) if squash(a)]
        keys = [squash(k) for k in q.get("keys", [])]
        keyed = [any(k in squash(p.text) for k in keys) for p in passages[:UNIT_PASSAGES]]
        self.labels = np.array([1.0 if any(w in squash(u.text) for w in wanted) and keyed[u.passage] else 0.0
                                for u in self.units])

    def outcome(self, model: AnswerModel, probabilities=None) -> tuple[float, float, bool]:
        """(found chance, sure chance, is the answer right) with this model."""
        case = self.case
        decision = decide(case.question, case.hits, case.passages, self.assistant.index, model, None, probabilities,
                          similar=self.assistant.searcher.similarities)
        say = PHRASES["zh" if case.question.lang == "zh" else "en"]
        text = squash(render(say, decision.quotes, case.passages, case.hits, self.assistant.index)) \
            if decision.quotes else ""
        right = not self.q.get("absent") and all(squash(a) in text for a in self.q.get("answer", []))
        return decision.found, decision.sure, right


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def _filled(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrix standardised, a feature not measured (NaN) read as its average; and mean and scale."""
    mean = np.nan_to_num(np.nanmean(matrix, axis=0)) if len(matrix) else np.zeros(matrix.shape[1])
    matrix = np.where(np.isnan(matrix), mean, matrix)
    scale = matrix.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return (matrix - mean) / scale, mean, scale


def fit(matrix: np.ndarray, labels: np.ndarray, groups: np.ndarray | None, names: tuple[str, ...]
        ) -> tuple[Linear, float]:
    """Logistic regression, C chosen by grouped 5-fold log-loss; returns the model and that C."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    x, mean, scale = _filled(matrix)
    groups = groups if groups is not None else np.arange(len(labels))
    best = None
    for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
        losses = []
        for train, test in GroupKFold(n_splits=5).split(x, labels, groups):
            if len(set(labels[train])) < 2:
                continue
            model = LogisticRegression(C=c, max_iter=2000).fit(x[train], labels[train])
            losses.append(log_loss(labels[test], model.predict_proba(x[test])[:, 1], labels=[0, 1]))
        loss = float(np.mean(losses))
        if best is None or loss < best[0]:
            best = (loss, c)
    model = LogisticRegression(C=best[1], max_iter=2000).fit(x, labels)
    return Linear(names, mean, scale, model.coef_[0], float(model.intercept_[0])), best[1]


def out_of_fold(matrix, labels, groups, names, c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    x, _, _ = _filled(matrix)
    out = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=5).split(x, labels, groups):
        out[test] = LogisticRegression(C=c, max_iter=2000).fit(x[train], labels[train]).predict_proba(x[test])[:, 1]
    return out


def figures(outcomes: list[tuple[float, float, bool, bool]], found_at: float, sure_at: float) -> dict:
    """outcomes: (found chance, sure chance, right, absent) → the figures of the labelled set's report."""
    answerable = [o for o in outcomes if not o[3]]
    absent = [o for o in outcomes if o[3]]
    found = [o for o in outcomes if o[0] >= found_at]
    sure = [o for o in found if o[1] >= sure_at]
    right = [o for o in answerable if o[0] >= found_at and o[2]]
    return {"correct": len(right) / max(1, len(answerable)),
            "false_not_found": sum(1 for o in answerable if o[0] < found_at) / max(1, len(answerable)),
            "absent_refused": sum(1 for o in absent if o[0] < found_at) / max(1, len(absent)),
            "sure_right": sum(1 for o in sure if o[2]) / max(1, len(sure)),
            "sure_share": sum(1 for o in right if o[1] >= sure_at) / max(1, len(right)),
            "n": len(outcomes)}


def thresholds(outcomes) -> tuple[float, float]:
    grid = [round(x, 3) for x in np.arange(0.02, 0.995, 0.005)]
    n_ans = sum(1 for o in outcomes if not o[3])
    n_abs = len(outcomes) - n_ans
    scores = {}
    for t in grid:
        f = figures(outcomes, t, 1.0)
        if f["false_not_found"] <= MAX_FALSE_NOT_FOUND:
            scores[t] = f["correct"] * n_ans + f["absent_refused"] * n_abs
    # the middle of the run of thresholds that score best (every threshold between two questions
    # scores the same): the farthest from the questions on either side, so that a small change of
    # the features does not move an answer across it
    if scores:
        top = max(scores.values())
        best_run: list[float] = []
        run: list[float] = []
        for t in grid:
            if t in scores and scores[t] >= top - 1e-9:
                run.append(t)
                if len(run) > len(best_run):
                    best_run = list(run)
            else:
                run = []
        found_at = best_run[len(best_run) // 2]
    else:
        found_at = grid[0]
    sure_at = 1.0
    for t in grid:
        f = figures(outcomes, found_at, t)
        found_sure = [o for o in outcomes if o[0] >= found_at and o[1] >= t]
        if found_sure and f["sure_right"] >= SURE_PRECISION:
            sure_at = t
            break
    return found_at, sure_at


def _neutral(names: tuple[str, ...]) -> Linear:
    return Linear(names, np.zeros(len(names)), np.ones(len(names)), np.zeros(len(names)), 0.0)


def _fit_from_scratch_if_features_changed() -> None:
    """When the shipped model reads other features than this version computes (a feature was added),
    the assistants this script opens answer with neutral models meanwhile: nothing here reads their
    answers but the features, which do not depend on them."""
    from assistant.errors import AssistantError
    import assistant.service as service

    try:
        AnswerModel.load()
    except AssistantError:
        placeholder = AnswerModel(_neutral(UNIT_FEATURES), _neutral(FOUND_FEATURES), _neutral(ANSWER_FEATURES),
                                  0.5, 1.0, 0.5, 1.0, {})
        print("the shipped model reads other features: fitting from scratch", file=sys.stderr)
        service.AnswerModel = type("Placeholder", (), {"load": staticmethod(lambda path=None: placeholder)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/assistant-labelled"))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    _fit_from_scratch_if_features_changed()
    assistants = open_assistants(args.home)
    train = [Example(q, assistants[q["collection"]]) for q in training_questions()]
    dev = [Example(q, assistants[q["collection"]]) for q in questions("dev")]
    train = [e for e in train if not e.special and e.case.passages]
    texts = {name: " ".join(line.text for lines in a.index.lines.values() for line in lines)
             for name, a in assistants.items()}
    generated = [Example(q, assistants[q["collection"]]) for q in generated_absent(train, texts)]
    generated = [e for e in generated if not e.special and e.case.passages]
    dev_all = dev
    dev = [e for e in dev if not e.special and e.case.passages]
    print(f"train questions {len(train)}, dev {len(dev)} (of {len(dev_all)}; the rest answered by rule)",
          file=sys.stderr)

    matrix = np.vstack([e.matrix for e in train if len(e.units)])
    labels = np.concatenate([e.labels for e in train if len(e.units)])
    groups = np.concatenate([np.full(len(e.units), i) for i, e in enumerate(train) if len(e.units)])
    unit, c_unit = fit(matrix, labels, groups, UNIT_FEATURES)
    oof = out_of_fold(matrix, labels, groups, UNIT_FEATURES, c_unit)
    print(f"units: {len(labels)} ({int(labels.sum())} positive), C={c_unit}", file=sys.stderr)
    def neutral_of(names):
        return Linear(names, np.zeros(len(names)), np.ones(len(names)), np.zeros(len(names)), 0.0)

    neutral = neutral_of(ANSWER_FEATURES)
    neutral_found = neutral_of(FOUND_FEATURES)

    def model_with(found, sure, select_at, found_at=0.0, sure_at=1.0, fitted=None) -> AnswerModel:
        return AnswerModel(unit, found, sure, select_at, select_ratio, found_at, sure_at, fitted or {})

    # select_at and select_ratio on dev: the most right answers (answers given whatever the found model
    # says), the shorter answer (the higher thresholds) when as many are right
    best_select = None
    for select_ratio in (1.0, 0.8, 0.6, 0.4, 0.25):
        for select_at in (0.8, 0.6, 0.5, 0.4, 0.3, 0.2):
            model = model_with(neutral_found, neutral, select_at)
            right = sum(e.outcome(model)[2] for e in dev)
            if best_select is None or right > best_select[0]:
                best_select = (right, select_at, select_ratio)
    _, select_at, select_ratio = best_select
    # answer features on train with out-of-fold unit chances
    rows, answerable, right, gated = [], [], [], []
    start = 0
    for e in train:
        n = len(e.units)
        probabilities = oof[start:start + n] if n else None
        start += n
        model = model_with(neutral_found, neutral, select_at)
        decision = decide(e.case.question, e.case.hits, e.case.passages, e.assistant.index, model, None,
                          probabilities, similar=e.assistant.searcher.similarities)
        rows.append([_number(decision.features[name]) for name in ANSWER_FEATURES])
        answerable.append(0.0 if e.q.get("absent") else 1.0)
        right.append(1.0 if e.outcome(model, probabilities)[2] else 0.0)
        gated.append(decision.found == 0.0)
    for e in generated:  # for the found model only: their units are no examples of what answers
        model = model_with(neutral_found, neutral, select_at)
        decision = decide(e.case.question, e.case.hits, e.case.passages, e.assistant.index, model, None,
                          unit.probability(e.matrix), similar=e.assistant.searcher.similarities)
        rows.append([_number(decision.features[name]) for name in ANSWER_FEATURES])
        answerable.append(0.0)
        right.append(0.0)
        gated.append(decision.found == 0.0)
    print(f"generated absent questions: {len(generated)}", file=sys.stderr)
    answers = np.array(rows)
    found_columns = [ANSWER_FEATURES.index(name) for name in FOUND_FEATURES]
    found, c_found = fit(answers[:, found_columns], np.array(answerable), None, FOUND_FEATURES)
    mask = np.array(answerable) == 1.0  # the sure model: is the answer right, for a question the documents answer
    sure, c_sure = fit(answers[mask], np.array(right)[mask], None, ANSWER_FEATURES)
    model = model_with(found, sure, select_at)
    dev_outcomes = [(*e.outcome(model), bool(e.q.get("absent"))) for e in dev]
    # the train questions' outcomes with out-of-fold found and sure chances (as on questions never seen)
    groups_all = np.arange(len(answers))
    if os.environ.get("TRAIN_ANSWERS_DUMP"):  # the answer rows and labels, for studying other models
        np.savez(os.environ["TRAIN_ANSWERS_DUMP"], answers=answers, answerable=np.array(answerable), right=np.array(right),
                 gated=np.array(gated))
    oof_found = out_of_fold(answers[:, found_columns], np.array(answerable), groups_all, FOUND_FEATURES, c_found)
    oof_sure = np.zeros(len(answers))
    oof_sure[mask] = out_of_fold(answers[mask], np.array(right)[mask], groups_all[mask], ANSWER_FEATURES, c_sure)
    oof_sure[~mask] = sure.probability(answers[~mask])  # absent questions: the model never saw them
    train_outcomes = [(0.0 if gated[i] else float(oof_found[i]),
                       (0.0 if gated[i] else float(oof_found[i])) * float(oof_sure[i]), bool(right[i]),
                       bool(train[i].q.get("absent"))) for i in range(len(train))]
    # thresholds on dev with the train questions' out-of-fold outcomes beside it (98 dev questions alone
    # move a threshold by one question's worth)
    found_at, sure_at = thresholds(dev_outcomes + train_outcomes)
    report = {"train (out of fold)": figures(train_outcomes, found_at, sure_at),
              "dev": figures(dev_outcomes, found_at, sure_at)}
    fitted = {"by": "scripts/train_answers.py", "date": datetime.date.today().isoformat(),
              "questions": {"train": len(train), "generated_absent": len(generated), "dev": len(dev)},
              "units": int(len(labels)),
              "positive_units": int(labels.sum()), "C": {"unit": c_unit, "found": c_found, "sure": c_sure},
              "figures": {k: {m: round(v, 4) for m, v in f.items()} for k, f in report.items()}}
    final = AnswerModel(unit, found, sure, select_at, select_ratio, found_at, sure_at, fitted)
    print(json.dumps({"select_at": select_at, "select_ratio": select_ratio, "found_at": found_at, "sure_at": sure_at, **fitted}, indent=1),
          file=sys.stderr)
    for name, lin in (("unit", unit), ("found", found), ("sure", sure)):
        top = sorted(zip(lin.names, lin.weights), key=lambda kv: -abs(kv[1]))[:12]
        print(name, ", ".join(f"{k} {w:+.2f}" for k, w in top), file=sys.stderr)
    if not args.dry_run:
        OUT.write_text(json.dumps(final.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
