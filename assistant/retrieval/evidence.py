"""How much of a question a passage covers: the IDF-weighted share of the question's content
words present in it. Used to rank (a passage that holds every word of the question beats one
that repeats a few) and to decide that the corpus does not answer a question."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..index.lexical import LexicalIndex
from ..language.tokenization import tokenize
from .query import Query, Word

#: Words that say nothing about what is asked.
GENERIC = frozenset("工作 情况 学校 要求 内容 方面 问题 哪些 什么 多少 怎样 如何 主要 进行 开展 有关 相关 需要 "
                    "现有 共有 计划 是否 负责 准备 材料 资料 钱 期间 时候 何时 多久 谁".split())
_YEAR = re.compile(r"(19|20)\d\d")
#: A question word the corpus never uses weighs this share of the largest possible IDF: it cannot be
#: found in any passage, so at full weight it would only scale every coverage down (a paraphrase:
#: 头疼 for 问题), while it still says the question may ask about something the corpus lacks.
UNKNOWN_IDF_SHARE = 0.5
_STOP_CHARS = frozenset("组 年 人 个 元 册 所 间 套 天 次 率 比".split())


def _present(token: str, tokens: set[str], raw: str, heads: bool = False) -> bool:
    """Is the question's token in the passage? A word of two or more characters anywhere in its
    text (segmentation may cut it otherwise there); a single character as a word, or with `heads`
    as the head (last character) of one, since Chinese compounds are head-final: 宣传周 is a 周
    (week), 学费 and 杂费 are 费 (fees). `heads` is for a dictionary's translation of an English
    noun; a Chinese question's own one-character word is mostly a verb or adjective (差 is not
    what 较差 is about)."""
    if token in tokens:
        return True
    if len(token) >= 2:
        return not token.isascii() and token in raw
    return heads and "\u4e00" <= token <= "\u9fff" and any(len(t) > 1 and t.endswith(token) for t in tokens)


def compound_presence(spelling: tuple[str, ...], tokens: set[str], raw: str, heads: bool = False) -> float:
    """1 when the whole word is present; else, when its head (last part) is, the share of its
    parts present; else 0 (平均年龄 without 年龄 is not about age; 师生 is not 师生比)."""
    whole = max(spelling, key=len)
    if _present(whole, tokens, raw, heads):
        return 1.0
    parts = [t for t in spelling if t != whole]
    heads = [t for t in parts if whole.endswith(t)]
    if not heads or not any(_present(t, tokens, raw) for t in heads):
        return 0.0
    return sum(1 for t in parts if _present(t, tokens, raw)) / len(parts)


@dataclass(frozen=True)
class Group:
    """A content word of the question with the tokens that say nothing left out."""

    alternatives: tuple[tuple[str, ...], ...]
    weight: float
    heads: bool = False  # a one-character term also matches as the head of a word (_present)

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(t for alternative in self.alternatives for t in alternative)

    def presence(self, tokens: set[str], raw: str) -> float:
        return max(compound_presence(a, tokens, raw, self.heads) for a in self.alternatives)


def _keep(token: str) -> bool:
    return ((len(token) >= 2 or bool(re.fullmatch(r"[\u4e00-\u9fff]", token))) and token not in GENERIC
            and (not token.isdigit() or bool(_YEAR.fullmatch(token))))


def content_groups(query: Query) -> list[Group]:
    """The question's content words (generic words, plain numbers and measure words left out)."""
    words = query.words or [Word(((t,),), w) for t, w in zip(query.tokens, query.weights)]
    out = []
    for word in words:
        alternatives = []
        for spelling in word.alternatives:
            kept = tuple(t for t in spelling if _keep(t))
            if kept and not all(t in _STOP_CHARS for t in kept) and (not spelling or _keep(max(spelling, key=len))):
                alternatives.append(kept)
        if alternatives:
            out.append(Group(tuple(alternatives), word.weight, heads=query.lang != "zh"))
    return out


