"""Issue 25: a question that ranks or compares the rows of a table ("哪个片区…最低", "which … the largest") is
answered with the table's rows, not with the one row the answer model found likeliest: the lowest is read
against the others."""

import docx

from assistant.building import build_index
from assistant.retrieval.intent import intent_of
from assistant.service import Assistant

ROWS = [("城区片", "1,186", "18.0%"), ("东部片", "598", "13.7%"), ("西部片", "527", "13.9%"), ("北部片", "405", "15.6%")]


def test_ranking_and_comparing_questions_are_recognised_in_both_languages():
    for text in ("哪个片区交流比例最低?", "哪所学校的班额更大?", "Which indicator has the largest coefficient?",
                 "Which district ranks first?"):
        assert intent_of(text).ranks, text
    for text in ("城区片的交流比例是多少?", "How many more teachers are needed?", "What is the teacher ratio?"):
        assert not intent_of(text).ranks, text


def test_a_question_for_the_lowest_row_gets_the_table(tmp_path, settings, fake_embedder, monkeypatch):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    document = docx.Document()
    document.add_paragraph("桐山县教师交流轮岗工作方案")
    document.add_paragraph("一、交流比例和名额")
    document.add_paragraph("各片区符合交流条件的教师和交流比例见下表。")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("片区", "符合交流条件教师数（人）", "交流比例")):
        cell.text = text
    for row in ROWS:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    document.add_paragraph("二、工作要求")
    document.add_paragraph("各学校要按时完成交流人员的推荐和公示工作。")
    document.save(corpus / "方案.docx")
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    assistant = Assistant(own, data, warn=lambda m: None)
    answer = assistant.ask("哪个片区的交流比例最低?")
    assert answer.found
    assert all(share in answer.text for _, _, share in ROWS), answer.text
