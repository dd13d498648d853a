"""The HTTP side of language-model answers: `POST /ask` with `"stream": true` (server-sent events),
and the OpenAI-compatible `/v1/models` and `/v1/chat/completions`, used by the real `openai`
package against uvicorn on 127.0.0.1, plain and streamed, with the fake model behind the assistant."""

from __future__ import annotations

import json
import socket
import threading
import time

import openai
import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.service import Assistant
from fake_llm import FakeModel, Reply, serve
from llm_env import build, number_of, sure

API_KEY = "local-key-123"
STUDENTS = "乡村学校有多少学生?"


def grounded(body):
    return Reply(f"乡村学校现有学生320人,教职工28人[{number_of(body, '320人')}]。", piece=4)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    fake = FakeModel()
    model_server, _ = serve(fake)
    with pytest.MonkeyPatch.context() as mp:
        settings, index = build(tmp_path_factory.mktemp("llm-api"), mp)
        with_llm = settings.with_(llm_base_url=fake.base_url, llm_model="fake-chat", llm_timeout=2.0, api_key=API_KEY)
        assistant = sure(Assistant(with_llm, index, warn=lambda m: None))
        plain = sure(Assistant(settings, index, warn=lambda m: None))
        app = create_app(with_llm, assistant)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        yield fake, f"http://127.0.0.1:{port}", app, plain
        server.should_exit = True
        thread.join(timeout=10)
    model_server.shutdown()


def events_of(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_ask_streams_passages_then_the_answer_then_the_checked_citations(env):
    fake, _, app, _ = env
    fake.script(grounded)
    with TestClient(app) as client:
        response = client.post("/ask", json={"question": STUDENTS, "stream": True})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = events_of(response.text)
        assert events[0][0] == "passages" and events[-1][0] == "done"
        assert {k for k, _ in events[1:-1]} == {"delta"} and len(events) >= 3
        done = events[-1][1]
        assert done["answer_mode"] == "llm" and "".join(e["text"] for k, e in events if k == "delta") == done["answer"]
        assert done["citations"] == events[0][1]["citations"] and done["synthesis"]["cited"]
        plain = client.post("/ask", json={"question": STUDENTS}).json()
        assert plain["answer"] == done["answer"] and plain["answer_mode"] == "llm"
        bad = client.post("/ask", json={"question": " ", "stream": True})
        assert bad.status_code == 422 and "question" in bad.json()["detail"]
        assert client.post("/ask", json={"question": STUDENTS, "stream": "yes"}).status_code == 422
        assert client.get("/health").json()["llm_model"] == "fake-chat"


def test_the_openai_package_gets_a_cited_answer(env):
    fake, url, _, _ = env
    fake.script(grounded)
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0)
    assert [m.id for m in client.models.list()] == ["assistant"]
    reply = client.chat.completions.create(model="assistant", messages=[
        {"role": "system", "content": "You are helpful."}, {"role": "user", "content": STUDENTS}])
    text = reply.choices[0].message.content
    assert text.startswith("乡村学校现有学生320人,教职工28人[") and "\n\n来源:\n[" in text
    extra = reply.model_extra
    assert extra["answer_mode"] == "llm" and extra["found"] is True
    n = fake.seen[0].body and number_of(fake.seen[0].body, "320人")
    assert f"[{n}] 《乡村学校工作总结》" in text and extra["citations"][n - 1]["title"] == "乡村学校工作总结"


def test_the_openai_package_streams_a_cited_answer(env):
    fake, url, _, _ = env
    fake.script(grounded)
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0)
    chunks = list(client.chat.completions.create(model="assistant", stream=True,
                                                 messages=[{"role": "user", "content": STUDENTS}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) >= 4 and chunks[-1].choices[0].finish_reason == "stop"
    assert text.startswith("乡村学校现有学生320人,教职工28人[") and "来源:" in text
    assert chunks[-1].model_extra["answer_mode"] == "llm" and chunks[-1].model_extra["citations"]


def test_chat_messages_become_question_and_history(env):
    fake, url, _, _ = env
    fake.script(Reply("绩效工资实施方案[1]。"))
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0)
    reply = client.chat.completions.create(model="assistant", messages=[
        {"role": "user", "content": "A2保障机制组要准备哪些材料?"}, {"role": "assistant", "content": "…"},
        {"role": "user", "content": [{"type": "text", "text": "那A3组呢?"}]}])
    assert reply.model_extra["resolved_question"] == "A3组要准备哪些材料?"


def test_the_api_key_and_bad_requests(env):
    _, url, _, _ = env
    with pytest.raises(openai.AuthenticationError) as caught:
        openai.OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0).models.list()
    assert "Authorization: Bearer" in str(caught.value)
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="assistant", messages=[{"role": "system", "content": "hi"}])
    assert "the last message from role 'user'" in str(caught.value)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="assistant", messages=[])


def test_without_a_model_the_endpoint_gives_the_extractive_answer(env):
    _, _, _, plain = env
    with TestClient(create_app(plain.settings, plain)) as client:  # no ASSISTANT_API_KEY: no key asked
        data = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": STUDENTS}]}).json()
        expected = plain.ask(STUDENTS).to_dict()
        assert data["answer_mode"] == "extractive" and data["choices"][0]["message"]["content"].startswith(expected["answer"])
        assert data["citations"] == expected["citations"]
