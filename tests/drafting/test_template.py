"""Templates as data: they load, validate, follow documents of the shipped corpus, and resolve
kind names (English or Chinese) and --focus areas."""

import pytest

from assistant.config import SHIPPED_CORPUS
from assistant.documents import KINDS
from assistant.drafting.template import (PLACEHOLDER, load_areas, load_templates, parse_template, resolve_focus,
                                         resolve_kind, select_sections)
from assistant.errors import DraftError
from assistant.ingest import load_corpus

DRAFT_KINDS = ["summary", "plan", "self-inspection", "rectification", "inspection-prep"]


def walk(specs):
    for spec in specs:
        yield spec
        yield from walk(spec.children)


def test_one_template_per_kind_in_order():
    templates = load_templates()
    assert list(templates) == DRAFT_KINDS
    assert {t.name for t in templates.values()} == {"工作总结", "工作方案", "自查报告", "整改方案", "迎检工作方案"}
    assert all(t.kind in KINDS for t in templates.values())


def test_templates_follow_documents_of_the_shipped_corpus():
    titles = {(d.source, d.title) for d in load_corpus(SHIPPED_CORPUS).documents}
    for template in load_templates().values():
        assert len(template.follows) >= 3, template.kind
        for entry in template.follows:
            assert (entry["source"], entry["title"]) in titles, (template.kind, entry)
            assert entry["used_for"].strip()


def test_every_section_is_usable():
    for template in load_templates().values():
        assert "{school}" in template.title
        for spec in walk(template.sections):
            assert spec.points or spec.children, (template.kind, spec.title)
            if spec.examples and not spec.children:
                assert spec.query.strip() and spec.must, (template.kind, spec.title)
        signature = [s for s in template.sections if s.signature]
        assert len(signature) == 1 and signature[0].points == ("{school}", "【日期】")


def test_summary_has_the_expected_shape():
    summary = load_templates()["summary"]
    titles = [s.title for s in summary.sections]
    assert titles == ["开头语", "基本情况", "主要做法及成效", "存在的问题", "下一步打算", "落款"]
    practice = summary.sections[2]
    assert practice.has_areas
    assert [c.title for c in practice.children] == ["办学条件", "师资队伍", "教育质量", "入学机会与关爱弱势群体", "保障机制"]
    basic = " ".join(summary.sections[1].points)
    assert {"学生数", "教职工数", "教学班数"} <= set(PLACEHOLDER.findall(basic))


def test_placeholders_are_named_consistently_across_templates():
    shared = {"学生数", "教职工数", "占地面积", "生均公用经费", "日期"}
    seen = set()
    for template in load_templates().values():
        for spec in walk(template.sections):
            for point in spec.points:
                seen.update(PLACEHOLDER.findall(point))
    assert shared <= seen
    assert not any(name.strip() != name or not name for name in seen)


@pytest.mark.parametrize("name,kind", [
    ("summary", "summary"), ("工作总结", "summary"), ("总结", "summary"), ("Summary", "summary"),
    ("工作方案", "plan"), ("实施方案", "plan"), ("自查报告", "self-inspection"), ("self_inspection", "self-inspection"),
    ("整改方案", "rectification"), ("整改", "rectification"), ("迎检工作方案", "inspection-prep"),
    ("迎检方案", "inspection-prep"), ("inspection prep", "inspection-prep"),
])
def test_kind_aliases(name, kind):
    assert resolve_kind(name).kind == kind


def test_unknown_kind_lists_the_valid_ones_in_one_line():
    with pytest.raises(DraftError) as caught:
        resolve_kind("report")
    message = str(caught.value)
    assert "\n" not in message and "'report'" in message
    for label in ["summary (工作总结)", "plan (工作方案)", "self-inspection (自查报告)", "rectification (整改方案)",
                  "inspection-prep (迎检工作方案)"]:
        assert label in message


