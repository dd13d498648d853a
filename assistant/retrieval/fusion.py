"""Score fusion as plain functions."""

from __future__ import annotations

import numpy as np


def ranks_of(scores: np.ndarray, depth: int, floor: float | None = None) -> dict[int, int]:
    """Position → 1-based rank for the `depth` best scores (ties broken by position);
    scores at or below `floor` are not ranked.

    Selects the candidates in linear time (np.partition) and sorts only them, not the corpus."""
    scores = np.asarray(scores)
    if depth <= 0 or scores.size == 0:
        return {}
    if scores.size > depth:
        kth = np.partition(scores, scores.size - depth)[scores.size - depth]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(scores.size)
    order = candidates[np.lexsort((candidates, -scores[candidates]))][:depth]
    out = {}
    for rank, position in enumerate(order, start=1):
        if floor is not None and scores[position] <= floor:
            break
        out[int(position)] = rank
    return out


def ranks_from(positions: np.ndarray) -> dict[int, int]:
    """Position → 1-based rank for positions already in rank order (a nearest-neighbour search)."""
    return {int(position): rank for rank, position in enumerate(positions, start=1)}


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
