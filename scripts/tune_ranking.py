"""Measure the evidence weights of the ranking stage (assistant/retrieval/ranking.py) on the
calibration questions (tests/data/calibration_*.jsonl: written for this, not the sets the README
reports on): MRR@5 and hit@1 of the answerable questions for each combination of weights on a grid.

The candidates and their evidence are computed once per question with the current RankingConfig;
each combination only re-adds the weighted evidence to the fused score, so the grid is fast.

    .venv/bin/python scripts/tune_ranking.py --home /tmp/assistant-calibration
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import SHIPPED_CORPUS, load_settings  # noqa: E402
from assistant.evaluation import read_questions, squash  # noqa: E402
from assistant.retrieval.ranking import RankingConfig, evidence_score, vote  # noqa: E402
from assistant.service import Assistant  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
SETS = [("seeds", ROOT / "tests" / "data" / "calibration_seeds.jsonl", SHIPPED_CORPUS),
        ("laws", ROOT / "tests" / "data" / "calibration_laws.jsonl", ROOT.parent / "shared" / "realworld" / "laws")]

GRID = {
    "window_weight": [0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0],
    "kind_weight": [0.0, 0.5, 1.0, 2.0, 3.0],
    "focus_weight": [0.0, 0.5, 1.0, 2.0, 3.0],
    "unit_weight": [0.0, 1.0, 2.0, 4.0],
}


def collect(home: Path, config: RankingConfig) -> list[tuple[str, str, list[tuple[float, dict, bool]]]]:
    """Per answerable question: (set, lang, [(fused score, evidence, relevant)] of the rescored head)."""
    out = []
    for name, path, corpus in SETS:
        os.environ["ASSISTANT_HOME"] = str(home / name)
        assistant = Assistant.open(load_settings(corpus_dir=corpus), warn=lambda m: None)
        searcher = assistant.searcher
        searcher.config = config
        for question in read_questions(path):
            if question.get("absent") or not question["keys"]:
                continue
            keys = [squash(k) for k in question["keys"]]
            head = searcher.rank(searcher.understand(question["q"])).candidates[:config.rescore_depth]
            rows = [(c.evidence.fused, c.evidence,
                     any(k in squash(searcher.index.chunks[c.position].text) for k in keys)) for c in head]
            out.append((name, question["lang"], rows))
    return out


def score(data, config: RankingConfig, k: int = 5) -> dict[str, tuple[float, float]]:
    unit = vote(config)
    groups: dict[str, list[float]] = {}
    for name, lang, rows in data:
        order = sorted(rows, key=lambda r: -(r[0] + unit * evidence_score(r[1], config)))
        rank = next((i for i, r in enumerate(order[:k], start=1) if r[2]), None)
        for group in ("all", f"{name}-{lang}"):
            groups.setdefault(group, []).append(rank or 0)
    return {g: (sum(1 for r in ranks if r == 1) / len(ranks), sum(1 / r for r in ranks if r) / len(ranks))
            for g, ranks in groups.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("/tmp/assistant-calibration"))
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    base = RankingConfig()
    data = collect(args.home, base)
    current = score(data, base)
    print("current:", {g: f"{h:.3f}/{m:.3f}" for g, (h, m) in sorted(current.items())})
    results = []
    for values in itertools.product(*GRID.values()):
        config = replace(base, **dict(zip(GRID, values)))
        figures = score(data, config)
        results.append((figures["all"][1], figures["all"][0], values, figures))
    results.sort(key=lambda r: (-r[0], -r[1]))
    print("best by MRR@5 (hit@1/MRR per group):", ", ".join(GRID))
    for mrr, hit, values, figures in results[:args.top]:
        print(values, {g: f"{h:.3f}/{m:.3f}" for g, (h, m) in sorted(figures.items())})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
