"""Optional reranking stage: a cross-encoder scores (question, passage) pairs and reorders the
best hits. Off unless ASSISTANT_RERANK_MODEL names a model (a folder or hub id, e.g. a bge
reranker); a model that cannot be loaded is reported in one line and the stage stays off."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable, Protocol

from .search import Hit


class Reranker(Protocol):
    name: str

    def score(self, question: str, passages: list[str]) -> list[float]:
        """Higher is more relevant; one score per passage."""


class CrossEncoderReranker:
    def __init__(self, reference: str):
        from ..index.st_embedder import downloads_allowed, resolve_model

        location = resolve_model(reference)  # a local folder unless downloads are allowed
        saved = os.environ.get("HF_HUB_OFFLINE")
        if not downloads_allowed():
            os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from sentence_transformers import CrossEncoder

            self.model = CrossEncoder(location, device="cpu")
        finally:
            if saved is None:
                os.environ.pop("HF_HUB_OFFLINE", None)
            else:
                os.environ["HF_HUB_OFFLINE"] = saved
        self.name = reference

    def score(self, question: str, passages: list[str]) -> list[float]:
        if not passages:
            return []
        return [float(s) for s in self.model.predict([(question, p) for p in passages], show_progress_bar=False)]


def load_reranker(reference: str | None, warn: Callable[[str], None] = print) -> Reranker | None:
    if not reference:
        return None
    try:
        return CrossEncoderReranker(reference)
    except Exception as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        warn(f"warning: rerank model '{reference}' cannot be loaded ({reason}); reranking is off")
        return None


def rerank(question: str, hits: list[Hit], reranker: Reranker, depth: int = 20) -> list[Hit]:
    """The first `depth` hits reordered by the reranker's scores (stable for ties); the rest
    keep their order after them. Ranks are renumbered; scores become the reranker's."""
    head, tail = hits[:depth], hits[depth:]
    scores = reranker.score(question, [h.chunk.text for h in head])
    order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
    reordered = [replace(head[i], score=scores[i]) for i in order] + tail
    return [replace(hit, rank=rank) for rank, hit in enumerate(reordered, start=1)]