def test_focus_names_aliases_codes_and_hints():
    assert resolve_focus(["师资队伍"]) == ["师资队伍"]
    assert resolve_focus(["teachers", "办学条件"]) == ["师资队伍", "办学条件"]
    assert resolve_focus(["师资队伍,校园安全"]) == ["师资队伍", "校园安全"]
    assert resolve_focus(["A1"]) == ["入学机会与关爱弱势群体"]
    assert resolve_focus(["A2"]) == ["办学条件", "保障机制"]
    assert resolve_focus(["师资"]) == ["师资队伍"]  # a unique part of a name
    assert resolve_focus(None) == [] and resolve_focus([" "]) == []
    with pytest.raises(DraftError, match=r"unknown focus area '师资建设' \(did you mean 师资队伍\?\); areas: 办学条件"):
        resolve_focus(["师资建设"])


def test_focus_narrows_and_extends_the_areas():
    summary = load_templates()["summary"]
    selected = select_sections(summary.sections, ["师资队伍", "校园安全"])
    practice = selected[2]
    assert [c.spec.title for c in practice.children] == ["师资队伍", "校园安全"]
    assert all(c.focused for c in practice.children)
    assert practice.children[1].spec.points == load_areas()["校园安全"].points  # from areas.yaml
    unfocused = select_sections(summary.sections, [])
    assert len(unfocused[2].children) == 5 and not any(c.focused for c in unfocused[2].children)


def test_focus_keeps_the_groups_that_stand_for_no_area():
    prep = load_templates()["inspection-prep"]
    organisation = select_sections(prep.sections, ["师资队伍"])[2]
    groups = organisation.children[1].children
    assert [g.spec.title for g in groups] == ["宣传报道组", "A3教师队伍组", "档案材料组"]
    a2 = select_sections(prep.sections, ["办学条件"])[2].children[1].children
    assert [g.spec.title for g in a2] == ["宣传报道组", "A2保障机制组", "档案材料组"]


def good_template():
    return {"kind": "summary", "name": "工作总结", "title": "{school}总结",
            "follows": [{"source": "a.txt", "title": "A", "used_for": "结构"}],
            "sections": [{"title": "基本情况", "points": ["学生【学生数】人"], "must": ["学生"]},
                         {"title": "主要做法", "points": ["分项写"], "areas": ["师资队伍"]}]}


@pytest.mark.parametrize("change,message", [
    (lambda t: t.update(kind="memo"), "kind 'memo' is not one of"),
    (lambda t: t.update(follows=[]), "'follows' must list"),
    (lambda t: t["sections"][0].update(points=["学生【学生数人"]), "unbalanced 【…】"),
    (lambda t: t["sections"][0].update(examples=5), "'examples' must be a whole number from 0 to 3"),
    (lambda t: t["sections"][1].update(areas=["体育"]), "unknown area '体育'"),
    (lambda t: t["sections"][0].update(area="师资队伍"), "'area' is only allowed inside an 'areas' list"),
    (lambda t: t["sections"][0].update(colour="red"), "unknown keys ['colour']"),
    (lambda t: t["sections"][0].pop("title"), "a section needs a 'title'"),
    (lambda t: t["sections"][0].update(table={"columns": ["问题"], "rows": 2}), "a table needs 2 to 8 columns"),
    (lambda t: t["sections"][0].update(table={"columns": ["问题", "措施"], "rows": 0}), "'table.rows' must be from 1"),
    (lambda t: t["sections"][0].update(table={"columns": ["问题", "措施"], "rows": [1, 2]}), "'table.rows' must be a list"),
    (lambda t: t["sections"][0].update(table={"columns": ["问题", "措施"], "width": 3}), "'table' must be a mapping"),
])
def test_template_validation(change, message):
    data = good_template()
    parse_template(data, "x.yaml", load_areas())
    change(data)
    with pytest.raises(DraftError, match="templates/x.yaml") as caught:
        parse_template(data, "x.yaml", load_areas())
    assert message in str(caught.value)


def test_tables_to_fill_in():
    templates = load_templates()
    tables = {kind: [spec.table for spec in walk(t.sections) if spec.table] for kind, t in templates.items()}
    rectification = tables["rectification"][0]
    assert rectification.columns[:5] == ("序号", "存在的问题", "整改措施", "责任人", "完成时限")
    assert rectification.rows()[0] == ["1", "", "", "", "", ""]
    assert "生均图书(册)" in tables["self-inspection"][0].labels
    assert tables["plan"] and tables["inspection-prep"]
