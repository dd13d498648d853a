"""Answers: which lines answer (selection), whether the corpus answers at all (answerability), and
the text with numbered citations (compose)."""

from ..retrieval.facts import has_figure
from .compose import PHRASES, Answer, compose

__all__ = ["Answer", "PHRASES", "compose", "has_figure"]
