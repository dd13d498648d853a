"""Outlines: sections for one school, placeholders filled from facts (exactly those), and cited
examples that fit their sections, none used twice."""

import pytest

from assistant.drafting import build_outline
from assistant.drafting.examples import bigrams, containment
from assistant.errors import DraftError

CITATION_KEYS = {"n", "doc_id", "title", "source", "section", "start_line", "end_line", "page", "text", "score"}


def test_summary_outline_for_a_school(finder):
    outline = build_outline(finder, "工作总结", "青山镇中心小学")
    assert outline.kind == "summary" and outline.kind_name == "工作总结"
    assert outline.title == "青山镇中心小学义务教育均衡发展工作总结"
    headings = [s.heading for s in outline.sections]
    assert headings == ["开头语", "一、基本情况", "二、主要做法及成效", "三、存在的问题", "四、下一步打算", "落款"]
    areas = [s.heading for s in outline.sections[2].sections]
    assert areas == ["(一)办学条件", "(二)师资队伍", "(三)教育质量", "(四)入学机会与关爱弱势群体", "(五)保障机制"]
    assert outline.sections[-1].points == ["青山镇中心小学", "【日期】"]
    assert {"学生数", "教职工数", "日期"} <= set(outline.placeholders())


def test_examples_are_cited_numbered_and_never_repeated(finder):
    outline = build_outline(finder, "summary", "青山镇中心小学")
    examples = outline.examples()
    assert len(examples) >= 3
    assert [e["n"] for e in examples] == list(range(1, len(examples) + 1))
    for example in examples:
        assert set(example) == CITATION_KEYS
        assert example["source"] in {"summary.txt", "rectification.txt", "inspection.txt"}
        assert example["start_line"] <= example["end_line"] and example["page"] is None
        assert example["text"].strip() and example["title"]
    spans = [(e["doc_id"], e["start_line"], e["end_line"]) for e in examples]
    assert len(spans) == len(set(spans))
    for i, a in enumerate(examples):
        for b in examples[i + 1:]:
            assert containment(bigrams(a["text"]), bigrams(b["text"])) <= 0.6


def test_examples_fit_their_sections(finder):
    outline = build_outline(finder, "summary", "青山镇中心小学")
    by_title = {s.title: s for s in outline.walk()}
    problems = by_title["存在的问题"].examples
    assert problems and all(any(w in e["text"] for w in ("不足", "问题", "不达标")) for e in problems)
    assert problems[0]["section"] == "三、存在的问题" and problems[0]["text"].startswith("三、存在的问题")
    assert "下一步打算" not in problems[0]["text"], "the part ends before the next section"
    basics = by_title["基本情况"].examples
    assert basics[0]["doc_id"] == "summary-txt-01" and "学生480人" in basics[0]["text"]
    facilities = by_title["办学条件"].examples
    assert facilities and "改造校舍" in facilities[0]["text"]
    assert by_title["落款"].examples == []


def test_facts_fill_exactly_their_placeholders(finder):
    before = build_outline(finder, "summary", "青山镇中心小学").placeholders()
    outline = build_outline(finder, "summary", "青山镇中心小学", facts={"学生数": 650, "教职工数": 54})
    after = outline.placeholders()
    assert after == [name for name in before if name not in ("学生数", "教职工数")]
    points = "\n".join(p for s in outline.walk() for p in s.points)
    assert "学生650人,教职工54人" in points and "【学生数】" not in points and "【教职工数】" not in points
    assert outline.filled == {"学生数": "650", "教职工数": "54"} and outline.warnings == []
    examples = "".join(e["text"] for e in outline.examples())
    assert "650" not in examples, "examples are quoted as written, never filled"


def test_unknown_facts_get_one_warning_line(finder):
    outline = build_outline(finder, "summary", "青山镇中心小学", facts={"学生数": 650, "学生总数": 3, "校训": "勤学"})
    assert len(outline.warnings) == 1
    warning = outline.warnings[0]
    assert "\n" not in warning and "学生总数 (did you mean 学生数?)" in warning and "校训" in warning
    assert outline.filled == {"学生数": "650"}


def test_focus_gives_three_examples_where_the_corpus_has_them(finder):
    outline = build_outline(finder, "summary", "青山镇中心小学", focus=["师资"])
    practice = outline.sections[2]
    assert [s.heading for s in practice.sections] == ["(一)师资队伍"]
    assert outline.focus == ["师资队伍"]
    assert 1 <= len(practice.sections[0].examples) <= 3


def test_inspection_prep_nests_three_levels(finder):
    outline = build_outline(finder, "迎检方案", "青山镇中心小学")
    organisation = outline.sections[2]
    assert organisation.heading == "三、组织机构和分工"
    groups = organisation.sections[1]
    assert groups.heading == "(二)工作组及职责" and groups.level == 2
    assert [g.heading for g in groups.sections][:3] == ["1.宣传报道组", "2.A1入学机会组", "3.A2保障机制组"]
    assert all(g.level == 3 for g in groups.sections)
    a1 = groups.sections[1]
    assert a1.examples and a1.examples[0]["section"].endswith("1.A1入学机会组")


@pytest.mark.parametrize("school", ["", "   ", "学" * 61, "青山\n小学", "【学校】"])
def test_bad_school_names(finder, school):
    with pytest.raises(DraftError, match="school name"):
        build_outline(finder, "summary", school)


def test_outline_without_an_index_has_no_examples():
    outline = build_outline(None, "rectification", "东山学校")
    assert outline.examples() == [] and outline.title == "东山学校义务教育均衡发展工作整改方案"
