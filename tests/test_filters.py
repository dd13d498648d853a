"""Answers scoped to the documents a user means (issue 26, filters): by kind, date, body and title,
given as parameters (CLI, JSON) or said in the question ("只看整改方案", "2023年以后的总结", "in the
self-inspection reports"); a filter no document matches says so."""

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.server.app import create_app
from assistant.cli import app as cli_app
from assistant.building import build_index
from assistant.retrieval.filters import Filters, said_in
from assistant.service import Assistant


@pytest.mark.parametrize("question, kinds, since, until", [
    ("只看整改方案,运动场的问题怎么整改?", {"rectification"}, None, None),
    ("只查自评报告的生均图书", {"self-inspection"}, None, None),
    ("2023年以后的总结里提到了哪些成绩?", {"summary"}, "2023", None),
    ("2020年以前的工作方案有哪些?", {"plan", "rectification", "inspection-prep"}, None, "2019"),
    ("只看报告", {"report", "self-inspection", "rectification"}, None, None),  # a self-inspection report is a report
    ("What do the self-inspection reports say? Look in the self-inspection reports", {"self-inspection"}, None, None),
    ("Which summaries since 2023 mention libraries?", {"summary"}, "2023", None),
    ("2023年以来学校投入多少资金?", set(), None, None),  # a year about the content, not the documents
    ("What is in the report?", set(), None, None),
])
def test_filters_said_in_the_question(question, kinds, since, until):
    said = said_in(question)
    assert (set(said.kinds), said.since, said.until) == (kinds, since, until)


def test_dates_and_kinds_match_as_iso_prefixes():
    since = Filters.given(["summary"], since="2023")
    assert since.matches({"kind": "summary", "date": "2023-05"}) and since.matches({"kind": "summary", "date": "2024-01-02"})
    assert not since.matches({"kind": "summary", "date": "2022-12-31"}) and not since.matches({"kind": "summary"})
    assert not since.matches({"kind": "plan", "date": "2024"})
    assert Filters.given(until="2023").matches({"date": "2023-12-31"})
    with pytest.raises(ValueError, match="kind: poem is not a kind"):
        Filters.given(["poem"])
    with pytest.raises(ValueError, match="since: '23' is not a date"):
        Filters.given(since="23")


@pytest.fixture
def school(settings, fake_embedder, monkeypatch):
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(settings, data, warn=lambda m: None)


def test_a_scoped_question_cites_only_matching_documents(school):
    kinds = {d["source"]: d["kind"] for d in school.index.documents}
    assert kinds == {"plan.txt": "inspection-prep", "summary.txt": "summary"}
    open_answer = school.ask("有哪些工作?")
    assert {c["source"] for c in open_answer.citations()} == {"plan.txt", "summary.txt"}
    for answer in (school.ask("有哪些工作?", filters=Filters.given(["summary"])), school.ask("只看工作总结,有哪些工作?")):
        assert answer.citations() and {c["source"] for c in answer.citations()} == {"summary.txt"}
    search = school.search("工作", 5, Filters.given(["inspection-prep"]))
    assert {r["source"] for r in search["results"]} == {"plan.txt"} and search["filters"] == "kind inspection-prep"
    none = school.ask("有哪些工作?", filters=Filters.given(["law"]))
    assert not none.found and "没有符合筛选条件(类型 law)的文档" in none.text and not none.citations()
    english = school.ask("What work was done?", filters=Filters.given(title="不存在的标题"))
    assert not english.found and "No document matches the filters (title containing 不存在的标题)" in english.text
    empty = school.search("工作", 5, Filters.given(["law"]))
    assert empty["results"] == [] and "no document matches the filters" in empty["note"]


def test_filters_over_http_and_the_command_line(settings, fake_embedder, monkeypatch):
    build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    with TestClient(create_app(settings)) as client:
        scoped = client.post("/ask", json={"question": "有哪些工作?", "filters": {"kind": ["summary"]}}).json()
        assert {c["source"] for c in scoped["citations"]} == {"summary.txt"}
        none = client.post("/ask", json={"question": "有哪些工作?", "filters": {"kind": ["law"]}})
        assert none.status_code == 200 and not none.json()["found"] and "没有符合筛选条件" in none.json()["answer"]
        bad = client.post("/ask", json={"question": "有哪些工作?", "filters": {"kind": ["poem"]}})
        assert bad.status_code == 422 and "filters.kind" in bad.json()["detail"]
        found = client.get("/search", params={"q": "工作", "kind": "inspection-prep,rectification"}).json()
        assert {r["source"] for r in found["results"]} == {"plan.txt"}
        chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "有哪些工作?"}],
                                                         "filters": {"kind": ["summary"]}}).json()
        assert {c["source"] for c in chat["citations"]} == {"summary.txt"}
        streamed = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "有哪些工作?"}],
                                                             "stream": True, "filters": {"kind": ["law"]}})
        assert "没有符合筛选条件" in streamed.text
        wrong = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "有哪些工作?"}],
                                                          "filters": {"kind": ["poem"]}})
        assert wrong.status_code == 400 and wrong.json()["error"]["param"].startswith("filters.kind")
    runner = CliRunner()
    result = runner.invoke(cli_app, ["ask", "有哪些工作?", "--kind", "summary", "--json"])
    assert result.exit_code == 0, result.output
    assert "summary.txt" in result.stdout and "plan.txt" not in result.stdout
    wrong = runner.invoke(cli_app, ["ask", "有哪些工作?", "--since", "20x"])
    assert wrong.exit_code == 1 and "--since: '20x' is not a date" in wrong.stderr
