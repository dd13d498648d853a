"""How much of a question a passage covers: the IDF-weighted share of the question's content
words present in it. Used to rank (a passage that holds every word of the question beats one
that repeats a few) and to decide that the corpus does not answer a question."""

from __future__ import annotations

import math
import re

from ..index.lexical import LexicalIndex
from ..index.tokenization import tokenize
from .query import Query

#: Words that say nothing about what is asked.
GENERIC = frozenset("工作 情况 学校 要求 内容 方面 问题 哪些 什么 多少 怎样 如何 主要 进行 开展 有关 相关 需要 "
                    "现有 共有 计划 是否 负责 准备".split())
_STOP_CHARS = frozenset("组 年 人 个 元 册 所 间 套 天 次 率 比".split())


def content_groups(query: Query) -> list[list[str]]:
    """One group of alternative tokens per content word of the question (a Chinese word and its
    parts; an English term's glossary alternatives)."""
    groups = []
    for group in query.groups or [[t] for t in query.tokens]:
        kept = [t for t in group if (len(t) >= 2 or re.fullmatch(r"[\u4e00-\u9fff]", t)) and t not in GENERIC
                and not t.isdigit()]
        if kept and not all(t in _STOP_CHARS for t in kept):
            groups.append(kept)
    return groups


def group_weights(query: Query, lexical: LexicalIndex, groups: list[list[str]] | None = None
                  ) -> tuple[list[list[str]], list[float], float]:
    """The question's content-word groups, each group's weight (the largest idf of its tokens
    the corpus uses, else the largest possible idf) and the total weight (English words that map
    to no Chinese term count half a missing word each). The same for every passage: compute once
    per question."""
    groups = content_groups(query) if groups is None else groups
    max_idf = math.log(lexical.size + 1.0) + 1.0
    weights, total = [], 0.0
    for group in groups:
        known = [lexical.idf(t) for t in group if lexical.doc_freq(t)]
        idf = max(known) if known else max_idf
        weights.append(idf)
        total += idf
    total += 0.5 * max_idf * len(query.unmatched)
    return groups, weights, total


def coverage_of_tokens(query: Query, present: set[str], lexical: LexicalIndex,
                       groups: list[list[str]] | None = None,
                       weights: tuple[list[list[str]], list[float], float] | None = None) -> float:
    """Σ idf(word)·[word present] / Σ idf(word). A word counts once, whichever of its tokens is
    present; a word the corpus never uses weighs most; English words that map to no Chinese term
    count as missing. `weights`: group_weights() of the question, when already computed."""
    groups, idfs, total = weights if weights is not None else group_weights(query, lexical, groups)
    found = 0.0
    for group, idf in zip(groups, idfs):
        if any(t in present for t in group):
            found += idf
    return found / total if total else 0.0


def coverage(query: Query, text: str, lexical: LexicalIndex) -> float:
    return coverage_of_tokens(query, set(tokenize(text)), lexical)
