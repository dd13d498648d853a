"""Faults of the disk during `assistant index build` (full, permissions, read-only, I/O): one line on
stderr naming the path and what to do, a non-zero exit, never a traceback; the index that was
current stays current and answers, and no half-written build is left beside it."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import os_error_message
from assistant.index import store
from fakes import FakeEmbedder

runner = CliRunner()
TESTS = Path(__file__).resolve().parent
FULL = "free space on that disk or set ASSISTANT_HOME to another disk"


def run(*args):
    return runner.invoke(app, list(args))


@pytest.fixture
def built(settings, monkeypatch):
    """An index built once (the one a failed build must leave in use), with the fake embedder."""
    embedder = FakeEmbedder()
    monkeypatch.setattr("assistant.index.vectors.load_embedder", lambda name, warn: embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
    first = run("index", "build")
    assert first.exit_code == 0, first.output
    root = settings.home / "index"
    return settings, root, store.current_build(root)


#: the build's progress lines, printed when stderr is not a terminal (cli._Bar)
PROGRESS = re.compile(r"^[\w ]+: \d+/\d+( \(\d+%\))?, \d+ s$")


def one_error_line(result) -> str:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an OSError escaping
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip() and not PROGRESS.match(line)]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def assert_old_index_in_use(root: Path, before: str) -> None:
    assert store.current_build(root) == before
    assert sorted(p.name for p in (root / "builds").iterdir()) == [before]  # nothing half-written left
    found = run("search", "生均图书", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["results"]


def test_disk_full_at_the_swap_is_one_line(built, monkeypatch):
    settings, root, before = built
    real = os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith("manifest.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src), None, str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    line = one_error_line(run("index", "build", "--fresh"))
    assert line.startswith("error: disk full while writing ") and "manifest.json.tmp" in line and line.endswith(FULL)
    monkeypatch.setattr(os, "replace", real)
    assert_old_index_in_use(root, before)


class _FullFile(io.TextIOWrapper):
    """A file on a full disk: opening works, writing fails (as ENOSPC does: no file name in it)."""

    def write(self, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_while_writing_names_the_file(built, monkeypatch):
    settings, root, before = built

    def open_full(path, mode="r", *args, encoding=None, **kwargs):
        if "w" not in mode:
            return open(path, mode, *args, encoding=encoding, **kwargs)
        handle = _FullFile(open(path, "wb"), encoding=encoding or "utf-8")
        handle.mode = mode
        return handle

    monkeypatch.setattr(store, "open", open_full, raising=False)  # the index's own files (store._write_jsonl)
    line = one_error_line(run("index", "build", "--fresh"))
    assert line.startswith("error: disk full while writing ") and line.endswith(FULL)
    written = re.match(r"error: disk full while writing (.+\.jsonl): ", line)
    assert written and Path(written.group(1)).parent.parent == settings.home / "index" / "builds"
    monkeypatch.delattr(store, "open")
    assert_old_index_in_use(root, before)


@pytest.mark.parametrize("code,expected", [
    (errno.EACCES, "permission denied on "),
    (errno.EROFS, "read-only file system at "),
    (errno.EIO, "input/output error on "),
    (errno.EDQUOT, "disk quota exceeded while writing "),
])
def test_other_disk_faults_are_one_line(built, monkeypatch, code, expected):
    settings, root, before = built

    def refuse(path, mode="r", *args, **kwargs):
        if "w" in mode:
            raise OSError(code, os.strerror(code), str(path))
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(store, "open", refuse, raising=False)
    line = one_error_line(run("index", "build", "--fresh"))
    assert line.startswith(f"error: {expected}{settings.home / 'index' / 'builds'}") and "ASSISTANT_HOME" in line
    monkeypatch.delattr(store, "open")
    assert_old_index_in_use(root, before)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_real_full_device_is_one_line(built, monkeypatch):
    """The kernel's own ENOSPC (/dev/full), raised when the file is flushed and closed."""
    settings, root, before = built

    def open_full(path, mode="r", *args, **kwargs):
        return open("/dev/full" if "w" in mode else path, mode, *args, **kwargs)

    monkeypatch.setattr(store, "open", open_full, raising=False)
    line = one_error_line(run("index", "build", "--fresh"))
    assert line == "error: disk full while writing /dev/full: " + FULL
    monkeypatch.delattr(store, "open")
    assert_old_index_in_use(root, before)


