"""An English gloss of the Chinese words an English answer quotes: word by word, from the domain glossary
(data/glossary_en_zh.tsv) and the index's CC-CEDICT table (language/bilingual.py) turned round, so that
a reader who reads no Chinese can tell what the quote is about. It is marked as a gloss, never offered
as a translation; figures, codes and names are left as written (they need none)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..language.tokenization import stopwords
from ..language.bilingual import Bilingual
from ..retrieval.query import glossary
from ..language.segmentation import tagged

#: Words glossed in one answer at most (the first ones the quote holds, in its order).
MAX_WORDS = 10
_CHINESE = re.compile(r"^[\u4e00-\u9fff]{2,}$")
#: Part-of-speech tags (jieba's) of words that are not glossed: conjunctions, prepositions, particles.
_FUNCTION_TAGS = ("c", "p", "u")


@lru_cache(maxsize=1)
def _glossary_reversed() -> dict[str, str]:
    """Chinese term → the glossary's English for it: the first phrase of the first line that gives it
    (a line lists its English phrases most usual first: "leader|group leader|…|led	组长")."""
    out: dict[str, str] = {}
    for phrase, terms in glossary().items():
        for term in terms:
            out.setdefault(term, " ".join(phrase))
    return out


def _dictionary_reversed(bilingual: Bilingual) -> dict[str, str]:
    """Chinese word of the corpus → the English phrase that means it most (highest weight, then
    shortest), from the index's table; made once per table."""
    cached = getattr(bilingual, "_reversed", None)
    if cached is not None:
        return cached
    best: dict[str, tuple[float, int, str]] = {}
    for phrase, words in bilingual.phrases.items():
        english = " ".join(phrase)
        for word, weight in words:
            key = (weight, -len(english), english)
            if word not in best or key > best[word]:
                best[word] = key
    reversed_ = {word: key[2] for word, key in best.items()}
    object.__setattr__(bilingual, "_reversed", reversed_)
    return reversed_


def gloss(text: str, bilingual: Bilingual | None) -> list[tuple[str, str]]:
    """(Chinese word, English) for the words of `text` the glossary or the dictionary knows, in the
    order they first occur, stopwords, one-character words and people's names left out, at most MAX_WORDS."""
    table = _glossary_reversed()
    dictionary = _dictionary_reversed(bilingual) if bilingual is not None else {}
    skip = stopwords()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    previous = ("", "")
    for word, flag in tagged(text):
        # a person's name is no word to gloss: 朱卫兵 is 朱 (a surname) + 卫兵 to the tagger, not "guard"
        after_surname = len(previous[0]) == 1 and previous[1].startswith("nr")
        previous = (word, flag)
        if flag.startswith("nr") or after_surname:
            continue
        if flag[:1] in _FUNCTION_TAGS:  # 或者, 按照, 的: how the sentence joins, not what it is about
            continue
        if word in seen or word in skip or not _CHINESE.match(word):
            continue
        seen.add(word)
        english = table.get(word) or dictionary.get(word)
        if english:
            out.append((word, english))
            if len(out) >= MAX_WORDS:
                break
    return out
