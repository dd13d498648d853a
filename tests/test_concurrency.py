"""Concurrent requests do not corrupt shared state: the same questions asked from many threads at once
(on a cold Assistant, so the lazily built caches are built under contention) give exactly the
answers they give one at a time; and a real server on 127.0.0.1 passes the load test script."""

import importlib.util
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import uvicorn

from assistant.server.app import create_app
from assistant.building import build_index
from assistant.service import Assistant

ROOT = Path(__file__).resolve().parent.parent
CALLS = [
    ("ask", "A2保障机制组要准备哪些材料?", None),
    ("ask", "那A3组呢?", ["A2保障机制组要准备哪些材料?"]),
    ("ask", "who leads it?", ["A2保障机制组要准备哪些材料?", "那A3组呢?"]),
    ("ask", "乡村学校有多少学生和教职工?", None),
    ("ask", "What must the A2 guarantee mechanism group file?", None),
    ("ask", "学校食堂的菜价是多少?", None),
    ("search", "生均图书", None),
    ("search", "宣传报道组", None),
    ("draft", "summary", None),
    ("draft", "inspection-prep", None),
]


@pytest.fixture
def index(settings, fake_embedder, monkeypatch):
    small = settings.with_(chunk_chars=120)
    data, _ = build_index(small, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return small, data


def call(assistant, kind, text, history):
    if kind == "ask":
        return assistant.ask(text, 5, history=history).to_dict()
    if kind == "search":
        return assistant.search(text, 5)
    return assistant.draft(text, "青山镇中心小学").to_dict()


def test_threads_get_the_answers_of_sequential_calls(index):
    settings, data = index
    expected = [call(Assistant(settings, data, warn=lambda m: None), *c) for c in CALLS]
    cold = Assistant(settings, data, warn=lambda m: None)
    jobs = [i for i in range(len(CALLS)) for _ in range(6)]
    random.Random(6).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: (i, call(cold, *CALLS[i])), jobs))
    for i, result in results:
        assert result == expected[i], CALLS[i]


def test_concurrent_first_drafts_build_one_example_finder(index, monkeypatch):
    settings, data = index
    assistant = Assistant(settings, data, warn=lambda m: None)
    built = []
    from assistant import drafting

    class Counting(drafting.ExampleFinder):
        def __init__(self, searcher):
            built.append(1)
            time.sleep(0.05)  # widen the window in which a second thread could start another
            super().__init__(searcher)

    monkeypatch.setattr(drafting, "ExampleFinder", Counting)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: assistant.draft("summary", "青山镇中心小学"), range(4)))
    assert len(built) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_load_test_against_a_real_server(index):
    """scripts/loadtest.py against uvicorn on 127.0.0.1: no errors, no answer differing from the
    same request sent alone."""
    settings, data = index
    app = create_app(settings, Assistant(settings, data, warn=lambda m: None))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
        loadtest = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loadtest)
        questions = ["A2保障机制组要准备哪些材料?", "乡村学校有多少学生和教职工?", "生均图书", "What must the A2 group file?"]
        report = loadtest.run(f"http://127.0.0.1:{port}", clients=8, total=120, questions=questions,
                              draft_every=30, timeout=60)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert report["requests"] == 120 and report["statuses"] == {"200": 120}
    assert report["errors"] == 0 and report["mismatches"] == 0
    assert set(report["by_endpoint"]) == {"ask", "search", "ask+history", "draft"}
    assert report["requests_per_s"] > 0 and report["latency"]["p95_ms"] >= report["latency"]["p50_ms"]
