"""`assistant draft` as a user runs it (in-process), with the real offline embedding model."""

import json

import pytest
from docx import Document
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.real_model
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_done_when_json_docx_and_facts(drafting_settings, tmp_path, monkeypatch):
    result = run("draft", "--kind", "summary", "--school", "青山镇中心小学", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["school"] == "青山镇中心小学" and "青山镇中心小学" in data["title"]
    titles = [s["title"] for s in data["sections"]]
    assert {"基本情况", "存在的问题", "下一步打算"} <= set(titles)
    assert "学生数" in data["placeholders"] and "【学生数】" in json.dumps(data, ensure_ascii=False)

    def examples(sections):
        return [e for s in sections for e in s["examples"] + examples(s["sections"])]

    cited = examples(data["sections"])
    assert len(cited) >= 3 and all(e["source"].endswith(".txt") and e["text"] for e in cited)

    monkeypatch.chdir(tmp_path)
    result = run("draft", "--kind", "工作总结", "--school", "青山镇中心小学", "--format", "docx")
    assert result.exit_code == 0, result.output
    path = tmp_path / "青山镇中心小学-工作总结提纲.docx"
    assert path.exists() and "wrote 青山镇中心小学-工作总结提纲.docx" in result.stderr
    headings = {(p.style.name, p.text) for p in Document(str(path)).paragraphs}
    assert ("Heading 1", "一、基本情况") in headings and ("Heading 2", "（一）办学条件") in headings

    facts = tmp_path / "facts.yaml"
    facts.write_text("学生数: 650\n教职工数: 54\n", encoding="utf-8")
    result = run("draft", "--kind", "summary", "--school", "青山镇中心小学", "--facts", str(facts), "-o", "out.json")
    assert result.exit_code == 0 and result.stdout == ""
    filled = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert filled["filled"] == {"学生数": "650", "教职工数": "54"}
    assert set(data["placeholders"]) - set(filled["placeholders"]) == {"学生数", "教职工数"}


def test_draft_errors_are_one_line(drafting_settings, tmp_path):
    result = run("draft", "--kind", "memo", "--school", "青山镇中心小学")
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "valid kinds: summary (工作总结), plan (工作方案)" in result.stderr and "迎检工作方案" in result.stderr
    result = run("draft", "--kind", "plan", "--school", "x", "--facts", str(tmp_path / "none.json"))
    assert result.exit_code == 1 and f"facts file {tmp_path / 'none.json'} does not exist" in result.stderr
    result = run("draft", "--kind", "plan", "--school", "x", "--focus", "体育")
    assert result.exit_code == 1 and "unknown focus area '体育'" in result.stderr
    result = run("draft", "--kind", "plan", "--school", "x", "--format", "pdf")
    assert result.exit_code == 1 and "use md, docx or json" in result.stderr
    assert "Traceback" not in result.output


def test_markdown_to_stdout_and_fact_warning(drafting_settings, tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"学生数": 650, "学生人数": 650}', encoding="utf-8")
    result = run("draft", "--kind", "整改方案", "--school", "东山学校", "--facts", str(facts), "--focus", "办学条件")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# 东山学校义务教育均衡发展工作整改方案")
    assert "### (一)办学条件" in result.stdout and "### (二)" not in result.stdout
    warning = [line for line in result.stderr.splitlines() if "match no placeholder" in line]
    assert len(warning) == 1 and "学生人数 (did you mean 学生数?)" in warning[0] and str(facts) in warning[0]
