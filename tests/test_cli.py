"""The CLI as a user runs it (in-process), with the real offline embedding model."""

import json

import pytest
from realworld import BROKEN_FILES, HTML_NAVIGATION, make_realworld_corpus
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.real_model
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_build_status_search(settings):
    result = run("index", "build")
    assert result.exit_code == 0, result.output
    assert "indexed 2 documents from 2 files into" in result.stdout
    assert "documents by format: 2 txt (from 2 files)" in result.stdout and "skipped files: 0" in result.stdout
    status = run("index", "status", "--json")
    manifest = json.loads(status.stdout)
    assert manifest["documents"] == 2 and manifest["embedding_model"] == "multilingual-e5-small"
    found = run("search", "A2保障机制组要准备哪些材料?", "--top-k", "2", "--json")
    data = json.loads(found.stdout)
    assert data["query"] == "A2保障机制组要准备哪些材料?"
    assert len(data["results"]) == 2 and "工资花名册" in data["results"][0]["text"]
    assert data["results"][0]["page"] is None
    human = run("search", "宣传报道组")
    assert human.exit_code == 0 and "plan.txt:" in human.stdout


def test_search_builds_index_on_first_use(settings):
    result = run("search", "生均图书", "--json")
    assert result.exit_code == 0
    assert "building the index" in result.stderr
    # not a terminal: a line per stage and per tenth of it, not a bar nobody sees (issue 28)
    assert "reading files: 2/2 (100%)" in result.stderr
    assert json.loads(result.stdout)["results"][0]["doc_id"] == "summary-txt-01"


def test_bad_input_is_one_line_error(settings, monkeypatch, tmp_path):
    result = run("search", "生均图书", "--top-k", "0")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: top_k must be") and len(result.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("ASSISTANT_CORPUS", str(tmp_path / "nowhere"))
    result = run("index", "build")
    assert result.exit_code == 1 and "does not exist" in result.stderr and "Traceback" not in result.output
    empty = run("index", "status")
    assert empty.exit_code == 1 and "run `assistant index build`" in empty.stderr


def test_unloadable_model_falls_back_in_one_line(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    result = run("index", "build")
    assert result.exit_code == 0
    warning = [l for l in result.stderr.splitlines() if "cannot be loaded" in l]
    assert len(warning) == 1 and "using the offline default multilingual-e5-small" in warning[0]


def test_eval_json(settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x", "lang": "zh", "q": "宣传报道组负责什么?", "keys": ["专题片"],
                                     "also": ["宣传手册"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("eval", str(questions), "--json")
    report = json.loads(result.stdout)
    assert report["n"] == 1 and report["hit@k"] == 1.0 and report["completeness"] == 1.0
    assert {"n", "hit@1", "hit@k", "mrr", "completeness", "questions"} <= set(report)


def test_realworld_folder(settings, monkeypatch, tmp_path):
    """Word, PDF, GBK text and HTML files are indexed and cited; each broken file is named once in
    the summary and listed by `index status`; the build exits 0."""
    corpus = make_realworld_corpus(tmp_path / "realworld")
    result = run("index", "build", "--corpus", str(corpus))
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "indexed 4 documents from 4 files into" in result.stdout
    assert "documents by format: 1 docx (from 1 file), 1 html (from 1 file), 1 pdf (from 1 file), 1 txt (from 1 file)" in result.stdout
    summary = result.stdout.split("skipped files: 7\n", 1)[1].splitlines()
    assert sorted(line.strip().split(":")[0] for line in summary) == sorted(BROKEN_FILES)
    status = run("index", "status")
    assert "skipped files: 7" in status.stdout and "locked.pdf: encrypted PDF" in status.stdout
    for query, source in [("自查报告 生均公用经费", "self-inspection.docx"), ("留守儿童 结对教师", "left-behind-children.txt"),
                          ("塑胶跑道", "caoji-summary.html"), ("迎检工作领导小组", "inspection-plan.pdf")]:
        found = json.loads(run("search", query, "--json", "--top-k", "1").stdout)["results"][0]
        assert found["source"] == source, query
    pdf = json.loads(run("search", "5月迎接县级复查", "--json", "--top-k", "4").stdout)["results"]
    assert {r["page"] for r in pdf if r["source"] == "inspection-plan.pdf"} <= {1, 2}
    assert any(r["page"] == 2 for r in pdf if r["source"] == "inspection-plan.pdf")
    human = run("search", "5月迎接县级复查", "--top-k", "4")
    assert "inspection-plan.pdf:" in human.stdout and ", p.2" in human.stdout
    for nav in HTML_NAVIGATION:
        assert all(nav not in r["text"] for r in json.loads(run("search", nav, "--json").stdout)["results"])