@dataclass(frozen=True)
class Weights:
    """The question's content words and what each weighs: w·idf (idf: the largest of its tokens the
    corpus uses, else UNKNOWN_IDF_SHARE of the largest possible), and the total (English words that
    map to no Chinese term count half a missing word each). Made once per question (question.py)."""

    groups: tuple[Group, ...]
    idfs: tuple[float, ...]
    total: float

    def coverage(self, present: set[str], raw: str = "") -> float:
        """Σ w·idf(word)·presence(word) / Σ w·idf(word): the one measure of how much of the question a
        text holds. `present`: the text's tokens; `raw` (the text itself) lets a Chinese word count as
        present when segmentation cut it differently there."""
        if not self.total:
            return 0.0
        return sum(idf * group.presence(present, raw) for group, idf in zip(self.groups, self.idfs)) / self.total

    def key(self) -> Group | None:
        """The question's most specific word (the largest weight), or None."""
        if not self.groups:
            return None
        return self.groups[max(range(len(self.groups)), key=lambda i: self.idfs[i])]

    def known(self, lexical: LexicalIndex) -> list[tuple[Group, float]]:
        """The words some passage of the corpus uses, with their weights."""
        return [(g, w) for g, w in zip(self.groups, self.idfs) if any(lexical.doc_freq(t) for t in g.tokens)]


def weigh(query: Query, lexical: LexicalIndex, groups: list[Group] | None = None) -> Weights:
    """The Weights of a question's content words (or of `groups`) in this corpus."""
    groups = content_groups(query) if groups is None else groups
    max_idf = math.log(lexical.size + 1.0) + 1.0
    idfs, total = [], 0.0
    for group in groups:
        known = [lexical.idf(t) for t in group.tokens if lexical.doc_freq(t)]
        idf = (max(known) if known else UNKNOWN_IDF_SHARE * max_idf) * group.weight
        idfs.append(idf)
        total += idf
    total += 0.5 * max_idf * len(query.unmatched)
    return Weights(tuple(groups), tuple(idfs), total)


def coverage(query: Query, text: str, lexical: LexicalIndex) -> float:
    """How much of the question `text` holds (for one-off uses; a Question carries its Weights)."""
    return weigh(query, lexical).coverage(set(tokenize(text)), text)


_LEAD_IN = re.compile(r"[：:]\s*$")
_SENTENCE = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])|\n")


def best_window(weights: Weights, context: str, text: str, width: int = 2) -> tuple[float, list[str]]:
    """The best coverage of `context` (title, heading path) plus any `width` adjacent sentences of
    `text`, and those sentences: the question's words must occur together, not scattered over a
    long passage. Ties go to the earliest window."""
    sentences = _sentences(text)
    lead: list[str] = []
    if len(sentences) > width and _LEAD_IN.search(sentences[0]):
        # a lead-in ("称为大学的，须符合下列规定：", "主要措施如下：") says what each item below it is
        # about: it belongs to every window (and to the sentences returned), as the title and headings do
        lead = [sentences[0]]
        context = f"{context} {sentences[0]}"
        sentences = sentences[1:]
    base = set(text_tokens(context))
    token_sets = [text_tokens(s) for s in sentences]
    best = weights.coverage(base, context)
    chosen: list[str] = list(sentences[:width])
    for start in range(len(token_sets)):
        window = set(base)
        for tokens in token_sets[start:start + width]:
            window |= tokens
        raw = context + "".join(sentences[start:start + width])
        value = weights.coverage(window, raw)
        if value > best + 1e-9:
            best, chosen = value, list(sentences[start:start + width])
    return best, lead + chosen


@lru_cache(maxsize=65536)
def text_tokens(text: str) -> frozenset[str]:
    """Tokens of a sentence or heading path (cached: the same passages come back question after question)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=16384)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s for s in _SENTENCE.split(text) if s and s.strip()) or (text,)


def best_first(items: list, covers: list[float]) -> list:
    """The items with the highest coverage first, then the others; ranked order kept within each."""
    best = max(covers, default=0.0)
    return [i for i, c in zip(items, covers) if c >= best] + [i for i, c in zip(items, covers) if c < best]
