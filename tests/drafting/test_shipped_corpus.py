"""Outlines of every kind over the shipped corpus (fake embedder: BM25 and structure decide, as
they mostly do with the real model). The expectations come from reading the outlines."""

import pytest

from assistant.config import SHIPPED_CORPUS, load_settings
from assistant.drafting import ExampleFinder, build_outline
from assistant.building import build_index
from assistant.retrieval.search import Searcher

KINDS = ["summary", "plan", "self-inspection", "rectification", "inspection-prep"]


_BUILT: dict = {}


@pytest.fixture
def outlines(fake_embedder, tmp_path_factory):
    """Built once for the module (the fake embedder is a function fixture, hence the cache)."""
    if not _BUILT:
        settings = load_settings(corpus_dir=SHIPPED_CORPUS, home=tmp_path_factory.mktemp("home"))
        data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
        finder = ExampleFinder(Searcher(data, fake_embedder))
        _BUILT.update({kind: build_outline(finder, kind, "青山镇中心小学") for kind in KINDS})
    return _BUILT


def by_title(outline):
    return {section.title: section for section in outline.walk()}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_cited_examples_never_repeated(outlines, kind):
    outline = outlines[kind]
    examples = outline.examples()
    assert len(examples) >= 10
    spans = [(e["doc_id"], e["start_line"], e["end_line"]) for e in examples]
    assert len(set(spans)) == len(spans)
    leaves = [s for s in outline.walk() if not s.sections and not s.signature]
    assert sum(1 for s in leaves if s.examples) >= len(leaves) - 1, "nearly every section is illustrated"
    for example in examples:
        assert not any(word in example["text"] for word in ("小编", "相关文章", "我要投稿", "WORD下载"))
        assert example["doc_id"] != "school-balanced-development-summaries-8-04", "a 未成年人保护 report is off-topic"


def test_problem_and_next_step_examples_come_from_such_sections(outlines):
    summary = by_title(outlines["summary"])
    problems = summary["存在的问题"].examples
    assert len(problems) == 2 and all("问题" in e["section"] for e in problems)
    assert any("达不到生均34平方米" in e["text"] for e in problems)
    steps = summary["下一步打算"].examples
    assert steps and all(any(w in e["section"] for w in ("今后", "下一步", "整改打算")) for e in steps)
    assert all("四、存在的主要问题" not in e["text"] for e in steps)


def test_rectification_follows_caoji(outlines):
    sections = by_title(outlines["rectification"])
    problems = sections["存在的问题"].examples
    assert problems[0]["title"] == "曹集学校义务教育均衡发展工作整改方案" and problems[0]["section"] == "二、存在问题"
    overview = " ".join(e["text"] for e in sections["评估检查总体情况"].examples)
    assert "生均公用经费700元" in overview
    facilities = [e["section"] for e in sections["办学条件"].examples]
    assert "三、下步整改打算" in facilities


def test_inspection_groups_cite_their_groups(outlines):
    sections = by_title(outlines["inspection-prep"])
    for title, group in [("A1入学机会组", "2.A1入学机会组"), ("A2保障机制组", "3.A2保障机制组"),
                         ("A3教师队伍组", "4.A3教师队伍组"), ("档案材料组", "7.档案材料工作组")]:
        assert sections[title].examples[0]["section"].endswith(group), title
    a2 = sections["A2保障机制组"].examples[0]["text"]
    assert "教职工工资花名册" in a2 and "4.A3教师队伍组" not in a2
