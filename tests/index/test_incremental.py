"""Incremental builds: only added or changed files are processed and embedded again, deleted ones
are dropped, and the result equals a build from scratch."""

import shutil

import numpy as np
import pytest

from assistant.index import cache as cache_module
from assistant.index import store
from assistant.building import build_index
from assistant.index.cache import EmbeddingCache, text_key
from assistant.retrieval.search import Searcher
from assistant.service import Assistant

EXTRA = """城关小学自查报告
一、基本情况
城关小学有学生560人,教职工41人。
二、存在的问题
功能室数量不足,图书生均22册。
"""

QUERIES = ["A2保障机制组要准备哪些材料?", "乡村学校有多少学生?", "城关小学的图书生均多少册?",
           "What must the A2 guarantee mechanism group file?", "运动场面积"]


class CountingEmbedder:
    """The fake embedder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, []

    def encode(self, texts, progress=None):
        self.texts.extend(texts)
        return self.inner.encode(texts, progress)

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)


def quiet(message):
    pass


def snapshot(data, embedder):
    searcher = Searcher(data, embedder)
    return {
        "chunks": [(c.id, c.doc_id, c.section_path, c.text, c.start_line, c.end_line, c.codes) for c in data.chunks],
        "sections": [s.to_dict() for s in data.sections],
        "documents": data.documents,
        "lines": {doc: [(l.text, l.start, l.end) for l in lines] for doc, lines in data.lines.items()},
        "vectors": data.dense.index.reconstruct_n(0, data.dense.size),
        "results": {q: [(h.chunk.id, round(h.score, 9)) for h in searcher.search(q, top_k=5)] for q in QUERIES},
    }


def assert_same(a, b):
    assert a["chunks"] == b["chunks"]
    assert a["sections"] == b["sections"]
    assert a["documents"] == b["documents"]
    assert a["lines"] == b["lines"]
    assert np.array_equal(a["vectors"], b["vectors"])
    assert a["results"] == b["results"]


def test_incremental_build_equals_build_from_scratch(settings, fake_embedder, tiny_corpus, tmp_path):
    embedder = CountingEmbedder(fake_embedder)
    _, first = build_index(settings, warn=quiet, embedder=embedder)
    assert first.files_processed == 2 and first.changes is None
    embedded_first = len(embedder.texts)

    (tiny_corpus / "extra.txt").write_text(EXTRA, encoding="utf-8")  # added
    summary = tiny_corpus / "summary.txt"  # changed: one figure
    summary.write_text(summary.read_text(encoding="gb18030").replace("320人", "330人"), encoding="gb18030")
    embedder.texts.clear()
    data, second = build_index(settings, warn=quiet, embedder=embedder)
    assert (second.files_processed, second.files_reused) == (2, 1)
    assert second.changes.added == ["extra.txt"] and second.changes.changed == ["summary.txt"]
    assert all("330人" in t or "城关小学" in t for t in embedder.texts), "unchanged chunks are not re-embedded"
    assert second.chunks_embedded == len(embedder.texts) < second.chunks
    assert second.chunks_cached == second.chunks - second.chunks_embedded
    incremental = snapshot(data, fake_embedder)

    scratch_settings = settings.with_(home=tmp_path / "scratch-home")
    scratch, _ = build_index(scratch_settings, warn=quiet, embedder=fake_embedder)
    assert_same(incremental, snapshot(scratch, fake_embedder))
    assert incremental["results"]["城关小学的图书生均多少册?"][0][0].startswith("extra-")

    (tiny_corpus / "plan.txt").unlink()  # deleted
    embedder.texts.clear()
    data, third = build_index(settings, warn=quiet, embedder=embedder)
    assert third.changes.removed == ["plan.txt"] and third.files_processed == 0 and not embedder.texts
    assert not any(c.doc_id.startswith("plan") for c in data.chunks)
    scratch, _ = build_index(settings.with_(home=tmp_path / "scratch-2"), warn=quiet, embedder=fake_embedder)
    assert_same(snapshot(data, fake_embedder), snapshot(scratch, fake_embedder))
    assert embedded_first > 0


def test_loaded_incremental_index_matches(settings, fake_embedder, tiny_corpus, tmp_path):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    (tiny_corpus / "extra.txt").write_text(EXTRA, encoding="utf-8")
    build_index(settings, warn=quiet, embedder=fake_embedder)
    loaded = store.load_current(settings.index_root)
    scratch, _ = build_index(settings.with_(home=tmp_path / "other"), warn=quiet, embedder=fake_embedder)
    assert_same(snapshot(loaded, fake_embedder), snapshot(scratch, fake_embedder))


def test_unchanged_corpus_never_loads_the_model(settings, fake_embedder, monkeypatch):
    settings = settings.with_(embedding_model="fake-bigram")
    build_index(settings, warn=quiet, embedder=fake_embedder)

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded although every text is cached")

    monkeypatch.setattr("assistant.index.vectors.load_embedder", no_model)
    data, stats = build_index(settings, warn=quiet)
    assert stats.files_processed == 0 and stats.chunks_embedded == 0 and stats.chunks_cached == stats.chunks
    assert data.manifest["embedding_model"] == "fake-bigram" and data.dense.size == stats.chunks


def test_changed_file_without_new_text_never_loads_the_model(settings, fake_embedder, tiny_corpus, monkeypatch):
    """A file that changed but whose chunks are all embedded already (here: blank lines added at the
    end) is processed again, and its vectors come from the cache without loading the model."""
    settings = settings.with_(embedding_model="fake-bigram")
    build_index(settings, warn=quiet, embedder=fake_embedder)
    plan = tiny_corpus / "plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n\n\n", encoding="utf-8")

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded although every text is cached")

    monkeypatch.setattr("assistant.index.vectors.load_embedder", no_model)
    _, stats = build_index(settings, warn=quiet)
    assert stats.changes.changed == ["plan.txt"] and stats.files_processed == 1
    assert stats.chunks_embedded == 0 and stats.chunks_cached == stats.chunks


def test_fresh_build_and_pipeline_version_reprocess(settings, fake_embedder, monkeypatch):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    _, stats = build_index(settings, warn=quiet, embedder=fake_embedder, fresh=True)
    assert stats.files_processed == 2 and stats.chunks_embedded > 0
    monkeypatch.setattr(cache_module, "PIPELINE_VERSION", cache_module.PIPELINE_VERSION + 1)
    _, stats = build_index(settings, warn=quiet, embedder=fake_embedder)
    assert stats.files_processed == 2 and stats.chunks_embedded == 0, "new pipeline: files again, texts cached"
    _, stats = build_index(settings.with_(chunk_chars=120), warn=quiet, embedder=fake_embedder)
    assert stats.files_processed == 2, "another chunk size is another cache entry"


def test_edited_tokenizer_data_reprocesses_files(settings, fake_embedder, monkeypatch):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    _, stats = build_index(settings, warn=quiet, embedder=fake_embedder)
    assert stats.files_processed == 0
    monkeypatch.setattr(cache_module, "tokenizer_fingerprint", lambda: "edited-synonyms")
    _, stats = build_index(settings, warn=quiet, embedder=fake_embedder)
    assert stats.files_processed == 2, "tokens depend on the dictionary and synonym groups"


def test_an_index_from_an_older_pipeline_is_rebuilt_on_open(settings, fake_embedder, monkeypatch):
    from assistant.building import stale_reason

    settings = settings.with_(embedding_model="fake-bigram")
    build_index(settings, warn=quiet, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    monkeypatch.setattr("assistant.index.vectors.load_embedder", lambda name, warn: fake_embedder)
    assert Assistant.index_status(settings)["stale"] is None
    monkeypatch.setattr(cache_module, "PIPELINE_VERSION", cache_module.PIPELINE_VERSION + 1)
    monkeypatch.setattr("assistant.building.PIPELINE_VERSION", cache_module.PIPELINE_VERSION)
    status = Assistant.index_status(settings)
    assert "older version of the assistant" in status["stale"]
    said = []
    assistant = Assistant.open(settings, warn=said.append)
    assert any("rebuilding it" in line for line in said) and not any("first use" in line for line in said)
    assert stale_reason(assistant.index.manifest) is None
    monkeypatch.setattr(cache_module, "tokenizer_fingerprint", lambda: "edited")
    monkeypatch.setattr("assistant.building.tokenizer_fingerprint", lambda: "edited")
    assert "tokenizer data" in Assistant.index_status(settings)["stale"]


def test_file_cache_keeps_only_the_current_files(settings, fake_embedder, tiny_corpus):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    files = settings.home / "cache" / "files"
    assert len(list(files.glob("*.json"))) == 2
    (tiny_corpus / "plan.txt").unlink()
    build_index(settings, warn=quiet, embedder=fake_embedder)
    assert len(list(files.glob("*.json"))) == 1


def test_broken_cache_entry_is_processed_again(settings, fake_embedder):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    for path in (settings.home / "cache" / "files").glob("*.json"):
        path.write_text("{broken")
    data, stats = build_index(settings, warn=quiet, embedder=fake_embedder)
    assert stats.files_processed == 2 and data.chunks


def test_skipped_file_is_cached_and_tracked(settings, fake_embedder, tiny_corpus):
    (tiny_corpus / "empty.txt").write_bytes(b"")
    build_index(settings, warn=quiet, embedder=fake_embedder)
    warnings = []
    _, stats = build_index(settings, warn=warnings.append, embedder=fake_embedder)
    assert stats.files_processed == 0 and [s["file"] for s in stats.skipped] == ["empty.txt"]
    assert any("empty.txt" in w for w in warnings), "a cached skip is still reported"
    assert Assistant.index_status(settings)["changes"]["any"] is False


def test_status_says_what_changed(settings, fake_embedder, tiny_corpus):
    build_index(settings, warn=quiet, embedder=fake_embedder)
    status = Assistant.index_status(settings)
    assert status["changes"] == {"added": [], "changed": [], "removed": [], "manifest_changed": False, "any": False}
    (tiny_corpus / "extra.txt").write_text(EXTRA, encoding="utf-8")
    (tiny_corpus / "plan.txt").write_text("迎检工作方案\n一、指导思想\n新的内容。\n", encoding="utf-8")
    (tiny_corpus / "summary.txt").unlink()
    (tiny_corpus / "manifest.json").write_text('{"documents": []}', encoding="utf-8")
    changes = Assistant.index_status(settings)["changes"]
    assert (changes["added"], changes["changed"], changes["removed"]) == (["extra.txt"], ["plan.txt"], ["summary.txt"])
    assert changes["manifest_changed"] and changes["any"]
    shutil.rmtree(tiny_corpus)
    assert "does not exist" in Assistant.index_status(settings)["changes"]["error"]


def test_embedding_cache_generations_prune_unused_vectors(tmp_path):
    with EmbeddingCache(tmp_path / "e.sqlite") as cache:
        old, kept = text_key("旧文本"), text_key("新文本")
        cache.new_generation()
        cache.put("m", [old, kept], np.eye(2, dtype=np.float32))
        for _ in range(cache_module.KEEP_BUILDS):
            cache.new_generation()
            cache.mark_used("m", [kept])
            cache.prune()
        found = cache.get("m", [old, kept])
        assert list(found) == [kept] and np.array_equal(found[kept], [0.0, 1.0])
        assert cache.get("other-model", [kept]) == {}


def test_dense_index_kind_follows_corpus_size(settings, fake_embedder, tmp_path):
    small = settings.with_(chunk_chars=120)
    exact, stats = build_index(small, warn=quiet, embedder=fake_embedder)
    assert stats.dense_index == "flat" and exact.manifest["dense_index"] == "flat"
    approximate_settings = small.with_(home=tmp_path / "ivf", approximate_from=3)
    _, stats = build_index(approximate_settings, warn=quiet, embedder=fake_embedder)
    assert stats.dense_index == "ivf"
    approximate = store.load_current(approximate_settings.index_root)
    assert approximate.dense.kind == "ivf" and approximate.manifest["dense_index"] == "ivf"
    for query in QUERIES:  # one inverted list over a dozen vectors: exact: same rankings as exact
        expected = [h.chunk.id for h in Searcher(exact, fake_embedder).search(query, top_k=3)]
        assert [h.chunk.id for h in Searcher(approximate, fake_embedder).search(query, top_k=3)] == expected
    hits = Searcher(approximate, fake_embedder).search("A2保障机制组要准备哪些材料?", top_k=1)
    assert "A2保障机制组" in hits[0].chunk.section


def test_a_new_corpus_folder_says_which_files_leave_the_index(settings, fake_embedder, tmp_path):
    """Building from another folder says how many of the last build's files are not in it (those leave
    the index); files copied into the new folder stay, and the note says so instead of warning."""
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    copied = tmp_path / "copied"
    shutil.copytree(settings.corpus_dir, copied)
    (copied / "extra.txt").write_text(EXTRA, encoding="utf-8")
    notes: list[str] = []
    build_index(settings.with_(corpus_dir=copied), warn=notes.append, embedder=fake_embedder)
    assert any("every file of it is in the new folder too" in n for n in notes), notes
    assert not any("leave the index" in n for n in notes), notes
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "extra.txt").write_text(EXTRA, encoding="utf-8")
    notes.clear()
    build_index(settings.with_(corpus_dir=alone), warn=notes.append, embedder=fake_embedder)
    files = len([p for p in settings.corpus_dir.rglob("*") if p.is_file()])
    assert any(f"{files} of the files the last build read from {copied.resolve()} are not in it" in n
               for n in notes), notes
