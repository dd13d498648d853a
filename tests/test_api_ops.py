"""The HTTP app run for a whole office (issue 16, cases 4, 5 and 8): bounded work per request
(history carries its turns; a time budget answers 503), a server that follows the index (a new
build is served without a restart; /health says which), and an access log without query strings."""

import logging
import time

import pytest
from fastapi.testclient import TestClient

from assistant import service
from assistant.server.app import HideQueryStrings, create_app, log_config
from assistant.errors import RequestTimeout
from assistant.index import store
from assistant.building import build_index
from assistant.service import Assistant, Deadline

A2 = "A2保障机制组要准备哪些材料?"


@pytest.fixture
def env(settings, fake_embedder, monkeypatch):
    monkeypatch.setattr("assistant.building.dictionary_of", lambda lexical, warn: None)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    small = settings.with_(chunk_chars=120, reload_seconds=0.2)
    build_index(small, warn=lambda m: None, embedder=fake_embedder)
    return small


def count_answers(assistant, monkeypatch) -> list:
    calls = []
    real = assistant._answer
    monkeypatch.setattr(assistant, "_answer", lambda *a, **k: (calls.append(a[0]), real(*a, **k))[1])
    return calls


def test_long_history_is_not_answered_again(env, monkeypatch):
    assistant = Assistant.open(env, warn=lambda m: None)
    calls = count_answers(assistant, monkeypatch)
    long = ("A2保障机制组要准备哪些材料?" * 30)[:300]
    assistant.ask("那A3组呢?", 3, history=[long] * 20)
    assert len(calls) == 1  # was 21: every history question answered again; then 2 (the newest again)
    calls.clear()
    first = assistant.ask(A2, 3)
    turn = assistant.answer_json(first)["turn"]
    assert turn["topic"].endswith("A2保障机制组") and turn["resolved_question"] == A2
    follow = assistant.ask("那A3组呢?", 3, history=[turn] * 20)
    assert len(calls) == 2 and follow.resolved_question == "A3组要准备哪些材料?"  # the question itself only
    monkeypatch.setattr(assistant, "_answer", lambda *a, **k: first)
    kept = assistant.turns(["x" * 2000] * 20)
    assert len(kept) == service.HISTORY_CHARS // 2000  # the newest turns that fit in the budget


def test_history_answers_follow_ups_as_before(env):
    """A history of plain questions is resolved as text (what the last question was about: A3组), a
    history of turns by their sections (A3教师队伍组): either way the follow-up is answered from the
    A3 group's section."""
    assistant = Assistant.open(env, warn=lambda m: None)
    by_strings = assistant.ask("who leads it?", 3, history=[A2, "那A3组呢?"]).to_dict()
    turns = []
    for question in (A2, "那A3组呢?"):
        turns.append(assistant.answer_json(assistant.ask(question, 3, history=list(turns)))["turn"])
    by_turns = assistant.ask("who leads it?", 3, history=turns).to_dict()
    assert "A3" in by_strings["resolved_question"] and "A3" in by_turns["resolved_question"]
    assert by_strings["found"] and by_turns["found"]
    first = [(d["citations"][0]["doc_id"], d["citations"][0]["section"]) for d in (by_strings, by_turns)]
    assert first[0] == first[1] and "A3" in first[0][1]


def test_past_the_budget_a_request_stops_with_503(env, monkeypatch):
    with pytest.raises(RequestTimeout, match="budget"):
        Assistant.open(env, warn=lambda m: None).ask(A2, 3, deadline=Deadline(0))
    with TestClient(create_app(env)) as client:
        client.app.state.request_seconds = 0.3
        slow = client.app.state.assistant.searcher.rank

        def crawl(*args, **kwargs):
            time.sleep(1.0)
            return slow(*args, **kwargs)

        monkeypatch.setattr(client.app.state.assistant.searcher, "rank", crawl)
        started = time.perf_counter()
        response = client.post("/ask", json={"question": A2})
        assert response.status_code == 503 and time.perf_counter() - started < 0.9
        assert "longer than its 0.3 s budget" in response.json()["detail"]
        assert client.get("/documents").status_code == 200  # the server goes on


def test_the_server_follows_a_new_build(env, fake_embedder):
    with TestClient(create_app(env)) as client:
        before = client.get("/health").json()
        assert before["status"] == "ok" and before["build"] == before["current_build"]
        (env.corpus_dir / "new.txt").write_text("青松镇中心小学今年新建了一座天文观测台。\n", encoding="utf-8")
        build_index(env, warn=lambda m: None, embedder=fake_embedder)
        for _ in range(100):  # the watcher checks every 0.2 s
            health = client.get("/health").json()
            if health["build"] != before["build"]:
                break
            time.sleep(0.1)
        assert health["build"] == store.current_build(env.index_root) and health["documents"] == before["documents"] + 1
        found = client.get("/search", params={"q": "天文观测台", "top_k": 1}).json()["results"]
        assert found[0]["source"] == "new.txt"


def test_a_damaged_new_build_is_not_served(env, fake_embedder):
    with TestClient(create_app(env.with_(reload_seconds=0))) as client:
        served = client.get("/health").json()["build"]
        build_index(env, warn=lambda m: None, embedder=fake_embedder)
        (store.current_path(env.index_root) / "chunks.jsonl").write_text("", encoding="utf-8")
        health = client.post("/reload").json()
        assert health["build"] == served and health["status"] == "outdated" and "damaged" in health["reload_error"]
        assert client.post("/ask", json={"question": A2}).status_code == 200


def test_access_log_leaves_out_query_strings():
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/search?q=%E6%9B%B9%E9%9B%86&top_k=3", "1.1", 200), None)
    assert HideQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /search?… HTTP/1.1" 200'
    assert log_config()["handlers"]["access"]["filters"] == ["hide_queries"]
    assert "filters" not in log_config(log_queries=True)["handlers"]["access"]


def test_a_build_the_server_is_making_is_loaded_once(env, fake_embedder, monkeypatch):
    """While the server's own rebuild runs, the follower does not load the build it makes (the rebuild
    opens it and switches): a large index was loaded twice at once, doubling the server's memory."""
    with TestClient(create_app(env.with_(reload_seconds=0))) as client:
        served = client.get("/health").json()["build"]
        build_index(env, warn=lambda m: None, embedder=fake_embedder)  # a new build is current
        rebuilder = client.app.state.rebuilder
        monkeypatch.setattr(rebuilder, "busy", lambda: True)
        assert client.post("/reload").json()["build"] == served  # left to the running rebuild
        monkeypatch.setattr(rebuilder, "busy", lambda: False)
        assert client.post("/reload").json()["build"] == store.current_build(env.index_root)
