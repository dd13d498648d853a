"""Chinese word segmentation shared by cleaning and tokenization: one jieba tokenizer of our own
(the global one is left alone), with the domain dictionary, the synonym groups' words and indicator
codes, built on first use.

Building it means loading jieba's dictionary (about a second here); the finished word
frequencies are therefore saved as a WordTable (word_table.py) in the temporary folder, keyed by
jieba's version and dictionary file, our data files and this module, and later processes read
that instead (milliseconds). Segmentation is the same either way."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba

from .word_table import WordTable

_lock = threading.Lock()
#: The data files whose words are added to jieba's dictionary.
DICTIONARY_DATA = ("domain_terms.txt", "synonyms_zh.tsv")


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a file in assistant/data/."""
    text = resources.files("assistant").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def full_tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary with our words added (the slow way: jieba's whole dict in memory)."""
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


def word_table_path() -> Path:
    """Where the finished word frequencies are kept: named by everything they depend on."""
    digest = hashlib.sha256()
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    try:
        stat = dictionary.stat()
        digest.update(f"{jieba.__version__} {dictionary} {stat.st_size} {stat.st_mtime_ns}".encode())
    except OSError:
        digest.update(f"{jieba.__version__} {dictionary}".encode())
    for name in DICTIONARY_DATA:
        digest.update(resources.files("assistant").joinpath("data", name).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return Path(tempfile.gettempdir()) / f"assistant-words-{digest.hexdigest()[:16]}.npz"


@lru_cache(maxsize=1)
def segmenter() -> jieba.Tokenizer:
    """The tokenizer, its frequencies read from the saved WordTable when there is one; else built
    in full (and the table saved for the next process)."""
    jieba.setLogLevel(logging.WARNING)
    path = word_table_path()
    try:
        table = WordTable.load(path)
    except (OSError, ValueError, KeyError):
        table = None
    if table is None:
        tokenizer = full_tokenizer()
        try:
            WordTable.from_freq(tokenizer.FREQ, tokenizer.total).save(path)
        except OSError:
            pass  # a read-only temporary folder: every process builds the dictionary
        return tokenizer
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = table, table.total, True
    return tokenizer


def cut(text: str, search_mode: bool = False, hmm: bool | None = None) -> list[str]:
    """Words of `text` (search mode also yields the parts of long words). The HMM guesses words
    missing from the dictionary (names such as 德新镇); it is on by default in search mode. Thread-safe."""
    tokenizer = segmenter()
    hmm = search_mode if hmm is None else hmm
    with _lock:  # jieba's lazy state (and the WordTable's remembered lookups) is not thread-safe
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
