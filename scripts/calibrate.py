"""Fit the found / not-found model (assistant/answer/answerability.py) on labelled questions and
write assistant/data/answerability.json.

The questions: tests/data/calibration_seeds.jsonl (over the shipped corpus) and
tests/data/calibration_laws.jsonl (over ../shared/realworld/laws), answerable and absent, written
for this purpose by someone who had not seen the code. None of the sets the README reports figures
on (../shared/eval, tests/data/heldout*) is used.

The model is a logistic regression (L2, fitted by Newton's method) over the evidence features;
the thresholds are chosen on the same questions by cross-validation: `unsure_at` is the highest
probability that keeps false refusals at or below --max-refusals of the answerable questions,
`found_at` the lowest that at most --sure-absent of the absent questions reach (above it the
answer is given without the "unsure" note).

    .venv/bin/python scripts/calibrate.py                 # fit, print the trade-off, write the file
    .venv/bin/python scripts/calibrate.py --dry-run       # fit and print only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.answerability import FEATURES, SIGNS, possible  # noqa: E402
from assistant.config import SHIPPED_CORPUS, load_settings  # noqa: E402
from assistant.evaluation import read_questions, score_answer  # noqa: E402
from assistant.service import Assistant  # noqa: E402

SETS = [("seeds", ROOT / "tests" / "data" / "calibration_seeds.jsonl", SHIPPED_CORPUS),
        ("laws", ROOT / "tests" / "data" / "calibration_laws.jsonl", ROOT.parent / "shared" / "realworld" / "laws")]
OUT = ROOT / "assistant" / "data" / "answerability.json"


#: Material for generated absent questions: place names, and things a school or a law might have,
#: each used only where the corpus never mentions it (checked against every document's text).
INVENTED_PLACES = ["青石岭", "白沙湾", "柳树营", "望江坪", "红岩沟", "金鸡岭", "石门坎", "桃花坞", "凤凰岗", "黄泥塘"]
INVENTED_THINGS = ["游泳池", "校车", "空调", "无线网络", "心理咨询室", "足球队", "营养午餐", "校服", "近视率", "录取分数线",
                   "停车位", "直饮水", "电梯", "保安", "食堂菜价", "夜自习", "研学旅行", "家长会", "课后服务", "校医"]


def generated_absent(questions: list[dict], corpus_text: str, limit: int) -> list[dict]:
    """Absent questions made from answerable ones, of the kinds users ask: the same question about a
    school or place the corpus does not have (the name it uses replaced by an invented one), or
    about a thing the corpus never mentions (the thing asked about replaced). Chinese only."""
    from assistant.retrieval.focus import focus_zh
    from assistant.segmentation import tagged

    places = [p for p in INVENTED_PLACES if p not in corpus_text]
    things = [t for t in INVENTED_THINGS if t not in corpus_text]
    out = []
    for n, question in enumerate(q for q in questions if not q.get("absent") and q["lang"] == "zh"):
        text = question["q"]
        names = [w for w, flag in tagged(text) if flag in ("ns", "nr", "nt", "nrt", "nz") and len(w) >= 2]
        if n % 2 == 0 and names and places:
            variant = text.replace(names[0], places[n % len(places)], 1)
        else:
            focus = focus_zh(text)
            if not focus or not things:
                continue
            variant = text.replace(focus[0], things[n % len(things)], 1)
        if variant != text:
            out.append({"id": f"gen-{question['id']}", "lang": "zh", "q": variant, "keys": [], "answer": [],
                        "also": [], "absent": True})
        if len(out) >= limit:
            break
    return out


def corpus_text(assistant: Assistant) -> str:
    return "\n".join(line.text for lines in assistant.index.lines.values() for line in lines)


def collect(home: Path, generate: float = 0.5) -> list[dict]:
    rows = []
    for name, path, corpus in SETS:
        os.environ["ASSISTANT_HOME"] = str(home / name)
        assistant = Assistant.open(load_settings(corpus_dir=corpus), warn=lambda m: None)
        questions = read_questions(path)
        written = sum(1 for q in questions if q.get("absent"))
        questions += generated_absent(questions, corpus_text(assistant), int(generate * written))
        for question in questions:
            answer = assistant.ask(question["q"], 5)
            row = score_answer(question, answer.to_dict())
            rows.append({"set": name, "id": question["id"], "lang": question["lang"], "q": question["q"],
                         "generated": question["id"].startswith("gen-"),
                         "label": 0 if question.get("absent") else 1, "features": answer.evidence,
                         "retrieved": row["rank"] is not None})
    return rows


def matrix(rows: list[dict]) -> np.ndarray:
    return np.array([[r["features"].get(name, 0.0) for name in FEATURES] for r in rows], dtype=np.float64)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression with the sign of each weight constrained (SIGNS): fit, drop the features
    whose weights point the wrong way, fit again, until none does."""
    active = np.ones(x.shape[1], dtype=bool)
    signs = np.array([SIGNS[name] for name in FEATURES])
    while True:
        weights, bias = _fit(x[:, active], y, l2)
        full = np.zeros(x.shape[1])
        full[active] = weights
        wrong = (signs * full < 0) & active
        if not wrong.any():
            return full, bias
        active &= ~wrong


def _fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression, Newton's method: minimise Σ log(1 + e^{-y'z}) + l2/2 |w|² (bias free)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        gradient = xb.T @ (p - y) + penalty @ w
        hessian = xb.T @ (xb * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def probabilities(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ weights + bias)))


