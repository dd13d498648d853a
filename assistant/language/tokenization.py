"""Text → tokens for the lexical index and queries: jieba search-mode segmentation with a domain
dictionary (terms and indicator codes stay whole), NFKC normalisation, stopwords dropped,
indicator codes (ranges expanded) added as tokens of their own."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .segmentation import cut, data_lines
from .codes import extract_codes

_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_CODE = re.compile(r"^[ABCabc]\d{1,2}$")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(word for line in data_lines("stopwords.txt") for word in line.split())


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def tokenize(text: str) -> list[str]:
    """Search-mode tokens (a long word also yields its parts), lower-cased Latin, no stopwords;
    indicator codes appear once each, upper-case ("C7-C9" → C7, C8, C9)."""
    text = normalise(text)
    words = cut(text, search_mode=True)
    stops = stopwords()
    tokens = []
    for word in words:
        word = word.strip()
        if not word or not _KEEP.search(word) or word in stops or _CODE.match(word):
            continue  # codes come from extract_codes below: "C15" must not also yield "C1"
        tokens.append(word.lower() if word.isascii() else word)
    codes = extract_codes(text)
    tokens.extend(code.lower() for code in codes if code.lower() not in tokens)
    return tokens
