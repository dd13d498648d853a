"""The CLI as a user runs it (in-process), with the real offline embedding model."""

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.real_model
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_build_status_search(settings):
    result = run("index", "build")
    assert result.exit_code == 0, result.output
    assert "indexed 2 documents from 2 files (2 txt)" in result.stdout
    status = run("index", "status", "--json")
    manifest = json.loads(status.stdout)
    assert manifest["documents"] == 2 and manifest["embedding_model"] == "m3e-small"
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
    assert json.loads(result.stdout)["results"][0]["doc_id"] == "summary-01"


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
    assert len(warning) == 1 and "using the offline default m3e-small" in warning[0]


def test_eval_json(settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "x", "lang": "zh", "q": "宣传报道组负责什么?", "keys": ["专题片"],
                                     "also": ["宣传手册"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("eval", str(questions), "--json")
    report = json.loads(result.stdout)
    assert report["n"] == 1 and report["hit@k"] == 1.0 and report["completeness"] == 1.0
    assert {"n", "hit@1", "hit@k", "mrr", "completeness", "questions"} <= set(report)
