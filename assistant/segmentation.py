"""Chinese word segmentation shared by cleaning and tokenization: one jieba tokenizer of our own
(the global one is left alone), with the domain dictionary, the synonym groups' words and indicator
codes, built on first use."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from importlib import resources

import jieba

_lock = threading.Lock()


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a file in assistant/data/."""
    text = resources.files("assistant").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def segmenter() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for line in data_lines("domain_terms.txt"):
        parts = line.split()
        tokenizer.add_word(parts[0], int(parts[1]) if len(parts) > 1 else 2000, parts[2] if len(parts) > 2 else None)
    for line in data_lines("synonyms_zh.tsv"):  # kept whole, unless jieba already knows the word
        for word in (w.strip() for w in line.split("|")):
            if word and not tokenizer.FREQ.get(word):
                tokenizer.add_word(word, 2000)
    for letter, top in (("A", 4), ("B", 20), ("C", 34)):
        for number in range(1, top + 1):
            tokenizer.add_word(f"{letter}{number}", 3000, "eng")
    return tokenizer


def cut(text: str, search_mode: bool = False, hmm: bool | None = None) -> list[str]:
    """Words of `text` (search mode also yields the parts of long words). The HMM guesses words
    missing from the dictionary (names such as 德新镇); it is on by default in search mode. Thread-safe."""
    tokenizer = segmenter()
    hmm = search_mode if hmm is None else hmm
    with _lock:  # jieba's lazy state is not thread-safe
        if search_mode:
            return list(tokenizer.cut_for_search(text, HMM=hmm))
        return list(tokenizer.cut(text, HMM=hmm))


@lru_cache(maxsize=1)
def _tagger():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(segmenter())


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs (jieba's tags: nr person, ns place, nt organisation, nz other
    proper noun, n noun, v verb, …). Thread-safe."""
    tagger = _tagger()
    with _lock:
        return [(pair.word, pair.flag) for pair in tagger.cut(text)]
