"""The constants that order passages (RankingConfig) and choose what is quoted (AnswerConfig) are passed
in: an Assistant given its own keeps them, and a new build served in its place keeps them too."""

from dataclasses import replace

from assistant.answer.config import AnswerConfig
from assistant.building import build_index
from assistant.retrieval.ranking import RankingConfig
from assistant.service import Assistant


def _assistant(settings, fake_embedder, monkeypatch, **configs):
    data, _ = build_index(settings, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(settings, data, warn=lambda m: None, **configs)


def test_the_configs_given_are_the_ones_used_and_kept_over_a_new_build(settings, fake_embedder, monkeypatch):
    ranking, answering = replace(RankingConfig(), names_weight=0.0), AnswerConfig(section_limit=60)
    assistant = _assistant(settings, fake_embedder, monkeypatch, ranking=ranking, answering=answering)
    assert assistant.searcher.config is ranking and assistant.answering is answering
    served = assistant.over(settings, assistant.index)
    assert served.searcher.config is ranking and served.answering is answering
    plain = _assistant(settings, fake_embedder, monkeypatch)
    assert plain.searcher.config == RankingConfig() and plain.answering == AnswerConfig()


def test_a_ranking_question_quotes_its_table_up_to_the_configured_size(settings, fake_embedder, monkeypatch):
    """table_rows reaches selection: with room for one row only, only the rows the unit model picks itself
    (at most top_units) are quoted, not the rest of the table."""
    rows = "\n".join(f"片区：第{n}片区 | 交流比例：{10 + n}% | 教师数：{100 + n}" for n in range(1, 7))
    (settings.corpus_dir / "exchange.md").write_text(f"# 教师交流情况\n\n## 各片区交流比例\n\n{rows}\n",
                                                      encoding="utf-8")
    question = "哪个片区教师交流比例最低?"
    whole = _assistant(settings, fake_embedder, monkeypatch)
    whole.answer_model = replace(whole.answer_model, found_at=0.0)
    narrow = whole.over(settings, whole.index)
    narrow.answering, narrow.answer_model = AnswerConfig(table_rows=40), whole.answer_model
    wide_text, narrow_text = whole.ask(question).text, narrow.ask(question).text
    wide_rows = sum(f"第{n}片区" in wide_text for n in range(1, 7))
    narrow_rows = sum(f"第{n}片区" in narrow_text for n in range(1, 7))
    assert wide_rows == 6 and narrow_rows <= AnswerConfig().top_units
