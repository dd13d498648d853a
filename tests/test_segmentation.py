"""Segmentation from the saved WordTable equals segmentation with jieba's own dict."""

import jieba
import pytest

from assistant.language import segmentation
from assistant.config import SHIPPED_CORPUS
from assistant.language.word_table import WordTable


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    full = segmentation.full_tokenizer()
    path = tmp_path_factory.mktemp("words") / "words.npz"
    WordTable.from_freq(full.FREQ, full.total).save(path)
    compact = jieba.Tokenizer()
    table = WordTable.load(path)
    compact.FREQ, compact.total, compact.initialized = table, table.total, True
    return full, compact


def test_word_table_is_the_same_mapping(tokenizers):
    full, compact = tokenizers
    table = compact.FREQ
    assert len(table) == len(full.FREQ) and table.total == full.total
    for word in ["曹集", "A2", "保障机制组", "师生比", "留守儿童", "的", "A2保", "不存在的词语组合", "", "x" * 40]:
        assert table.get(word) == full.FREQ.get(word), word
        assert (word in table) == (word in full.FREQ), word
    words = list(full.FREQ)[::997]
    assert [table[w] for w in words] == [full.FREQ[w] for w in words]
    with pytest.raises(KeyError):
        table["不存在的词语组合"]


def test_shipped_corpus_segments_identically(tokenizers):
    full, compact = tokenizers
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SHIPPED_CORPUS.glob("*.txt")))[:60000]
    text += "\nWhat must the A2 guarantee-mechanism group file? 德新镇初级中学 C7-C15"
    for line in text.splitlines():
        assert list(compact.cut(line, HMM=True)) == list(full.cut(line, HMM=True))
        assert list(compact.cut(line, HMM=False)) == list(full.cut(line, HMM=False))
        assert list(compact.cut_for_search(line, HMM=True)) == list(full.cut_for_search(line, HMM=True))


def test_segmenter_saves_the_table_and_later_reads_it(tmp_path, monkeypatch):
    path = tmp_path / "words.npz"
    monkeypatch.setattr(segmentation, "word_table_path", lambda: path)
    segmentation.segmenter.cache_clear()
    try:
        built = segmentation.segmenter()
        assert isinstance(built.FREQ, dict) and path.exists()
        segmentation.segmenter.cache_clear()
        loaded = segmentation.segmenter()
        assert isinstance(loaded.FREQ, WordTable)
        assert segmentation.cut("A2保障机制组要准备哪些材料?", search_mode=True) == \
            list(built.cut_for_search("A2保障机制组要准备哪些材料?", HMM=True))
        path.write_bytes(b"not a table")  # a damaged file: built again, not an error
        segmentation.segmenter.cache_clear()
        assert isinstance(segmentation.segmenter().FREQ, dict)
        assert isinstance(WordTable.load(path), WordTable)
    finally:
        segmentation.segmenter.cache_clear()


def test_word_table_path_changes_with_the_data(monkeypatch):
    first = segmentation.word_table_path()
    assert first == segmentation.word_table_path()
    real = segmentation.resources.files

    class Changed:
        def __init__(self, inner):
            self.inner = inner

        def joinpath(self, *parts):
            target = self.inner.joinpath(*parts)
            return type("F", (), {"read_bytes": lambda _: target.read_bytes() + b"\nnew"})()

    monkeypatch.setattr(segmentation.resources, "files", lambda package: Changed(real(package)))
    assert segmentation.word_table_path() != first


def test_tagger_uses_the_saved_tags_and_tags_like_jieba():
    """The part-of-speech tags come from a saved table of jieba's dictionary tags (not jieba.posseg's
    own dictionary load): the same tags as jieba's tagger for dictionary words, names guessed by its HMM."""
    from assistant.language.segmentation import tagged, word_tags

    pairs = dict(tagged("曹集学校有多少孩子、多少老师?"))
    assert pairs["曹集"] == "nr" and pairs["多少"] == "m" and pairs["孩子"] == "n"
    assert word_tags().get("的") == "uj" and word_tags().get("没有这个词的词", "x") == "x"
