"""Answers written by a language model, against a fake OpenAI-compatible server on 127.0.0.1 that
returns scripted replies (tests/fake_llm.py): a grounded answer is used with its citations; a
sentence citing a passage that was not sent, or stating a figure its passage does not hold, is
dropped; time-outs, HTTP errors and malformed replies fall back to the extractive answer with a
note; a question the documents do not answer never reaches the model; the key is never shown."""

from __future__ import annotations

import json
import logging

import pytest

from assistant.answer.synthesis import continuation
from assistant.llm import load_model
from assistant.service import Assistant
from fake_llm import FakeModel, Reply, serve
from llm_env import blocks, build, number_of, number_without, sure

KEY = "sk-test-secret-4711"
STUDENTS = "乡村学校有多少学生?"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    fake = FakeModel()
    server, _ = serve(fake)
    with pytest.MonkeyPatch.context() as mp:
        settings, index = build(tmp_path_factory.mktemp("llm"), mp)
        with_llm = settings.with_(llm_base_url=fake.base_url, llm_model="fake-chat", llm_api_key=KEY, llm_timeout=0.5)
        yield fake, sure(Assistant(with_llm, index, warn=lambda m: None)), sure(Assistant(settings, index, warn=lambda m: None))
    server.shutdown()


@pytest.fixture
def fake(env):
    return env[0]


@pytest.fixture
def assistant(env):
    return env[1]


@pytest.fixture
def extractive(env):
    return env[2]


def grounded(body):
    n = number_of(body, "320人")
    return Reply(f"乡村学校现有学生320人,教职工28人[{n}]。")


def test_a_grounded_answer_is_used_with_its_citations(fake, assistant, extractive):
    fake.script(grounded)
    answer = assistant.ask(STUDENTS)
    [request] = fake.seen
    n = number_of(request.body, "320人")
    assert answer.mode == "llm" and answer.text == f"乡村学校现有学生320人,教职工28人[{n}]。"
    assert answer.synthesis == {"model": "fake-chat", "note": None, "cited": [n], "dropped": []}
    data = answer.to_dict()
    assert data["answer_mode"] == "llm" and data["found"] is True
    # what was sent: the question and exactly the passages the extractive answer cites, numbered
    base = extractive.ask(STUDENTS)
    assert base.mode == "extractive" and base.to_dict()["synthesis"] is None
    sent = blocks(request.passages)
    assert sorted(sent) == list(range(1, len(base.passages) + 1))
    assert all(p.text[:40] in sent[i] for i, p in enumerate(base.passages, start=1))
    assert [c["doc_id"] for c in data["citations"]] == [c["doc_id"] for c in base.to_dict()["citations"]]
    assert STUDENTS in request.passages and "Simplified Chinese" in request.system
    assert request.body["model"] == "fake-chat" and request.headers["Authorization"] == f"Bearer {KEY}"


def test_a_citation_of_a_passage_not_sent_is_dropped(fake, assistant):
    fake.script(lambda b: Reply(f"乡村学校现有学生320人[{number_of(b, '320人')}]。另有教师交流统计表[9]。"))
    answer = assistant.ask(STUDENTS, top_k=5)
    assert len(blocks(fake.seen[0].passages)) == 5
    assert answer.mode == "llm_repaired"
    assert "[9]" not in answer.text and "交流统计表" not in answer.text and "320人" in answer.text
    assert answer.text.endswith("(已核对出处:删去了1句引用或数字与所引段落不符的话。)")
    [dropped] = answer.synthesis["dropped"]
    assert dropped["text"] == "另有教师交流统计表[9]。" and dropped["reason"] == "cites [9], but only 5 passages were sent"


def test_an_invented_figure_is_dropped(fake, assistant):
    def reply(body):
        n, other = number_of(body, "320人"), number_without(body, "320人")
        return Reply(f"乡村学校现有学生320人[{n}]。生均图书35册[{n}]。教职工28人[{n}]。学生共320人[{other}]。")

    fake.script(reply)
    answer = assistant.ask(STUDENTS)
    assert answer.mode == "llm_repaired"
    assert "35册" not in answer.text and "28人" in answer.text and answer.text.count("320人") == 1
    reasons = [d["reason"] for d in answer.synthesis["dropped"]]
    assert reasons[0].startswith("states 35, which [") and reasons[1].startswith("states 320, which [")


def test_an_answer_with_nothing_left_falls_back_to_the_extractive_one(fake, assistant, extractive):
    base = extractive.ask(STUDENTS).text
    for text in ("乡村学校有学生320人[9]。", "乡村学校有学生3200人[1]。", "资料中没有相关信息。"):
        fake.script(Reply(text))
        answer = assistant.ask(STUDENTS)
        assert answer.mode == "extractive_fallback", text
        assert answer.text.startswith("(语言模型的回答未通过出处核对:") and answer.text.endswith("\n" + base)
        assert answer.text.count("\n") == base.count("\n") + 1  # a one-line note, then the extractive answer


