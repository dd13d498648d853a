"""No acknowledged change is lost (issue 27, item 2): an upload or a delete is answered only after
ASSISTANT_HOME/pending-rebuild.json is on disk; the record goes only when a build that began
after the change finished; a server started over a home with a record (the previous one killed
mid-build) rebuilds at once; /health says whether a rebuild is pending and why."""

import errno
import json
import threading
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.config import load_settings
from assistant.building import build_index
from assistant.server.rebuild import PENDING_FILE, PendingRecord, Rebuilder
from fakes import FakeEmbedder
from tinycorpus import write_tiny

NEW_TEXT = "青山镇中心小学整改方案\n一、存在的问题\n学校图书馆藏书不足,年底前补充图书4000册。\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_ALLOW_UPLOAD", "ASSISTANT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    embedder = FakeEmbedder()
    settings = load_settings(corpus_dir=write_tiny(tmp_path / "corpus"), home=tmp_path / "home").with_(
        chunk_chars=120, allow_upload=True)
    build_index(settings, warn=lambda m: None, embedder=embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
    return settings


def wait_for_build(client, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/documents/build").json()
        if status["state"] != "building":
            return status
        time.sleep(0.05)
    raise AssertionError("the rebuild did not finish")


def sources(client) -> set:
    return {d["source"] for d in client.get("/documents").json()["documents"]}


def test_a_server_started_over_a_pending_record_rebuilds(env):
    # What a kill -9 during the rebuild leaves: the file in the corpus, the record, the old index.
    (env.corpus_dir / "整改方案.txt").write_text(NEW_TEXT, encoding="utf-8")
    (env.home / PENDING_FILE).write_text(json.dumps({"generation": 3, "since": "2024-05-01T10:00:00",
                                                     "reasons": ["adding 整改方案.txt"]}), encoding="utf-8")
    with TestClient(create_app(env)) as client:
        first = client.get("/health").json()
        assert first["status"] == "ok"
        status = wait_for_build(client)
        assert status["state"] == "done" and "adding 整改方案.txt" in status["reason"], status
        assert "整改方案.txt" in sources(client)
        health = client.get("/health").json()
        assert health["pending_rebuild"] is False and health["pending_reason"] is None
        assert not (env.home / PENDING_FILE).exists()
    # and a server started with nothing pending does not build
    with TestClient(create_app(env)) as client:
        assert client.get("/documents/build").json()["state"] == "idle"
        assert client.get("/health").json()["pending_rebuild"] is False


def test_a_damaged_record_still_means_a_rebuild(env):
    (env.corpus_dir / "整改方案.txt").write_text(NEW_TEXT, encoding="utf-8")
    (env.home / PENDING_FILE).write_text("{not json", encoding="utf-8")
    with TestClient(create_app(env)) as client:
        assert wait_for_build(client)["state"] == "done"
        assert "整改方案.txt" in sources(client) and not (env.home / PENDING_FILE).exists()


def test_an_upload_killed_mid_build_is_indexed_at_the_next_start(env, monkeypatch):
    started, release = threading.Event(), threading.Event()

    def killed(*args, **kwargs):  # the build the upload started never finishes (the server dies)
        started.set()
        release.wait(30)
        raise RuntimeError("killed")

    with monkeypatch.context() as mp, TestClient(create_app(env)) as client:
        mp.setattr("assistant.server.rebuild.rebuild_and_switch", killed)
        response = client.post("/documents", files={"files": ("整改方案.txt", NEW_TEXT.encode())})
        assert response.status_code == 200, response.text
        # acknowledged: the record is on disk already, and /health says so
        record = json.loads((env.home / PENDING_FILE).read_text(encoding="utf-8"))
        assert any("整改方案.txt" in reason for reason in record["reasons"])
        health = client.get("/health").json()
        assert health["pending_rebuild"] is True and "整改方案.txt" in health["pending_reason"]
        assert health["pending_since"]
        assert started.wait(10)
        release.set()
        assert wait_for_build(client)["state"] == "failed"
        assert client.get("/health").json()["pending_rebuild"] is True  # a failed build leaves it
    assert (env.home / PENDING_FILE).exists() and (env.corpus_dir / "整改方案.txt").exists()

    with TestClient(create_app(env)) as client:  # the restart
        assert wait_for_build(client)["state"] == "done"
        assert "整改方案.txt" in sources(client)
        assert client.get("/health").json()["pending_rebuild"] is False
    assert not (env.home / PENDING_FILE).exists()


def test_a_delete_is_recorded_before_it_is_answered(env, monkeypatch):
    release = threading.Event()

    def slow(*args, **kwargs):
        release.wait(30)
        raise RuntimeError("killed")

    with monkeypatch.context() as mp, TestClient(create_app(env)) as client:
        doc = next(d for d in client.get("/documents").json()["documents"] if d["source"] == "plan.txt")
        mp.setattr("assistant.server.rebuild.rebuild_and_switch", slow)
        gone = client.delete(f"/documents/{doc['id']}")
        assert gone.status_code == 200, gone.text
        record = json.loads((env.home / PENDING_FILE).read_text(encoding="utf-8"))
        assert record["reasons"] == ["deleting plan.txt"]
        release.set()
        wait_for_build(client)
    with TestClient(create_app(env)) as client:
        assert wait_for_build(client)["state"] == "done"
        assert "plan.txt" not in sources(client) and not (env.home / PENDING_FILE).exists()


def test_no_record_no_change(env, monkeypatch):
    """The record cannot be written (disk full): the upload is refused with 507 and nothing is saved."""
    def full(path, data):
        with open(path, "wb") as handle:
            handle.write(data[:3])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("assistant.server.rebuild._write_durably", full)
    with TestClient(create_app(env)) as client:
        response = client.post("/documents", files={"files": ("整改方案.txt", NEW_TEXT.encode())})
        assert response.status_code == 507, response.text
        detail = response.json()["detail"]
        assert "full" in detail and "free some space" in detail and "\n" not in detail
        assert not (env.corpus_dir / "整改方案.txt").exists()
        assert sorted(p.name for p in env.home.iterdir() if "pending" in p.name) == []  # no temporary left
        assert client.get("/documents/build").json()["state"] == "idle"


def test_refused_uploads_leave_no_record(env):
    with TestClient(create_app(env)) as client:
        refused = client.post("/documents", files={"files": ("setup.exe", b"MZ...")})
        assert refused.status_code == 422
        assert not (env.home / PENDING_FILE).exists() and client.get("/health").json()["pending_rebuild"] is False


def test_a_build_that_began_before_the_change_does_not_clear_its_record(tmp_path, monkeypatch):
    runs = []
    monkeypatch.setattr("assistant.server.rebuild.rebuild_and_switch", lambda *a, **k: runs.append(1) or {})
    rebuilder = Rebuilder(SimpleNamespace(home=tmp_path), switch=lambda new: None)
    record = PendingRecord(tmp_path)
    token = rebuilder.mark("adding a.txt")  # the record is written before the file is saved
    assert record.read()["reasons"] == ["adding a.txt"]
    rebuilder.request("rebuild asked for")  # another request's build starts before a.txt is there
    assert rebuilder.wait(10) and runs == [1]
    assert record.read() is not None and rebuilder.pending_state()["pending_rebuild"] is True
    rebuilder.request("added a.txt", token)  # a.txt is saved: this build covers it
    assert rebuilder.wait(10) and runs == [1, 1]
    assert record.read() is None and rebuilder.pending_state() == {
        "pending_rebuild": False, "pending_reason": None, "pending_since": None}


def test_a_record_is_replaced_atomically(tmp_path, monkeypatch):
    record = PendingRecord(tmp_path)
    record.write({"generation": 1, "reasons": ["first"]})

    def torn(path, data):
        with open(path, "wb") as handle:
            handle.write(data[:5])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("assistant.server.rebuild._write_durably", torn)
    with pytest.raises(OSError):
        record.write({"generation": 2, "reasons": ["second"]})
    assert record.read() == {"generation": 1, "reasons": ["first"]}
    assert [p.name for p in tmp_path.iterdir()] == [PENDING_FILE]
