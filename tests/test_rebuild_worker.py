"""Rebuilds in a worker process (issue 27): the build a server starts after an upload runs in a
spawned process that loads the same model by name, relays its progress, and ends (its memory with
it); a failing build's own message reaches the server, whose old index stays in use."""

import os
import time

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.config import load_settings
from assistant.errors import AssistantError
from assistant.server.rebuild import build_in_worker, worker_can_build
from fakes import FakeEmbedder
from tinycorpus import write_tiny

pytestmark = pytest.mark.real_model


def test_an_upload_is_built_in_a_worker_process_and_answered(tmp_path, monkeypatch):
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_API_KEY", "ASSISTANT_COLLECTIONS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(corpus_dir=write_tiny(tmp_path / "corpus"), home=tmp_path / "home").with_(
        allow_upload=True, reload_seconds=0)
    with TestClient(create_app(settings)) as client:
        assert worker_can_build(settings, client.app.state.assistant.embedder)
        text = "青山镇中心小学整改方案\n一、存在的问题\n学校图书馆藏书不足,年底前补充图书4000册。\n"
        assert client.post("/documents", files={"files": ("整改方案.txt", text.encode())}).status_code == 200
        deadline = time.monotonic() + 120
        while (status := client.get("/documents/build").json())["state"] == "building":
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["state"] == "done", status
        result = status["result"]
        assert result["worker_pid"] != os.getpid() and result["files_processed"] == 1 and result["worker_peak_mb"] > 0
        answer = client.post("/ask", json={"question": "青山镇中心小学要补充多少册图书?"}).json()
        assert "4000册" in answer["answer"] and answer["citations"][0]["source"] == "整改方案.txt"


def test_a_failing_worker_build_says_why(tmp_path):
    settings = load_settings(corpus_dir=tmp_path / "gone", home=tmp_path / "home")
    with pytest.raises(AssistantError, match="gone"):
        build_in_worker(settings)


def test_a_model_handed_in_is_built_with_in_this_process(tmp_path):
    settings = load_settings(corpus_dir=tmp_path, home=tmp_path / "home")
    assert not worker_can_build(settings, FakeEmbedder()) and not worker_can_build(settings, None)
