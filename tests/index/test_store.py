import faiss
import numpy as np
import pytest

from assistant.errors import IndexCorruptError, IndexMissingError
from assistant.index import store
from assistant.building import build_index
from assistant.index.dense import DenseIndex
from assistant.index.lexical import LexicalIndex
from assistant.language.tokenization import tokenize


def test_tokenizer_keeps_domain_terms_and_codes_whole():
    tokens = tokenize("3.A2保障机制组 责任指标:C7-C9,留守儿童")
    assert "保障机制" in tokens and "留守儿童" in tokens
    assert {"a2", "c7", "c8", "c9"} <= set(tokens)
    assert "c1" not in tokenize("C15")


def test_lexical_round_trip(tmp_path):
    texts = ["学校财务管理制度", "教职工工资花名册", "留守儿童入学情况统计表"]
    index = LexicalIndex.build(texts)
    before = index.scores(tokenize("工资花名册"))
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert np.allclose(before, loaded.scores(tokenize("工资花名册")))
    assert int(np.argmax(before)) == 1


def test_lexical_scores_equal_bm25s_and_load_without_it(tmp_path):
    """The reader of bm25s's files scores as bm25s does (exactly), and loading does not import it."""
    import subprocess
    import sys

    import bm25s

    from assistant.config import SHIPPED_CORPUS

    text = (SHIPPED_CORPUS / "balanced-development-work-plans-5.txt").read_text(encoding="utf-8")
    chunks = [tokenize(part) or ["∅"] for part in text.split("\n\n") if part.strip()][:200]
    index = LexicalIndex.from_tokens(chunks)
    index.save(tmp_path / "bm25")
    reference = bm25s.BM25.load(str(tmp_path / "bm25"))
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for query in ["曹集学校的师生比是多少?", "A2保障机制组要准备哪些材料?", "留守儿童 结对 帮扶", "学校 学校 学校"]:
        tokens = [t for t in tokenize(query) if t in reference.vocab_dict]
        expected = reference.get_scores(tokens)
        assert np.array_equal(loaded.scores(tokenize(query)), expected), query
        assert np.array_equal(index.scores(tokenize(query)), expected), query
        weights = [1.0 / (i + 1) for i in range(len(tokens))]
        weighted = sum(w * reference.get_scores([t]) for t, w in zip(tokens, weights))
        assert np.allclose(loaded.scores(tokens, weights), weighted, rtol=0, atol=1e-6)
    for token in ["学校", chunks[0][0]]:
        assert loaded.doc_freq(token) == index.doc_freq(token) > 0
    code = (f"import sys; from assistant.index.lexical import LexicalIndex; "
            f"LexicalIndex.load({str(tmp_path / 'bm25')!r}).scores(['学校']); "
            f"print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_dense_round_trip(tmp_path, fake_embedder):
    vectors = fake_embedder.encode(["学校财务管理制度", "教职工工资花名册", "留守儿童统计表"])
    index = DenseIndex.build(vectors)
    query = fake_embedder.encode(["工资花名册"])[0]
    before = index.scores(query)
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    assert np.allclose(before, loaded.scores(query))
    assert int(np.argmax(before)) == 1


def test_loaded_lexical_index_maps_its_files_and_reads_back_each_chunks_tokens(tmp_path):
    """A loaded BM25 index maps its matrix and the chunks' token lists from the disk (memory the system
    shares and frees); a chunk's tokens read back from the written lists equal those inverted from the
    matrix, and a build written before those lists existed inverts them on first use."""
    texts = ["学校财务管理制度", "教职工工资花名册", "留守儿童入学情况统计表", "工资"]
    index = LexicalIndex.build(texts)
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert isinstance(loaded.indices, np.memmap) and isinstance(loaded._doc_token_ids, np.memmap)
    assert loaded._doc_token_ids.dtype == np.int32
    expected = [set(tokenize(t)) for t in texts]
    assert [loaded.doc_tokens(i) for i in range(len(texts))] == expected
    for name in ("doc_tokens.npy", "doc_indptr.npy"):
        (tmp_path / "bm25" / name).unlink()
    older = LexicalIndex.load(tmp_path / "bm25")
    assert [older.doc_tokens(i) for i in range(len(texts))] == expected


def test_mapped_dense_index_answers_as_the_one_in_memory(tmp_path):
    """Flat and IVF indexes are mapped from dense.faiss, not read, and search as before."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for approximate_from in (10_000, 100):
        index = DenseIndex.build(vectors, approximate_from=approximate_from)
        folder = tmp_path / str(approximate_from)
        folder.mkdir()
        index.save(folder)
        loaded = DenseIndex.load(folder)
        assert loaded.kind == index.kind
        if loaded.kind == "ivf":  # its lists are the file's pages
            lists = faiss.downcast_InvertedLists(faiss.extract_index_ivf(loaded.index).invlists)
            assert type(lists).__name__ == "OnDiskInvertedLists"
        for query in vectors[:5]:
            assert [list(a) for a in index.search(query, 10)] == [list(a) for a in loaded.search(query, 10)]


def test_loaded_sections_and_chunks_share_their_repeated_paths(settings, fake_embedder):
    """A loaded index holds each heading path once, however many sections and chunks repeat it."""
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    loaded = store.load_current(settings.index_root)
    by_path: dict[tuple, list] = {}
    for item in [s.path for s in loaded.sections] + [c.section_path for c in loaded.chunks]:
        by_path.setdefault(tuple(item), []).append(item)
    repeated = [lists for lists in by_path.values() if len(lists) > 1]
    assert repeated and all(all(x is lists[0] for x in lists) for lists in repeated)


def test_index_round_trip_and_atomic_replace(settings, fake_embedder):
    data, stats = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert stats.documents == 2 and stats.chunks == len(data.chunks)
    loaded = store.load_current(settings.index_root)
    assert [c.id for c in loaded.chunks] == [c.id for c in data.chunks]
    assert loaded.manifest["embedding_model"] == "fake-bigram"
    first = store.current_path(settings.index_root).resolve()
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    second = store.current_path(settings.index_root).resolve()
    assert first != second and first.exists(), "the build replaced is kept (a server may be switching from it)"
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    third = store.current_path(settings.index_root).resolve()
    assert not first.exists() and second.exists() and third.exists(), "older builds are removed"


def test_interrupted_build_leaves_previous_index(settings, fake_embedder, monkeypatch):
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    before = store.current_path(settings.index_root).resolve()

    def broken_save(self, directory):
        (directory / "half-written").parent.mkdir(parents=True, exist_ok=True)
        (directory / "half-written").write_text("x")
        raise KeyboardInterrupt

    monkeypatch.setattr(store.IndexData, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert store.current_path(settings.index_root).resolve() == before
    assert len(list((settings.index_root / "builds").iterdir())) == 1
    monkeypatch.undo()
    assert store.load_current(settings.index_root).chunks


def test_missing_and_corrupt_index_errors(settings, fake_embedder):
    with pytest.raises(IndexMissingError, match="assistant index build"):
        store.load_current(settings.index_root)
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    (store.current_path(settings.index_root) / "chunks.jsonl").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="assistant index build"):
        store.load_current(settings.index_root)


def test_unreadable_file_is_skipped_and_listed(settings, fake_embedder, tiny_corpus):
    (tiny_corpus / "empty.txt").write_bytes(b"")
    (tiny_corpus / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    warnings = []
    data, stats = build_index(settings, warn=warnings.append, embedder=fake_embedder)
    assert stats.documents == 2
    assert sorted(s["file"] for s in stats.skipped) == ["empty.txt", "photo.jpg"]
    assert any("empty.txt: empty file" in w for w in warnings)
    assert store.load_current(settings.index_root).manifest["skipped"] == stats.skipped
