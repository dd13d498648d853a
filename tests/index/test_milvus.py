"""The Milvus backend on embedded milvus-lite: the same answers as the local files, records read
from Milvus alone, the alias switched only by a complete build, one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import BackendError, IndexMissingError
from assistant.index.backends import backend_for
from assistant.building import build_index
from assistant.service import Assistant
from fakes import FakeEmbedder
from lawtexts import write_laws
from tinycorpus import write_tiny

TESTS = Path(__file__).resolve().parents[1]
QUERIES = ["A2保障机制组要准备哪些材料?", "乡村学校有多少学生?", "What must the A2 guarantee mechanism group file?",
           "C8", "运动场面积不足怎么办", "示范教育法第五条规定了什么?", "学生有哪些权利?", "时间安排"]
EXTRA = "城关小学自查报告\n一、基本情况\n城关小学有学生560人,教职工41人。\n"


def _milvus_runs(tmp: Path) -> str | None:
    """Why milvus-lite cannot run here, or None when it can."""
    try:
        from pymilvus import MilvusClient

        MilvusClient(uri=str(tmp / "probe.db")).list_collections()
    except Exception as exc:  # noqa: BLE001 — any failure means: not on this platform
        return f"milvus-lite cannot run on this platform ({type(exc).__name__}: {str(exc)[:120]})"
    return None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = write_tiny(tmp_path_factory.mktemp("milvus") / "corpus")
    write_laws(folder / "laws")
    return folder


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    """The same corpus built into both backends with the fake embedder: (local, milvus) Assistants."""
    reason = _milvus_runs(tmp_path_factory.mktemp("probe"))
    if reason:
        pytest.skip(reason)
    from assistant.config import load_settings

    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setattr("assistant.service.load_embedder", lambda name, warn: FakeEmbedder())
    local = load_settings(corpus_dir=corpus, home=home / "local", embedding_model="fake-bigram")
    milvus = local.with_(home=home / "milvus", backend="milvus", milvus_uri=str(home / "milvus" / "index.db"))
    build_index(local, warn=lambda m: None, embedder=FakeEmbedder())
    build_index(milvus, warn=lambda m: None, embedder=FakeEmbedder())
    yield Assistant.open(local, warn=lambda m: None), Assistant.open(milvus, warn=lambda m: None)
    mp.undo()


def _results(assistant, query):
    return [(r["chunk_id"], round(r["score"], 5)) for r in assistant.search(query, top_k=8)["results"]]


def test_milvus_answers_and_rankings_equal_the_local_files(built):
    local, milvus = built
    assert type(milvus.index.lexical).__name__ == "MilvusLexical" and milvus.index.dense.kind == "milvus-flat"
    assert not (milvus.settings.home / "index").exists()  # nothing of the local store was written
    for query in QUERIES:
        assert _results(milvus, query) == _results(local, query), query
        assert milvus.ask(query).to_dict() == local.ask(query).to_dict(), query
    ranked = milvus.search("A2保障机制组要准备哪些材料?", top_k=1)["results"][0]
    assert "A2保障机制组" in ranked["text"]


def test_milvus_serves_without_the_corpus_or_local_files(built, corpus, tmp_path):
    """Records, lines and the vocabulary all come from Milvus: a copy of the database file answers
    with no corpus folder and no caches."""
    local, milvus = built
    moved = tmp_path / "elsewhere.db"
    shutil.copytree(milvus.settings.milvus_uri, moved)  # a milvus-lite database is a folder
    settings = milvus.settings.with_(home=tmp_path / "empty-home", milvus_uri=str(moved),
                                     corpus_dir=tmp_path / "no-corpus")
    backend = backend_for(settings)
    data = backend.load()
    assert [c.to_dict() for c in data.chunks] == [c.to_dict() for c in local.index.chunks]
    assert data.documents == local.index.documents and data.lines == local.index.lines
    assert data.lexical.vocab_dict == local.index.lexical.vocab_dict
    for position in range(len(data.chunks)):
        assert data.lexical.doc_tokens(position) == local.index.lexical.doc_tokens(position)
    for section in local.index.sections:  # a section's chunks, fetched from the store, in reading order
        assert [c.id for c in backend.section_chunks(data, section.id)] == \
            [c.id for c in local.index.chunks if c.section_id == section.id]
    assert not (tmp_path / "empty-home").exists()


def test_alias_moves_only_when_a_build_is_complete(corpus, tmp_path, monkeypatch):
    """An interrupted build leaves the previous collection current and answering; the next build
    drops the leftovers, keeps the previous build one round (a process that loaded it still
    answers) and drops older ones."""
    if reason := _milvus_runs(tmp_path):
        pytest.skip(reason)
    from assistant.config import load_settings
    from assistant.index.backends import milvus_rows

    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    settings = load_settings(corpus_dir=folder, home=tmp_path / "home", embedding_model="fake-bigram",
                             backend="milvus", milvus_uri=str(tmp_path / "home" / "m.db"))
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: FakeEmbedder())
    build_index(settings, warn=lambda m: None, embedder=FakeEmbedder())
    backend = backend_for(settings)
    first = backend.load().manifest["milvus"]["collection"]
    (folder / "extra.txt").write_text(EXTRA, encoding="utf-8")

    real_insert = milvus_rows.insert_chunks

    def dies_half_way(client, name, records, chunks, lexical, vectors, progress=None):
        real_insert(client, name, records, chunks[:3], lexical, vectors if vectors is None else vectors[:3])
        raise KeyboardInterrupt

    monkeypatch.setattr(milvus_rows, "insert_chunks", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, warn=lambda m: None, embedder=FakeEmbedder())
    assert backend.load().manifest["milvus"]["collection"] == first
    assert sorted(backend.client().list_collections()) == [first, first + "_records"]
    monkeypatch.setattr(milvus_rows, "insert_chunks", real_insert)

    _, stats = build_index(settings, warn=lambda m: None, embedder=FakeEmbedder())
    assert stats.files_processed == 0 and stats.chunks_embedded == 0  # the interrupted build's work is cached
    assert stats.changes.added == ["extra.txt"]
    second = backend.load().manifest["milvus"]["collection"]
    assert second != first
    assert sorted(backend.client().list_collections()) == sorted([first, first + "_records", second, second + "_records"])
    answer = Assistant.open(settings, warn=lambda m: None).ask("城关小学有多少学生?")
    assert "560" in answer.text
    (folder / "extra.txt").write_text(EXTRA.replace("560", "571"), encoding="utf-8")
    _, stats = build_index(settings, warn=lambda m: None, embedder=FakeEmbedder())
    assert stats.files_processed == 1 and stats.chunks_cached > 0 and stats.changes.changed == ["extra.txt"]
    assert first not in backend.client().list_collections() and second in backend.client().list_collections()
    assert "571" in Assistant.open(settings, warn=lambda m: None).ask("城关小学有多少学生?").text


def test_a_killed_build_leaves_the_previous_collection_answering(corpus, tmp_path):
    """A build process killed (SIGKILL) while it writes: no clean-up runs, the alias still names the
    complete build, which answers; the next build drops what the killed one left."""
    if reason := _milvus_runs(tmp_path):
        pytest.skip(reason)
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    uri = tmp_path / "m.db"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(TESTS)!r})
        from fakes import FakeEmbedder
        from assistant.config import load_settings
        from assistant.index.backends import milvus_rows as milvus
        from assistant.building import build_index
        settings = load_settings(corpus_dir={str(folder)!r}, home={str(tmp_path / 'home')!r},
                                 embedding_model="fake-bigram", backend="milvus", milvus_uri={str(uri)!r})
        if sys.argv[1] == "kill":
            real = milvus.insert_chunks
            def killed(client, name, records, chunks, lexical, vectors, progress=None):
                real(client, name, records, chunks[:2], lexical, vectors[:2])
                os.kill(os.getpid(), signal.SIGKILL)
            milvus.insert_chunks = killed
        build_index(settings, warn=lambda m: None, embedder=FakeEmbedder())
    """)
    run = lambda mode: subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, timeout=120)
    assert run("build").returncode == 0
    (folder / "extra.txt").write_text(EXTRA, encoding="utf-8")
    assert run("kill").returncode == -9
    from assistant.config import load_settings

    settings = load_settings(corpus_dir=folder, home=tmp_path / "home", embedding_model="fake-bigram",
                             backend="milvus", milvus_uri=str(uri))
    backend = backend_for(settings)
    data = backend.load()
    assert len(backend.client().list_collections()) == 4  # the complete build and the killed one's
    assert not any("城关小学" in c.text for c in data.chunks)
    from assistant.retrieval.search import Searcher

    hits = Searcher(data, FakeEmbedder()).search("A2保障机制组要准备哪些材料?", top_k=1)
    assert "A2保障机制组" in hits[0].chunk.text