def test_faiss_reporting_a_disk_fault_is_one_line(built, monkeypatch):
    """faiss says it as a RuntimeError (its message names the file and the OS's reason)."""
    settings, root, before = built

    def refuse(index):
        path = root / "builds" / "x" / "dense.faiss"
        raise RuntimeError("Error in faiss::FileIOWriter::FileIOWriter(const char*) at io.cpp:103: Error: "
                           f"'f' failed: could not open {path} for writing: Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr("assistant.index.dense.faiss.serialize_index", refuse)
        line = one_error_line(run("index", "build", "--fresh"))
    assert line.startswith(f"error: read-only file system at {root / 'builds'}") and line.endswith(
        "dense.faiss: set ASSISTANT_HOME to a folder on a writable disk")
    assert_old_index_in_use(root, before)


def test_the_vectors_on_a_full_disk_are_one_line_never_a_truncated_file(built, monkeypatch):
    """faiss's own writer left a truncated dense.faiss on a full disk without a word (its last flush
    unchecked), which the build then recorded as complete: the vectors are written by Python now, so
    the disk's ENOSPC is an error naming the file and the old index stays in use."""
    import assistant.index.dense as dense

    settings, root, before = built

    def open_full(path, mode="r", *args, **kwargs):
        if "w" not in mode:
            return open(path, mode, *args, **kwargs)
        handle = open(path, mode, *args, **kwargs)

        def write(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        handle.write = write
        return handle

    monkeypatch.setattr(dense, "open", open_full, raising=False)
    line = one_error_line(run("index", "build", "--fresh"))
    assert line.startswith("error: disk full while writing ") and "dense.faiss" in line and line.endswith(FULL)
    monkeypatch.delattr(dense, "open")
    assert_old_index_in_use(root, before)


def test_the_embedding_cache_on_a_full_disk_is_one_line(built, monkeypatch):
    import sqlite3

    settings, root, before = built

    def full(self, *args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr("assistant.index.cache.EmbeddingCache.put", full)
        line = one_error_line(run("index", "build", "--fresh"))
    assert line == f"error: disk full while writing {settings.home / 'cache' / 'embeddings.sqlite'}: {FULL}"
    assert_old_index_in_use(root, before)


def test_messages_name_the_path_and_what_to_do():
    assert os_error_message(OSError(errno.ENOSPC, "No space left on device", "/x/y")) == \
        "disk full while writing /x/y: " + FULL
    assert os_error_message(OSError(errno.ENOSPC, "No space left on device"), Path("/home/h")) == \
        "disk full while writing a file under /home/h: " + FULL
    assert "\n" not in os_error_message(OSError(errno.EIO, "I/O error", "/x/new\nline"))
    assert os_error_message(ValueError("x")) is None


def test_no_traceback_in_a_real_run(built, tmp_path):
    """The command as a shell runs it (CliRunner hides tracebacks): disk full at the swap."""
    settings, root, before = built
    script = textwrap.dedent(f"""
        import errno, os, sys
        sys.path.insert(0, {str(TESTS)!r})
        from fakes import FakeEmbedder
        import assistant.index.vectors as vectors
        vectors.load_embedder = lambda name, warn: FakeEmbedder()
        real = os.replace
        def full(src, dst, *args, **kwargs):
            if str(dst).endswith("manifest.json"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src), None, str(dst))
            return real(src, dst, *args, **kwargs)
        os.replace = full
        from assistant.cli import app
        app(["index", "build", "--fresh"])
    """)
    env = dict(os.environ, ASSISTANT_HOME=str(settings.home), ASSISTANT_CORPUS=str(settings.corpus_dir))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip() and not PROGRESS.match(line)]
    assert len(lines) == 1 and lines[0].startswith("error: disk full while writing ") and lines[0].endswith(FULL)
    assert store.current_build(root) == before
