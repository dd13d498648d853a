"""Facts for drafting as the user typed them: YAML read as text (no base-60 1:14.8 → 74.8, no dates or
numbers re-written), a unit typed with the figure not doubled by the template (720元, not 720元元),
and nesting bounded, so a hostile paste is a one-line 422, not a 500 (RecursionError)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.server.app import create_app
from assistant.config import load_settings
from assistant.drafting import parse_facts_text, read_facts, to_markdown
from assistant.drafting.facts import MAX_FACTS_DEPTH, fill
from assistant.drafting.outline import build_outline
from assistant.errors import DraftError
from assistant.building import build_index
from fakes import FakeEmbedder
from tinycorpus import write_tiny

FACTS_YAML = "师生比: 1:14.8\n生均公用经费: 720元\n教师学历达标率: 95.13%\n日期: 2023-09-01\n生均图书: 12.50\n"
AS_TYPED = {"师生比": "1:14.8", "生均公用经费": "720元", "教师学历达标率": "95.13%", "日期": "2023-09-01",
            "生均图书": "12.50"}
#: How the rectification outline shows them (templates/rectification.yaml).
IN_TEXT = ["生均公用经费720元,", "师生比1:14.8,", "教师学历达标率95.13%,", "2023-09-01", "生均图书12.50册"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("draft-facts")
    corpus = write_tiny(root / "corpus")
    embedder = FakeEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_ALLOW_UPLOAD", "ASSISTANT_API_KEY"):
            mp.delenv(name, raising=False)
        settings = load_settings(corpus_dir=corpus, home=root / "home").with_(chunk_chars=120)
        build_index(settings, warn=lambda m: None, embedder=embedder)
        mp.setattr("assistant.service.load_embedder", lambda name, warn: embedder)
        yield create_app(settings)


def test_yaml_facts_are_read_as_typed(tmp_path):
    assert parse_facts_text(FACTS_YAML) == AS_TYPED
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS_YAML, encoding="utf-8")
    assert read_facts(path) == AS_TYPED
    # the other implicit types of YAML 1.1 stay text too
    assert parse_facts_text("a: 0o17\nb: 1_000\nc: 12:30:00\nd: 0x1F\ne: 1e3\nf: yes") == \
        {"a": "0o17", "b": "1_000", "c": "12:30:00", "d": "0x1F", "e": "1e3", "f": "yes"}


def test_drafted_text_keeps_the_figures_as_typed():
    outline = build_outline(None, "rectification", "东山学校", facts=parse_facts_text(FACTS_YAML))
    text = to_markdown(outline)
    for figure in IN_TEXT:
        assert figure in text
    assert "720元元" not in text and "74.8" not in text


def test_a_unit_typed_with_the_figure_is_not_doubled():
    text = "生均公用经费【经费】元,面积【面积】平方米,投入【投入】万元,共【人数】人,师生比【比】"
    filled = fill(text, {"经费": "720元", "面积": "12.5平方米", "投入": "3.5万元", "人数": "一千二百人", "比": "1:14.8"})
    assert filled == "生均公用经费720元,面积12.5平方米,投入3.5万元,共一千二百人,师生比1:14.8"
    assert fill(text, {"经费": "720"}).startswith("生均公用经费720元,")  # a bare figure gets the template's unit
    assert fill("负责人【人】人员", {"人": "张三"}) == "负责人张三人员"  # not a figure: nothing is dropped


def test_the_drafting_page_keeps_the_figures_as_typed(app):
    with TestClient(app) as client:
        response = client.post("/draft", json={"kind": "rectification", "school": "青山镇中心小学",
                                               "facts_text": FACTS_YAML, "format": "md"})
        assert response.status_code == 200
        for figure in IN_TEXT:
            assert figure in response.text
        data = client.post("/draft", json={"kind": "rectification", "school": "青山镇中心小学",
                                           "facts_text": FACTS_YAML}).json()
        assert {k: data["filled"][k] for k in AS_TYPED} == AS_TYPED


@pytest.mark.parametrize("facts_text", [
    "学生数: " + "[" * 500 + "650" + "]" * 500,                       # YAML flow sequences
    '{"学生数": ' + '{"a": ' * 500 + "650" + "}" * 500 + "}",           # JSON pasted (read as YAML)
    "".join(" " * i + f"k{i}:\n" for i in range(400)) + " " * 400 + "x",  # block mappings by indentation
    "- " * 500 + "650",                                                # block sequences
])
def test_deeply_nested_facts_text_is_a_one_line_422(app, facts_text):
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/draft", json={"kind": "summary", "school": "青山镇中心小学", "facts_text": facts_text})
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail
        assert detail.startswith("facts_text is nested more than") and f"{MAX_FACTS_DEPTH} levels" in detail


def test_deep_json_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(DraftError, match="nested more than") as caught:
        read_facts(path)
    assert str(path) in str(caught.value)


def test_nesting_within_the_bound_still_reads_and_is_refused_as_not_a_figure():
    nested = "a: " + "[" * (MAX_FACTS_DEPTH - 1) + "1" + "]" * (MAX_FACTS_DEPTH - 1)
    with pytest.raises(DraftError, match="must be a number or text"):
        parse_facts_text(nested)
    with pytest.raises(DraftError, match="nested more than"):
        parse_facts_text("a: " + "[" * MAX_FACTS_DEPTH + "1" + "]" * MAX_FACTS_DEPTH)
