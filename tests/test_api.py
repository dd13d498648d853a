"""The HTTP app through FastAPI's TestClient: every endpoint, and every kind of bad input gets a 4xx
whose `detail` is one readable sentence (never a 500 or a traceback). The index is the tiny corpus,
built once for the module with the fake embedder."""

import json
import re

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import MAX_BODY_BYTES, create_app
from assistant.config import load_settings
from assistant.errors import IndexMissingError
from assistant.building import build_index
from assistant.retrieval.search import MAX_QUESTION_CHARS
from assistant.service import Assistant
from fakes import FakeEmbedder
from tinycorpus import write_tiny

A2 = "A2保障机制组要准备哪些材料?"


@pytest.fixture(scope="module")
def app_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    corpus = write_tiny(root / "corpus")
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_HOME", str(root / "home"))
        mp.setenv("ASSISTANT_CORPUS", str(corpus))
        mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
        settings = load_settings().with_(chunk_chars=120)
        build_index(settings, warn=lambda m: None, embedder=embedder)
        mp.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
        yield settings


@pytest.fixture(scope="module")
def client(app_env):
    with TestClient(create_app(app_env)) as test_client:  # the lifespan opens the index once
        yield test_client


def assert_readable(response, status, *words):
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail and "Traceback" not in response.text
    for word in words:
        assert word in detail, detail
    return detail


# --- POST /ask ---------------------------------------------------------------------------------

def test_ask_returns_the_json_of_ask_json(client, app_env):
    response = client.post("/ask", json={"question": A2, "top_k": 3})
    assert response.status_code == 200
    data = response.json()
    opened = Assistant.open(app_env, warn=lambda m: None)
    assert data == opened.answer_json(opened.ask(A2, 3))
    assert {"question", "answer", "citations", "resolved_question", "lang", "found", "sure", "doubt", "confidence",
            "coverage", "answer_mode", "synthesis", "turn"} == set(data)
    assert data["answer_mode"] == "extractive" and data["synthesis"] is None
    first = data["citations"][0]
    assert set(first) == {"n", "doc_id", "title", "source", "collection", "section", "article", "start_line", "end_line", "page", "page_end", "text", "score"}
    assert first["section"].endswith("2.A2保障机制组") and "工资花名册" in first["text"]
    assert data["found"] and len(data["citations"]) <= 3


def test_ask_follow_up_reads_the_history(client):
    for history in (["A2保障机制组要准备哪些材料?"], [{"question": A2, "answer": "…", "citations": []}]):
        data = client.post("/ask", json={"question": "那A3组呢?", "history": history}).json()
        assert data["resolved_question"] == "A3组要准备哪些材料?"
        assert "绩效工资实施方案" in data["answer"] and "工资花名册" not in data["answer"]


def test_ask_not_found_says_so(client):
    data = client.post("/ask", json={"question": "学校食堂的菜价是多少?"}).json()
    assert data["found"] is False and data["answer"].startswith("资料中没有找到")


def test_question_at_the_limit_is_accepted(client):
    question = ("生均图书" * MAX_QUESTION_CHARS)[:MAX_QUESTION_CHARS]
    assert client.post("/ask", json={"question": question}).status_code == 200


