"""Optional reranking stage: a cross-encoder scores (question, passage) pairs and reorders the
best hits. Off unless ASSISTANT_RERANK_MODEL names a model (a folder or hub id, e.g. a bge
reranker); a model that cannot be loaded is reported in one line and the stage stays off."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable, Protocol



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


def rerank(question: str, candidates: list, reranker: Reranker, text_of: Callable, depth: int = 20) -> list:
    """The first `depth` candidates of the ranking reordered by the reranker's scores of their texts
    (`text_of(candidate)`; stable for ties), their scores the reranker's; the rest keep their order
    after them. Part of the ranking stage: what follows consumes this order."""
    head, tail = candidates[:depth], candidates[depth:]
    scores = reranker.score(question, [text_of(c) for c in head])
    order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
    return [replace(head[i], score=scores[i]) for i in order] + tail