def test_backend_errors_are_one_line(tmp_path, monkeypatch, settings):
    from assistant.cli import app
    from assistant.index.backends import milvus as milvus_module

    runner = CliRunner()
    monkeypatch.setenv("ASSISTANT_BACKEND", "cassandra")
    result = runner.invoke(app, ["search", "学校"])
    assert result.exit_code == 1 and "ASSISTANT_BACKEND is 'cassandra'" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1

    with pytest.raises(BackendError, match="neither http://host:port nor a file ending in .db"):
        backend_for(settings.with_(backend="milvus", milvus_uri=str(tmp_path / "index.sqlite"))).exists()

    class OldServer:  # what a Milvus 2.3 server answers
        def __init__(self, **options):
            pass

        def get_server_version(self):
            return "v2.3.9"

    import pymilvus

    monkeypatch.setattr(pymilvus, "MilvusClient", OldServer)
    with pytest.raises(BackendError, match=r"version v2\.3\.9; the assistant needs 2\.4 or later \(sparse vectors"):
        milvus_module.connect("http://127.0.0.1:19530")

    class Unreachable:
        def __init__(self, **options):
            raise pymilvus.MilvusException(message="Fail connecting to server on 127.0.0.1:9")

    monkeypatch.setattr(pymilvus, "MilvusClient", Unreachable)
    with pytest.raises(BackendError, match=r"Milvus at http://127.0.0.1:9: does not answer .*set ASSISTANT_MILVUS_URI"):
        milvus_module.connect("http://127.0.0.1:9")


def test_unreachable_server_and_another_model_say_what_to_set(built, tmp_path):
    local, milvus = built
    with pytest.raises(BackendError, match="does not answer"):
        backend_for(milvus.settings.with_(milvus_uri="http://127.0.0.1:9")).exists()
    other = milvus.settings.with_(embedding_model="m3e-small")
    with pytest.raises(BackendError, match="built with embedding model 'fake-bigram', this process is set to "
                                           "'m3e-small'; set ASSISTANT_EMBEDDING_MODEL=fake-bigram"):
        Assistant.open(other, warn=lambda m: None)
    with pytest.raises(IndexMissingError, match="no alias nothing_here"):
        backend_for(milvus.settings.with_(milvus_collection="nothing_here")).load()