@pytest.mark.parametrize("reply, note", [
    (Reply("乡村学校有学生320人[1]。", delay=1.5), "did not answer within 0.5 s"),
    (Reply("overloaded", status=500), "HTTP 500 (overloaded)"),
    (Reply(raw="<html>bad gateway</html>"), "is not JSON"),
    (Reply(raw='{"choices": []}'), "has no choices[0].message.content"),
    (Reply(raw='{"choices": [{"message": {"content": ""}}]}'), "empty answer"),
])
def test_failures_fall_back_with_a_one_line_note(fake, assistant, extractive, reply, note):
    fake.script(reply)
    answer = assistant.ask(STUDENTS)
    first, rest = answer.text.split("\n", 1)
    assert answer.mode == "extractive_fallback" and first.startswith("(语言模型未能作答:") and note in first
    assert rest == extractive.ask(STUDENTS).text and answer.synthesis["note"] == first


def test_an_unreachable_service_falls_back(assistant, extractive):
    unreachable = assistant.settings.with_(llm_base_url="http://127.0.0.1:9/v1")
    answer = Assistant(unreachable, assistant.index, warn=lambda m: None).ask(STUDENTS)
    assert answer.mode == "extractive_fallback" and "cannot reach the model service at http://127.0.0.1:9/v1" in answer.text


def test_the_documents_decide_not_found_and_the_model_is_not_asked(fake, assistant):
    fake.script(Reply("学校食堂的菜价是每份8元[1]。"))
    answer = assistant.ask("学校食堂的菜价是多少?")
    assert answer.found is False and answer.mode == "extractive" and fake.seen == []


def test_the_key_is_never_shown_or_logged(fake, assistant, caplog):
    fake.script(Reply(f"Incorrect API key provided: {KEY}", status=401))
    with caplog.at_level(logging.DEBUG):
        answer = assistant.ask(STUDENTS)
    assert answer.mode == "extractive_fallback"
    assert "HTTP 401 (Incorrect API key provided: ***); check ASSISTANT_LLM_API_KEY" in answer.text
    assert "401" in caplog.text and KEY not in caplog.text and KEY not in str(answer.to_dict())
    assert KEY not in repr(assistant.settings) and KEY not in repr(assistant.llm)


def test_an_english_question_asks_for_an_english_answer(fake, assistant):
    fake.script(lambda b: Reply(f"The village school has 320 students and 28 staff [{number_of(b, '320人')}]."))
    answer = assistant.ask("How many students does the village school 乡村学校 have?")
    # (the retrieval's unsure note stays in front when it is unsure)
    assert answer.mode == "llm" and answer.text.endswith("The village school has 320 students and 28 staff [1].")
    assert "Write the answer in English" in fake.seen[0].system


# --- streaming ---------------------------------------------------------------------------------

def test_a_stream_shows_only_checked_sentences(fake, assistant):
    def reply(body):
        n = number_of(body, "320人")
        return Reply(f"乡村学校现有学生320人[{n}]。生均图书35册[{n}]。教职工28人[{n}]。", piece=2)

    fake.script(reply)
    events = list(assistant.ask_events(STUDENTS))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "passages" and kinds[-1] == "done" and kinds.count("delta") >= 3
    assert events[0][1]["citations"] and "answer" not in events[0][1]
    deltas = "".join(value for kind, value in events if kind == "delta")
    final = events[-1][1]
    assert "35" not in deltas and final["answer_mode"] == "llm_repaired"
    assert fake.seen[0].body["stream"] is True
    assert continuation(deltas, final["answer"]) == "" and final["answer"] == deltas.strip()


def test_a_stream_that_breaks_falls_back(fake, assistant, extractive):
    good = '{"choices": [{"delta": {"content": "乡村学校有学生320人[1]。教职工"}}]}'
    fake.script(Reply(events=[good, "{not json"]))
    events = list(assistant.ask_events(STUDENTS))
    final = events[-1][1]
    deltas = "".join(value for kind, value in events if kind == "delta")
    assert final["answer_mode"] == "extractive_fallback" and "is not JSON" in final["answer"]
    assert final["answer"].endswith(extractive.ask(STUDENTS).text)
    assert continuation(deltas, final["answer"]) == "\n\n" + final["answer"]


def test_without_a_model_the_stream_is_the_extractive_answer(extractive):
    events = list(extractive.ask_events(STUDENTS))
    assert [k for k, _ in events] == ["passages", "delta", "done"]
    assert events[1][1] == events[2][1]["answer"] == extractive.ask(STUDENTS).text