BAD_ASK = [
    ({"json": {}}, 422, ["question: is required"]),
    ({"json": {"question": ""}}, 422, ["question: must be a non-empty string"]),
    ({"json": {"question": "  \n "}}, 422, ["question: must be a non-empty string"]),
    ({"json": {"question": "x" * (MAX_QUESTION_CHARS + 1)}}, 422,
     [f"question: is {MAX_QUESTION_CHARS + 1} characters long", f"the limit is {MAX_QUESTION_CHARS} characters"]),
    ({"json": {"question": 5}}, 422, ["question: must be a string"]),
    ({"json": {"question": None}}, 422, ["question: must be a string"]),
    ({"json": {"question": ["A2"]}}, 422, ["question: must be a string"]),
    ({"json": {"question": A2, "top_k": 0}}, 422, ["top_k: must be a whole number from 1 to 50 (got 0)"]),
    ({"json": {"question": A2, "top_k": 51}}, 422, ["top_k: must be a whole number from 1 to 50 (got 51)"]),
    ({"json": {"question": A2, "top_k": "3"}}, 422, ["top_k: must be a whole number from 1 to 50"]),
    ({"json": {"question": A2, "top_k": 2.5}}, 422, ["top_k: must be a whole number"]),
    ({"json": {"question": A2, "top_k": True}}, 422, ["top_k: must be a whole number"]),
    ({"json": {"question": A2, "history": "A2"}}, 422, ["history: must be a list"]),
    ({"json": {"question": A2, "history": [5]}}, 422, ["history: item 1 must be an earlier question"]),
    ({"json": {"question": A2, "history": [A2, {"q": "x"}]}}, 422, ["history: item 2 must be an earlier question"]),
    ({"json": {"question": A2, "history": [""]}}, 422, ["history: item 1"]),
    ({"json": {"question": A2, "history": ["x" * (MAX_QUESTION_CHARS + 1)]}}, 422, ["history: item 1 is", "the limit"]),
    ({"json": {"question": A2, "history": [A2] * 51}}, 422, ["history: has 51 items; the limit is 50"]),
    ({"json": {"question": A2, "topk": 3}}, 422, ["topk: is not a field of this request"]),
    ({"json": [A2]}, 422, ["the request body must be a JSON object"]),
    ({"json": A2}, 422, ["the request body must be a JSON object"]),
    ({"content": b"", "headers": {"content-type": "application/json"}}, 422, ["the request body is missing"]),
    ({}, 422, ["the request body is missing"]),
    ({"content": b'{"question": "A2', "headers": {"content-type": "application/json"}}, 400,
     ["the request body is not valid JSON"]),
    ({"content": b"{question: 1}", "headers": {"content-type": "application/json"}}, 400, ["not valid JSON"]),
    ({"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}}, 400, ["not valid JSON"]),
    ({"content": b"[" * 50000, "headers": {"content-type": "application/json"}}, 400, ["JSON"]),
    ({"content": b'{"question": "\\ud800"}', "headers": {"content-type": "application/json"}}, 422,
     ["question: must be valid Unicode text"]),
    ({"content": json.dumps({"question": A2}).encode(), "headers": {"content-type": "text/plain"}}, 415,
     ["Content-Type: application/json"]),
    ({"content": json.dumps({"question": A2}).encode()}, 422, ["Content-Type: application/json"]),
]


@pytest.mark.parametrize("request_kwargs,status,words", BAD_ASK)
def test_bad_ask_requests_say_what_to_fix(client, request_kwargs, status, words):
    assert_readable(client.post("/ask", **request_kwargs), status, *words)


def test_several_mistakes_are_all_named(client):
    detail = assert_readable(client.post("/ask", json={"question": 5, "top_k": 0}), 422)
    assert detail.startswith("question: must be a string") and "; top_k: must be a whole number" in detail
    errors = client.post("/ask", json={"question": 5, "top_k": 0}).json()["errors"]
    assert [e["field"] for e in errors] == ["question", "top_k"]


def test_oversized_body_is_refused_unread(client):
    big = json.dumps({"question": A2, "history": ["x" * 1000] * 1500})
    assert len(big) > MAX_BODY_BYTES
    assert_readable(client.post("/ask", content=big, headers={"content-type": "application/json"}), 413,
                    f"the limit is {MAX_BODY_BYTES} bytes")


# --- GET /search -------------------------------------------------------------------------------

def test_search(client):
    data = client.get("/search", params={"q": "生均图书", "top_k": 2}).json()
    assert data["query"] == "生均图书" and 1 <= len(data["results"]) <= 2
    assert data["results"][0]["doc_id"] == "summary-txt-01" and data["results"][0]["rank"] == 1
    assert {"rank", "chunk_id", "doc_id", "title", "source", "collection", "section", "article", "start_line", "end_line", "page", "page_end", "text",
            "score"} == set(data["results"][0])


@pytest.mark.parametrize("params,words", [
    ({}, ["q: is required"]),
    ({"q": ""}, ["q: must be a non-empty string"]),
    ({"q": "   "}, ["q: must be a non-empty string"]),
    ({"q": "x" * (MAX_QUESTION_CHARS + 1)}, ["q: is", f"the limit is {MAX_QUESTION_CHARS} characters"]),
    ({"q": "生均", "top_k": 0}, ["top_k: must be a whole number from 1 to 50 (got 0)"]),
    ({"q": "生均", "top_k": 99}, ["top_k: must be a whole number from 1 to 50"]),
    ({"q": "生均", "top_k": "five"}, ["top_k: must be a whole number from 1 to 50 (got 'five')"]),
    ({"q": "生均", "top_k": "2.5"}, ["top_k: must be a whole number"]),
])
def test_bad_search_requests_say_what_to_fix(client, params, words):
    assert_readable(client.get("/search", params=params), 422, *words)


# --- POST /draft -------------------------------------------------------------------------------

def test_draft_json_and_markdown(client):
    body = {"kind": "工作总结", "school": "青山镇中心小学", "facts": {"学生数": 650}, "focus": "师资队伍"}
    data = client.post("/draft", json=body).json()
    assert data["kind"] == "summary" and data["title"] == "青山镇中心小学义务教育均衡发展工作总结"
    assert data["filled"] == {"学生数": "650"} and data["focus"] == ["师资队伍"]
    assert "学生数" not in data["placeholders"] and "教职工数" in data["placeholders"]
    markdown = client.post("/draft", json={**body, "format": "md"})
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# 青山镇中心小学义务教育均衡发展工作总结")



def test_draft_docx_with_a_control_character_in_the_school_name(client):
    """schemathesis found it: a name Word's XML cannot hold gave a 500; it is written without it."""
    from io import BytesIO

    from docx import Document

    response = client.post("/draft", json={"kind": "summary", "school": "青山镇\x1f中心小学", "format": "docx"})
    assert response.status_code == 200
    assert Document(BytesIO(response.content)).core_properties.title == "青山镇中心小学义务教育均衡发展工作总结"


@pytest.mark.parametrize("body,words", [
    ({"school": "青山镇中心小学"}, ["kind: is required"]),
    ({"kind": "summary"}, ["school: is required"]),
    ({"kind": "poem", "school": "青山镇中心小学"}, ["unknown kind 'poem'", "valid kinds: summary"]),
    ({"kind": "summary", "school": "  "}, ["the school name is empty"]),
    ({"kind": "summary", "school": 7}, ["school: must be a string"]),
    ({"kind": "summary", "school": "青山镇中心小学", "focus": ["烹饪"]}, ["unknown focus area '烹饪'"]),
    ({"kind": "summary", "school": "青山镇中心小学", "focus": [3]}, ["focus[0]: must be a string"]),
    ({"kind": "summary", "school": "青山镇中心小学", "facts": ["学生数"]}, ["facts: must be a JSON object"]),
    ({"kind": "summary", "school": "青山镇中心小学", "facts": {"学生数": [650]}}, ["the value of '学生数' must be a number or text"]),
    ({"kind": "summary", "school": "青山镇中心小学", "format": "pdf"}, ["format: must be one of 'json', 'md' or 'docx'"]),
])
def test_bad_draft_requests_say_what_to_fix(client, body, words):
    assert_readable(client.post("/draft", json=body), 422, *words)


# --- documents, health, pages ------------------------------------------------------------------

def test_documents_list(client):
    documents = client.get("/documents").json()["documents"]
    assert [d["id"] for d in documents] == ["plan-txt-01", "summary-txt-01"]
    assert {"id", "title", "kind", "source", "chunks"} <= set(documents[0])
    assert documents[0]["title"] == "迎检工作方案" and documents[0]["source"] == "plan.txt" and documents[0]["chunks"] >= 1


def test_document_page_marks_the_cited_span(client):
    citation = client.post("/ask", json={"question": A2}).json()["citations"][0]
    response = client.get(f"/documents/{citation['doc_id']}",
                          params={"start": citation["start_line"], "end": citation["end_line"]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="zh-CN">' in page and "<title>迎检工作方案</title>" in page
    cited = re.findall(r'<li id="L(\d+)" class="line cited">', page)
    assert [int(n) for n in cited] == list(range(citation["start_line"], citation["end_line"] + 1))
    assert page.index('id="cited"') > page.index(f'id="L{citation["start_line"]}"')
    assert "2.A2保障机制组 组长:李二" in page and 'href="/static/style.css"' in page
    plain = client.get("/documents/plan-txt-01").text
    assert 'class="line cited"' not in plain and 'id="cited"' not in plain


def test_document_json(client):
    data = client.get("/documents/plan-txt-01", params={"start": 8, "end": 8, "format": "json"}).json()
    assert data["id"] == "plan-txt-01" and data["start"] == 8 and data["end"] == 8
    for params, span in (({"end": 8}, (8, 8)), ({"start": 9, "end": 8}, (8, 9))):  # every span the schema allows
        got = client.get("/documents/plan-txt-01", params={**params, "format": "json"}).json()
        assert (got["start"], got["end"]) == span
    assert [line["start"] for line in data["lines"] if line["marked"]] == [8]
    assert data["lines"][0] == {"start": 1, "end": 1, "page": None, "text": "迎检工作方案", "marked": False}


@pytest.mark.parametrize("path,params,status,words", [
    ("/documents/nope-01", {}, 404, ["no document 'nope-01'", "GET /documents"]),
    ("/documents/plan-txt-01", {"start": 0}, 422, ["start: must be a whole number from 1"]),
    ("/documents/plan-txt-01", {"start": "x"}, 422, ["start: must be a whole number"]),
    ("/documents/plan-txt-01", {"format": "xml"}, 422, ["format: must be one of 'html' or 'json'"]),
])
def test_bad_document_requests(client, path, params, status, words):
    assert_readable(client.get(path, params=params), status, *words)


def test_health(client):
    data = client.get("/health").json()
    assert data["status"] == "ok" and data["documents"] == 2 and data["chunks"] >= 2
    assert data["embedding_model"] == "fake-bigram"


def test_chat_page_and_its_files_load_nothing_from_the_network(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "义务教育均衡发展资料助手" in page.text and 'id="question"' in page.text
    for name in ("app.js", "style.css"):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert not re.search(r"https?://", asset.text), name
    assert not re.search(r"(src|href)=\"https?://", page.text)
    assert client.get("/favicon.ico").headers["content-type"].startswith("image/svg+xml")
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML", client.get("/static/app.js").text)


def test_openapi_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert "cdn" not in page.text and not re.search(r"(src|href)=\"https?://", page.text)
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/ask", "/search", "/draft", "/documents", "/documents/{doc_id}", "/health"} <= set(paths)


def test_unknown_route_and_method(client):
    assert_readable(client.get("/nothing-here"), 404, "no such page: /nothing-here")
    assert_readable(client.delete("/ask"), 405, "DELETE is not allowed on /ask")
    assert_readable(client.get("/ask"), 405, "GET is not allowed on /ask")


# --- failures inside the library ---------------------------------------------------------------

def test_library_errors_become_4xx_and_bugs_a_bare_500(app_env, monkeypatch):
    with TestClient(create_app(app_env), raise_server_exceptions=False) as client:
        def missing(*args, **kwargs):
            raise IndexMissingError("no index under /somewhere; run `assistant index build`")

        monkeypatch.setattr(Assistant, "ask", missing)
        assert_readable(client.post("/ask", json={"question": A2}), 503, "run `assistant index build`")

        def bug(*args, **kwargs):
            raise RuntimeError("secret /internal/path exploded")

        monkeypatch.setattr(Assistant, "search", bug)
        response = client.get("/search", params={"q": "生均"})
        detail = assert_readable(response, 500, "internal error")
        assert "secret" not in response.text and "RuntimeError" not in detail


def test_serve_command_reports_bad_settings_in_one_line(settings, monkeypatch, tmp_path):
    import socket

    from typer.testing import CliRunner

    from assistant.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--port", "0"])
    assert result.exit_code == 1 and result.stderr.strip() == "error: --port must be from 1 to 65535 (got 0)"
    monkeypatch.setenv("ASSISTANT_CORPUS", str(tmp_path / "nowhere"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    result = runner.invoke(app, ["serve", "--port", str(free)])
    assert result.exit_code == 1 and "does not exist" in result.stderr and "Traceback" not in result.output


def test_serve_refuses_a_busy_port_before_loading(settings):
    import socket

    from typer.testing import CliRunner

    from assistant.cli import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "building the index" not in result.stderr
    result = CliRunner().invoke(app, ["serve", "--log-level", "loud"])
    assert result.exit_code == 1 and "--log-level must be one of" in result.stderr


def test_citations_and_results_open_with_their_number(client):
    """The HTTP JSON reads as `ask --json` and `search --json` print it: n first, rank and chunk_id
    first (the shared passage model once put them last)."""
    citation = client.post("/ask", json={"question": A2, "top_k": 1}).json()["citations"][0]
    assert list(citation)[:3] == ["n", "doc_id", "title"]
    result = client.get("/search", params={"q": A2, "top_k": 1}).json()["results"][0]
    assert list(result)[:3] == ["rank", "chunk_id", "doc_id"]
