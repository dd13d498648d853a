"""Markdown, JSON (the body of POST /draft) and Word output of an outline."""

import json

import pytest
from docx import Document

from assistant.drafting import build_outline, to_json, to_markdown, write_docx


@pytest.fixture
def outline(finder):
    return build_outline(finder, "summary", "青山镇中心小学", facts={"学生数": 650})


def test_markdown_headings_points_and_citations(outline):
    text = to_markdown(outline)
    lines = text.splitlines()
    assert lines[0] == "# 青山镇中心小学义务教育均衡发展工作总结"
    for heading in ["## 一、基本情况", "## 三、存在的问题", "## 四、下一步打算", "### (一)办学条件", "## 落款"]:
        assert heading in lines
    assert "学生650人" in text and "【教职工数】" in text and "已填:学生数=650" in text
    first = outline.examples()[0]
    assert "> [1] " in text and f"—— 《{first['title']}》" in text and f"{first['source']} 第" in text


def test_json_has_the_outline_and_ask_style_citations(outline):
    data = json.loads(to_json(outline))
    assert set(data) == {"kind", "kind_name", "school", "title", "about", "follows", "focus", "filled",
                         "placeholders", "warnings", "sections"}
    assert data["school"] == "青山镇中心小学" and data["filled"] == {"学生数": "650"}
    assert "学生数" not in data["placeholders"] and "教职工数" in data["placeholders"]
    section = data["sections"][1]
    assert set(section) == {"title", "number", "heading", "level", "points", "placeholders", "table", "examples",
                            "sections"}
    assert section["heading"] == "一、基本情况" and section["level"] == 1
    example = section["examples"][0]
    assert set(example) == {"n", "doc_id", "title", "source", "section", "start_line", "end_line", "page", "text",
                            "score"}
    assert data["sections"][2]["sections"][0]["level"] == 2


def test_docx_round_trip_keeps_headings_and_levels(outline, tmp_path):
    path = write_docx(outline, tmp_path / "outline.docx")
    document = Document(str(path))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "青山镇中心小学义务教育均衡发展工作总结")
    assert ("Heading 1", "一、基本情况") in headings and ("Heading 1", "三、存在的问题") in headings
    assert ("Heading 1", "四、下一步打算") in headings and ("Heading 2", "（一）办学条件") in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "学生650人" in body and "【教职工数】" in body and "[1] " in body
    highlighted = [r.text for p in document.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert "【教职工数】" in highlighted
    assert document.core_properties.title == outline.title


def test_tables_in_markdown_json_and_word(finder, tmp_path):
    outline = build_outline(finder, "rectification", "青山镇中心小学")
    text = to_markdown(outline)
    assert "| 序号 | 存在的问题 | 整改措施 | 责任人 | 完成时限 | 所需经费及来源 |" in text.splitlines()
    assert "| 5 |   |   |   |   |   |" in text.splitlines()
    tables = [s["table"] for s in json.loads(to_json(outline))["sections"] if s["table"]]
    assert tables[0]["columns"][1] == "存在的问题" and len(tables[0]["rows"]) == 5
    document = Document(str(write_docx(outline, tmp_path / "plan.docx")))
    grid = document.tables[0]
    assert [cell.text for cell in grid.rows[0].cells][:3] == ["序号", "存在的问题", "整改措施"]
    assert len(grid.rows) == 6 and grid.rows[1].cells[0].text == "1"
