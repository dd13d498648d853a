"""Score fusion as plain functions."""

from __future__ import annotations

import numpy as np


def ranks_of(scores: np.ndarray, depth: int, floor: float | None = None) -> dict[int, int]:
    """Position → 1-based rank for the `depth` best scores (ties broken by position);
    scores at or below `floor` are not ranked."""
    order = np.lexsort((np.arange(len(scores)), -scores))[:depth]
    out = {}
    for rank, position in enumerate(order, start=1):
        if floor is not None and scores[position] <= floor:
            break
        out[int(position)] = rank
    return out


def reciprocal_rank_fusion(rankings: list[dict[int, int]], weights: list[float] | None = None,
                           k: float = 60.0) -> dict[int, float]:
    """RRF (Cormack et al. 2009): score(d) = Σ_r w_r / (k + rank_r(d))."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for position, rank in ranking.items():
            fused[position] = fused.get(position, 0.0) + weight / (k + rank)
    return fused


def minmax(scores: np.ndarray) -> np.ndarray:
    """(s - min) / (max - min); all zeros when the scores are flat."""
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def weighted_sum(lexical: np.ndarray, dense: np.ndarray | None, alpha: float = 0.5) -> np.ndarray:
    """Convex combination of min–max normalised scores: α·lex' + (1-α)·dense'."""
    lex = minmax(lexical.astype(np.float64))
    if dense is None or dense.size == 0:
        return lex
    return alpha * lex + (1 - alpha) * minmax(dense.astype(np.float64))
