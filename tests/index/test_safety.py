"""Builds on a shared ASSISTANT_HOME (issue 16, cases 1 and 6): one writer at a time, `current`
only ever a complete build, and an index whose files no longer match what the build wrote is
reported as damaged (exit 1) until a rebuild repairs it."""

import threading
import time

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.index import integrity, store
from assistant.building import build_index
from assistant.index.lock import BuildLock


@pytest.fixture(autouse=True)
def no_dictionary(monkeypatch):
    """These builds need no English table (building it is most of a tiny build's time)."""
    monkeypatch.setattr("assistant.building.dictionary_of", lambda lexical, warn: None)


def complete(settings) -> bool:
    current = store.current_path(settings.index_root)
    return all((current / name).exists() for name in ("manifest.json", "documents.jsonl", "chunks.jsonl"))


def test_two_builds_at_once_take_turns(settings, fake_embedder):
    said, failures = [], []

    def build():
        try:
            build_index(settings, warn=said.append, embedder=fake_embedder)
        except Exception as exc:  # noqa: BLE001 - any failure of either build fails the test
            failures.append(exc)

    for _ in range(3):
        threads = [threading.Thread(target=build) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures and complete(settings)
        loaded = store.load_current(settings.index_root)
        assert len(loaded.documents) == 2
    builds = sorted(p.name for p in (settings.index_root / "builds").iterdir())
    assert len(builds) == 2 and store.current_build(settings.index_root) in builds  # current and the one before


def test_a_build_waits_for_the_holder_and_names_it(settings, fake_embedder):
    said, done = [], threading.Event()
    with BuildLock(settings.home):
        worker = threading.Thread(target=lambda: (build_index(settings, warn=said.append, embedder=fake_embedder),
                                                  done.set()))
        worker.start()
        time.sleep(1.0)
        assert not done.is_set() and not store.exists(settings.index_root)
        assert any(m.startswith("waiting: the build of pid ") and "is writing the index" in m for m in said)
    worker.join(60)
    assert done.is_set() and complete(settings)


@pytest.mark.parametrize("name", ["chunks.jsonl", "dense.faiss", "bm25/data.csc.index.npy", "lines.jsonl"])
def test_truncated_index_files_are_damaged_until_rebuilt(settings, fake_embedder, monkeypatch, name):
    monkeypatch.setattr("assistant.service.load_embedder", lambda model, warn: fake_embedder)
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    runner = CliRunner()
    assert runner.invoke(app, ["index", "status"]).exit_code == 0
    path = store.current_path(settings.index_root) / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    status = runner.invoke(app, ["index", "status"])
    assert status.exit_code == 1
    assert "damaged: run `assistant index build`" in status.stderr and name in status.stderr
    assert runner.invoke(app, ["index", "status", "--json"]).exit_code == 1
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    assert runner.invoke(app, ["index", "status"]).exit_code == 0


def test_same_size_corruption_is_found_by_its_checksum(settings, fake_embedder):
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    current = store.current_path(settings.index_root)
    manifest = store.load_manifest(settings.index_root)
    path = current / "chunks.jsonl"
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    assert integrity.check(current, manifest, full=False) == []  # sizes match
    assert integrity.check(current, manifest, full=True) == ["chunks.jsonl does not hold what the build wrote "
                                                             "(checksum differs)"]


def test_opening_a_damaged_index_rebuilds_it(settings, fake_embedder, monkeypatch):
    from assistant.service import Assistant

    from assistant.errors import IndexCorruptError

    monkeypatch.setattr("assistant.service.load_embedder", lambda model, warn: fake_embedder)
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    damaged = store.current_build(settings.index_root)
    (store.current_path(settings.index_root) / "sections.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="damaged"):
        Assistant.open(settings, warn=lambda m: None, build_if_missing=False)
    monkeypatch.setattr("assistant.index.vectors.load_embedder", lambda name, warn: fake_embedder)
    said = []
    opened = Assistant.open(settings, warn=said.append)
    assert any("is damaged" in m and "rebuilding it now" in m for m in said)
    assert opened.index.build_id != damaged and len(opened.index.sections) > 0


def test_a_full_disk_while_saying_who_holds_the_lock_leaves_nothing_held(tmp_path, monkeypatch):
    """Writing build.lock.json (who holds the lock) on a full disk used to raise inside `with BuildLock`'s
    entry: the lock stayed held by the process (a server's later builds waited for ever) and the
    temporary file stayed. Now the note is skipped; the lock is released when the block ends."""
    import errno
    import os
    from pathlib import Path

    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name.endswith(".tmp"):
            real(self, "", encoding="utf-8")  # created, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    with BuildLock(tmp_path, say=lambda m: None):
        assert not list(tmp_path.glob(".build.lock.json.*.tmp"))
    monkeypatch.undo()
    with BuildLock(tmp_path, say=lambda m: None, wait=0.5):  # released: taken again at once
        pass