# --- summaries across documents ----------------------------------------------------------------

SUMMARY = "请总结一下各学校关爱留守儿童的做法"


def test_a_summary_gathers_one_passage_per_school(extractive):
    answer = extractive.ask(SUMMARY)
    docs = [p.doc_id for p in answer.passages]
    titles = {p.title for p in answer.passages}
    assert answer.found and answer.across_documents and answer.mode == "extractive"
    assert len(docs) == len(set(docs)) and {"东湖小学关爱留守儿童工作总结", "西山中学关爱留守儿童工作总结",
                                            "南岭小学关爱留守儿童工作总结"} <= titles
    assert answer.text.startswith(f"资料中有{len(docs)}份文档谈到这个问题")
    assert all(f"[{n}]《{p.title}》" in answer.text for n, p in enumerate(answer.passages, start=1))
    plain = extractive.ask("西山中学是怎样关爱留守儿童的?")
    assert not plain.across_documents


def test_a_summary_is_written_from_the_schools_passages(fake, assistant):
    def reply(body):
        a, b = number_of(body, "东湖小学"), number_of(body, "西山中学")
        return Reply(f"- 东湖小学为每名留守儿童建立成长档案[{a}]。\n- 西山中学配备心理辅导教师2名[{b}]。")

    fake.script(reply)
    answer = assistant.ask(SUMMARY)
    assert answer.mode == "llm" and answer.text.count("\n") == 1 and "different documents" in fake.seen[0].system


def test_partial_settings_are_reported_and_ignored(assistant):
    said = []
    for changes in ({"llm_model": None}, {"llm_base_url": None}, {"llm_base_url": "api.deepseek.com"}):
        assert load_model(assistant.settings.with_(**changes), said.append) is None
    assert said[0].startswith("warning: ASSISTANT_LLM_BASE_URL is set but ASSISTANT_LLM_MODEL is not")
    assert said[1].startswith("warning: ASSISTANT_LLM_MODEL is set but ASSISTANT_LLM_BASE_URL is not")
    assert said[2] == ("warning: ASSISTANT_LLM_BASE_URL must be an http:// or https:// address (got "
                       "'api.deepseek.com'); answers stay extractive")
    assert all(s.endswith("answers stay extractive") for s in said)


# --- the terminal ----------------------------------------------------------------------------

def test_the_cli_prints_the_answer_as_it_is_written(fake, assistant, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app

    fake.script(grounded)
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", fake.base_url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "fake-chat")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", KEY)
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "2")
    result = CliRunner().invoke(app, ["ask", STUDENTS])
    assert result.exit_code == 0, result.output
    n = number_of(fake.seen[0].body, "320人")
    assert result.output.startswith(f"乡村学校现有学生320人,教职工28人[{n}]。\n") and "来源" in result.output
    assert fake.seen[0].body["stream"] is True and KEY not in result.output
    fake.script(Reply("", status=503))
    result = CliRunner().invoke(app, ["ask", STUDENTS, "--json"])
    data = json.loads(result.output)
    assert data["answer_mode"] == "extractive_fallback" and "HTTP 503" in data["synthesis"]["note"]
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "soon")
    result = CliRunner().invoke(app, ["ask", STUDENTS])
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1] == (
        "error: ASSISTANT_LLM_TIMEOUT must be a number of seconds from 0 to 3600, e.g. 60 (got 'soon')")


def test_chat_streams_and_follows_up(fake, assistant):
    import io

    from rich.console import Console

    from assistant.chat import ChatSession

    fake.script(lambda b: Reply(f"需要准备学校财务管理制度[{number_of(b, '财务管理制度')}]。"),
                lambda b: Reply(f"需要准备绩效工资实施方案[{number_of(b, '绩效工资实施方案')}]。"))
    buffer = io.StringIO()
    session = ChatSession(assistant, 3, Console(file=buffer, width=200), Console(file=io.StringIO()))
    session.handle("A2保障机制组要准备哪些材料?")
    session.handle("那A3组呢?")
    output = buffer.getvalue()
    assert "需要准备学校财务管理制度[" in output and "(read as: A3组要准备哪些材料?)" in output
    assert "需要准备绩效工资实施方案[" in output and session.last["answer_mode"] == "llm"


def test_without_a_model_the_answer_streams_sentence_by_sentence(extractive):
    """issue 28: without a language model the stream arrived as one piece."""
    events = list(extractive.ask_events("A2保障机制组要准备哪些材料?"))
    deltas = [value for kind, value in events if kind == "delta"]
    final = next(value for kind, value in events if kind == "done")
    assert len(deltas) > 1 and "".join(deltas) == final["answer"]
    assert all(d.endswith(("。", ";", "；", "!", "?", "！", "？", "\n")) for d in deltas[:-1])