def cross_validated(x: np.ndarray, y: np.ndarray, folds: int, l2: float, seed: int = 7) -> np.ndarray:
    """Each question's probability from a model fitted without its fold."""
    order = np.random.default_rng(seed).permutation(len(y))
    out = np.zeros(len(y))
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        weights, bias = fit(x[train], y[train], l2)
        out[test] = probabilities(x[test], weights, bias)
    return out


def tradeoff(p: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false refusals among answerable, refusals among absent) when answering from `threshold` on."""
    answerable, absent = y == 1, y == 0
    return float(np.mean(p[answerable] < threshold)), float(np.mean(p[absent] < threshold)) if absent.any() else 0.0


def choose(p: np.ndarray, y: np.ndarray, max_refusals: float, sure_absent: float) -> tuple[float, float]:
    candidates = np.unique(np.concatenate([p, [0.0, 1.0]]))
    unsure_at = 0.0
    for t in candidates:
        refusals, _ = tradeoff(p, y, t)
        if refusals <= max_refusals:
            unsure_at = max(unsure_at, float(t))
    absent = np.sort(p[y == 0])
    # "sure" from the probability that at most `sure_absent` of the absent questions reach
    found_at = float(absent[min(len(absent) - 1, int(np.ceil((1 - sure_absent) * len(absent))))]) if len(absent) else 0.5
    return unsure_at, max(found_at, unsure_at)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/assistant-calibration"),
                        help="ASSISTANT_HOME root for the two indexes (built when missing)")
    parser.add_argument("--max-refusals", type=float, default=0.03,
                        help="largest share of answerable questions refused (cross-validated)")
    parser.add_argument("--sure-absent", type=float, default=0.1,
                        help="largest share of absent questions answered without the 'unsure' note")
    parser.add_argument("--l2", type=float, default=0.1)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--generate", type=float, default=0.25,
                        help="generated absent questions per written one (a school or thing the corpus lacks)")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--dump", type=Path, help="write the per-question features here (JSON lines)")
    args = parser.parse_args()
    started = time.time()
    rows = collect(args.home, args.generate)
    if args.dump:
        args.dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    decided = [r for r in rows if not r["features"]]  # answered outside the model (article lookups)
    rows = [r for r in rows if r["features"]]
    print(f"decided without the model (an article looked up, missing or in several laws): {len(decided)}")
    ruled_out = [r for r in rows if not possible(r["features"])]
    print(f"ruled out before the model (no word of the question / no fact of the asked kind): "
          f"{sum(1 for r in ruled_out if r['label'])} answerable, {sum(1 for r in ruled_out if not r['label'])} absent")
    rows_all = rows
    rows = [r for r in rows if possible(r["features"])]
    x, y = matrix(rows), np.array([r["label"] for r in rows], dtype=np.float64)
    cv = cross_validated(x, y, args.folds, args.l2)
    # the trade-off over all questions: the ruled-out ones are refused whatever the threshold
    y_all = np.array([r["label"] for r in rows_all], dtype=np.float64)
    cv_all = np.full(len(rows_all), -1.0)
    cv_all[[i for i, r in enumerate(rows_all) if possible(r["features"])]] = cv
    # thresholds and figures from the written questions only: the generated ones help the fit, but
    # are not the questions users ask
    written = np.array([not r["generated"] for r in rows_all])
    cv_all, y_all = cv_all[written], y_all[written]
    unsure_at, found_at = choose(cv_all, y_all, args.max_refusals, args.sure_absent)
    weights, bias = fit(x, y, args.l2)
    generated = sum(1 for r in rows if r["generated"])
    print(f"{len(rows_all)} questions ({int(y_all.sum())} answerable, {int((1 - y_all).sum())} absent written, "
          f"{generated} absent generated for the fit) in {time.time() - started:.0f} s")
    print("cross-validated trade-off (answer from p >= t):")
    print("   t     false refusals  absent refused")
    for t in sorted({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, round(unsure_at, 3), round(found_at, 3)}):
        refusals, refused = tradeoff(cv_all, y_all, t)
        print(f"  {t:5.3f}  {refusals:14.3f}  {refused:14.3f}")
    refusals, refused = tradeoff(cv_all, y_all, unsure_at)
    sure = float(np.mean(cv_all[y_all == 1] >= found_at))
    print(f"chosen: unsure_at {unsure_at:.3f} (false refusals {refusals:.3f}, absent refused {refused:.3f}), "
          f"found_at {found_at:.3f} (answerable answered as sure: {sure:.3f})")
    for name, w in zip(FEATURES, weights):
        print(f"  {name:15s} {w:+.3f}")
    print(f"  {'bias':15s} {bias:+.3f}")
    if args.dry_run:
        return 0
    data = {
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, weights)},
        "bias": round(bias, 4), "found_at": round(found_at, 4), "unsure_at": round(unsure_at, 4),
        "fitted": {"by": "scripts/calibrate.py", "on": [str(path.relative_to(ROOT)) for _, path, _ in SETS],
                   "date": time.strftime("%Y-%m-%d"), "questions": len(rows_all), "answerable": int(y_all.sum()),
                   "generated_absent": generated, "l2": args.l2, "max_refusals": args.max_refusals, "sure_absent": args.sure_absent,
                   "cross_validated": {"false_refusals": round(refusals, 4), "absent_refused": round(refused, 4)}},
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
