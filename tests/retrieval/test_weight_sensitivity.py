"""Every constant of RankingConfig changes what comes first somewhere, and the orders are pinned: the
top five of a set of questions (tests/data/*.jsonl over the shipped corpus, a few law questions over
tests/lawtexts.py) under the default config are kept in tests/data/ranking_orders.json, so a weight moved
by a factor of two (or any change to the ranking) fails `test_the_orders_are_the_recorded_ones`, and
`test_each_constant_changes_some_order` shows that this holds for every constant (a constant that moves
no order in either direction is either dead or not exercised by the questions: both are defects).

After a deliberate change to the ranking, measure it (scripts/tune_ranking.py, the quality sets), then
record the new orders: ASSISTANT_RECORD_ORDERS=1 pytest -n0 tests/retrieval/test_weight_sensitivity.py"""

from __future__ import annotations

import json
import os
from dataclasses import fields, replace
from pathlib import Path

import pytest

from assistant.building import build_index
from assistant.config import SHIPPED_CORPUS, load_settings
from assistant.retrieval.ranking import RankingConfig
from assistant.retrieval.search import Searcher
from fakes import FakeEmbedder
from lawtexts import write_laws

DATA = Path(__file__).resolve().parents[1] / "data"
RECORD = DATA / "ranking_orders.json"
SETS = ("heldout", "helper_set", "helper_set2", "paraphrase", "english", "calibration_seeds", "absent")
LAW_QUESTIONS = ["示范教育法第五条是怎么规定的?", "示范教育法第六条", "中华人民共和国示范教育法第三条规定了哪些条件?",
                 "设立学校要具备什么条件?", "学校能收取与入学关联的费用吗?", "2020年的示范教育法第七条怎么说?",
                 "示范学校安全管理条例是为了什么制定的?", "本法什么时候施行?", "Article 4 of the model education law",
                 "教育经费纳入财政预算是哪一条规定的?", "第六条是怎么规定收费的?", "第五条要求建立哪些管理制度?",
                 "示范教育法对学校管理制度有什么要求?", "示范教育法关于收取费用是怎么规定的?",
                 "2020年版示范教育法第六条的内容", "示范教育法第八条和学校的教学、安全、财务、教师管理制度有什么关系?",
                 "第八条和学校的教学、安全、财务、教师管理制度有什么关系?", "第七条和学校收取入学费用有什么关系?"]
TOP = 5
#: A notice that retells the law's articles in its own words: what the law, article and lookup bonuses
#: must keep below the articles themselves.
NOTICE = """# 关于学习贯彻示范教育法的通知

各学校：

为贯彻《中华人民共和国示范教育法》，现就有关事项通知如下：

一、学习示范教育法第五条关于管理制度的规定，各校要建立健全教学管理制度、安全管理制度、财务管理制度和教师管理制度，并向社会公开。

二、落实示范教育法第六条，学校不得以任何名义向学生收取与入学关联的费用，违反规定的要责令退还所收费用。

三、对照第三条规定的设立学校的条件，检查校舍、教师和办学资金。

四、示范教育经费纳入财政预算；示范教育法自2021年1月1日起施行。
"""


def _searcher(tmp_path_factory, corpus: Path) -> Searcher:
    mp = pytest.MonkeyPatch()
    mp.setenv("ASSISTANT_HOME", str(tmp_path_factory.mktemp("home")))
    mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    try:
        data, _ = build_index(load_settings(corpus_dir=corpus), warn=lambda m: None, embedder=FakeEmbedder())
    finally:
        mp.undo()
    return Searcher(data, FakeEmbedder())


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    questions = [json.loads(line)["q"] for name in SETS
                 for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    laws = write_laws(tmp_path_factory.mktemp("laws"))
    (laws / "学习贯彻示范教育法的通知.md").write_text(NOTICE, encoding="utf-8")
    return [(_searcher(tmp_path_factory, laws), LAW_QUESTIONS),  # first: the law constants move these
            (_searcher(tmp_path_factory, SHIPPED_CORPUS), questions)]


def each_order(cases, config: RankingConfig):
    for searcher, questions in cases:
        searcher.config = config
        for text in questions:
            ranking = searcher.rank(searcher.understand(text))
            yield [hit.chunk.id for hit in ranking.hits(TOP)]


def orders(cases, config: RankingConfig) -> list[list[str]]:
    return list(each_order(cases, config))


@pytest.fixture(scope="module")
def base(cases):
    return orders(cases, RankingConfig())


def test_the_orders_are_the_recorded_ones(base):
    found = base
    if os.environ.get("ASSISTANT_RECORD_ORDERS") == "1":
        RECORD.write_text(json.dumps(found, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    changed = [i for i, (a, b) in enumerate(zip(found, recorded)) if a != b]
    assert len(found) == len(recorded) and not changed, (
        f"the top {TOP} of {len(changed)} of {len(found)} questions changed (first: #{changed[:5]}); if the "
        "change is meant, measure it and record the orders (this file's docstring says how)")


def _moved(value):
    return (value * 2, value // 2) if isinstance(value, int) else (value * 2, value / 2)


def test_the_article_looked_up_outweighs_any_other_passage():
    """lookup_weight only has to dominate: the article asked for by law and number (which also has the
    law's and the article's bonus) comes before a passage with every other piece of evidence at its
    most (first by BM25 and by meaning, all the question's words, codes, names, years, kind, unit and
    focus) and no lookup. Halved, it no longer does; doubled it changes nothing, by design."""
    config = RankingConfig()
    first_in_both = 1.0 + config.dense_weight  # votes of rank 1 in both rankings
    other = (first_in_both + config.coverage_weight + config.law_weight + config.names_weight + config.code_weight
             + config.window_weight + config.kind_weight + config.year_weight + config.focus_weight + config.unit_weight)
    assert config.lookup_weight + config.law_weight + config.article_weight > other


#: Constants that only have to dominate, each with the test that halving it fails.
DOMINANT = {"lookup_weight": test_the_article_looked_up_outweighs_any_other_passage}


@pytest.mark.parametrize("name", [f.name for f in fields(RankingConfig) if f.name not in DOMINANT])
def test_each_constant_changes_some_order(cases, base, name):
    """Doubled or halved, the constant moves the top five of some question (checked until one moves);
    both directions are tried (lookup_weight only has to dominate: see the test above)."""
    default = RankingConfig()
    moved = [value for value in _moved(getattr(default, name))
             if any(order != before for order, before in zip(each_order(cases, replace(default, **{name: value})), base))]
    assert moved, f"RankingConfig.{name} doubled or halved (default {getattr(default, name)}) moves no order"
