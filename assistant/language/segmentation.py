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


class WordTags:
    """Word → jieba's part-of-speech tag, read from a WordTable of tag numbers (the `.get` that
    jieba's tagger uses); saved beside the word table, as reading jieba's dictionary for the tags
    takes over a second."""

    def __init__(self, table: WordTable, names: list[str]):
        self.table, self.names = table, names
        self.extra: dict[str, str] = {}  # words added with a tag after the table was made

    def get(self, word, default=None):
        if word in self.extra:
            return self.extra[word]
        number = self.table.get(word)
        return default if number is None else self.names[number]

    def update(self, tags: dict[str, str]) -> None:
        self.extra.update(tags)

    def __contains__(self, word) -> bool:
        return word in self.extra or word in self.table


@lru_cache(maxsize=1)
def word_tags() -> WordTags:
    path = word_table_path()
    path = path.with_name(path.stem + "-tags.npz")
    names_path = path.with_suffix(".txt")
    try:
        return WordTags(WordTable.load(path), names_path.read_text(encoding="utf-8").split())
    except (OSError, ValueError, KeyError):
        pass
    tags: dict[str, str] = {}
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    for line in dictionary.read_bytes().decode("utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
    for line in data_lines("domain_terms.txt"):
        parts = line.split()
        if len(parts) > 2:
            tags[parts[0]] = parts[2]
    for letter, top in (("A", 4), ("B", 20), ("C", 34)):
        for number in range(1, top + 1):
            tags[f"{letter}{number}"] = "eng"
    names = sorted(set(tags.values()))
    index = {name: n for n, name in enumerate(names)}
    table = WordTable.from_freq({word: index[tag] for word, tag in tags.items()}, 0)
    try:
        table.save(path)
        names_path.write_text(" ".join(names), encoding="utf-8")
    except OSError:
        pass
    return WordTags(table, names)


@lru_cache(maxsize=1)
def _tagger():
    """jieba's part-of-speech tagger over our tokenizer, its tags from word_tags() (a dict there is
    only read with .get). Importing
    jieba.posseg builds a tagger of jieba's own dictionary (over a second); its dictionary file is
    replaced by an empty one while it is imported, as that tagger is never used."""
    import importlib
    import io
    import sys

    tags = word_tags()
    if "jieba.posseg" not in sys.modules:
        jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
        try:
            posseg = importlib.import_module("jieba.posseg")
        finally:
            del jieba.dt.get_dict_file
    else:
        posseg = sys.modules["jieba.posseg"]

    tagger = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
    tagger.tokenizer = segmenter()
    tagger.word_tag_tab = tags
    return tagger


#: jieba's tags of proper nouns: persons, places, organisations, other names (and their variants).
NAME_FLAGS = frozenset({"nr", "ns", "nt", "nz", "nrt", "nrfg", "nsf"})


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs (jieba's tags: nr person, ns place, nt organisation, nz other
    proper noun, n noun, v verb, …; x for words jieba's dictionary has no tag for). Thread-safe."""
    tagger = _tagger()
    with _lock:
        return [(pair.word, pair.flag) for pair in tagger.cut(text)]
