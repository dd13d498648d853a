"""Secrets never reach a reply: a model service that echoes its API key (or the server's
ASSISTANT_API_KEY) in its answer gets `***` in their place, in /ask (whole and streamed) and in
/v1/chat/completions (plain and stream=true), also when the key arrives split across streamed pieces."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.llm import ChatModel
from assistant.service import Assistant
from fake_llm import FakeModel, Reply, serve
from llm_env import build, number_of, sure

#: No digits, so the figure check keeps the sentence that echoes it (a key with digits is dropped there
#: by luck, not by design).
LLM_KEY = "sk-echoedModelServiceKeyAbcdefXyz"
API_KEY = "office-key-QwertyUiopAsdf"
STUDENTS = "乡村学校有多少学生?"


def echoing(body):
    n = number_of(body, "320人")
    # piece=5: both keys arrive cut across several streamed deltas
    return Reply(f"乡村学校现有学生320人,教职工28人[{n}]。服务密钥是{LLM_KEY}[{n}]。访问密钥是{API_KEY}[{n}]。", piece=5)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    fake = FakeModel()
    model_server, _ = serve(fake)
    with pytest.MonkeyPatch.context() as mp:
        settings, index = build(tmp_path_factory.mktemp("redaction"), mp)
        with_llm = settings.with_(llm_base_url=fake.base_url, llm_model="fake-chat", llm_timeout=5.0,
                                  llm_api_key=LLM_KEY, api_key=API_KEY)
        assistant = sure(Assistant(with_llm, index, warn=lambda m: None))
        yield fake, create_app(with_llm, assistant)
    model_server.shutdown()


def assert_clean(text: str) -> None:
    assert LLM_KEY not in text and API_KEY not in text
    for key in (LLM_KEY, API_KEY):  # no recognisable half of a key either
        assert key[: len(key) // 2] not in text and key[len(key) // 2:] not in text
    assert "***" in text


def headers():
    return {"Authorization": f"Bearer {API_KEY}"}


def test_ask_whole_and_streamed(env):
    fake, app = env
    fake.script(echoing)
    with TestClient(app) as client:
        plain = client.post("/ask", json={"question": STUDENTS}, headers=headers())
        assert plain.status_code == 200 and plain.json()["answer_mode"] == "llm"
        assert fake.seen[-1].headers["Authorization"] == f"Bearer {LLM_KEY}"  # the key is still sent
        assert_clean(plain.json()["answer"])
        assert "服务密钥是***" in plain.json()["answer"]
        assert_clean(plain.text)
        streamed = client.post("/ask", json={"question": STUDENTS, "stream": True}, headers=headers())
        assert streamed.status_code == 200
        assert_clean(streamed.text)
        deltas = [json.loads(block.split("data: ", 1)[1]) for block in streamed.text.strip().split("\n\n")
                  if block.startswith("event: delta")]
        assert "***" in "".join(d["text"] for d in deltas)


def test_openai_plain_and_streamed(env):
    fake, app = env
    fake.script(echoing)
    question = {"model": "assistant", "messages": [{"role": "user", "content": STUDENTS}]}
    with TestClient(app) as client:
        plain = client.post("/v1/chat/completions", json=question, headers=headers())
        assert plain.status_code == 200
        assert_clean(plain.json()["choices"][0]["message"]["content"])
        assert_clean(plain.text)
        streamed = client.post("/v1/chat/completions", json={**question, "stream": True}, headers=headers())
        assert streamed.status_code == 200
        assert_clean(streamed.text)
        text = "".join((json.loads(line[6:])["choices"][0]["delta"].get("content") or "")
                       for line in streamed.text.splitlines() if line.startswith("data: {"))
        assert "服务密钥是***" in text and "访问密钥是***" in text


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 64])
def test_the_client_redacts_a_key_cut_anywhere(env, piece):
    fake, _ = env
    text = f"前{LLM_KEY}中{API_KEY}{LLM_KEY}后"
    fake.script(Reply(text, piece=piece))
    model = ChatModel(fake.base_url, "fake-chat", LLM_KEY, timeout=5.0, secrets=(API_KEY, None, ""))
    try:
        pieces = list(model.stream([{"role": "user", "content": "?"}]))
        assert "".join(pieces) == "前***中******后" and all(pieces)
        assert model.complete([{"role": "user", "content": "?"}]) == "前***中******后"
    finally:
        model.close()
    fake.script(Reply("一二三四五六七八九十", piece=3))  # without secrets, the pieces pass as they come
    plain = ChatModel(fake.base_url, "fake-chat", None, timeout=5.0, secrets=(None,))
    try:
        assert list(plain.stream([{"role": "user", "content": "?"}])) == ["一二三", "四五六", "七八九", "十"]
    finally:
        plain.close()


def test_a_stream_that_breaks_after_half_a_key_never_shows_that_half(env):
    from assistant.llm import LLMError

    fake, _ = env
    half = LLM_KEY[: len(LLM_KEY) // 2]
    piece = json.dumps({"choices": [{"delta": {"content": f"乡村学校有学生320人。密钥是{half}"}}]}, ensure_ascii=False)
    fake.script(Reply(events=[piece, "{not json"]))
    model = ChatModel(fake.base_url, "fake-chat", LLM_KEY, timeout=5.0)
    shown = []
    try:
        with pytest.raises(LLMError):
            for text in model.stream([{"role": "user", "content": "?"}]):
                shown.append(text)
    finally:
        model.close()
    assert "".join(shown) == "乡村学校有学生320人。密钥是"  # the text before it is not held back
