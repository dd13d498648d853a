"""A citation gives the page of the lines it quotes: in a two-page PDF whose section runs over the
page break, the sentence on page 2 is cited as page 2, one on page 1 as page 1 (a chunk over the
break carries both pages: tests/ingest/test_pdf_loader.py)."""

from assistant.building import build_index
from assistant.service import Assistant
from realworld import make_pdf, wrap


def test_the_sentence_on_page_two_is_cited_as_page_two(tmp_path, settings, fake_embedder, monkeypatch):
    corpus = tmp_path / "pdfs"
    corpus.mkdir()
    page1 = ["青山镇中心小学工作总结", "一、基本情况",
             *wrap("我校位于青山镇中心，现有教学班十二个，学生四百八十六人，教职工三十八人，校园环境优美。"),
             *wrap("学校建有标准化运动场一个，实验室两间，音乐美术专用教室各一间。")]
    page2 = [*wrap("学校图书室现有藏书一万二千册，生均图书二十五册，每周向学生开放五天。"),
             "二、存在的问题", *wrap("音乐专职教师缺编两人，运动场地面积不足。")]
    make_pdf(corpus / "summary.pdf", [page1, page2])
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    assistant = Assistant(own, data, warn=lambda m: None)
    answer = assistant.ask("图书室有多少册藏书?")
    first = answer.citations()[0]
    assert "一万二千册" in answer.text
    assert first["page"] == 2 and first["page_end"] is None, (answer.pages, answer.text, [(l.text[:10], l.page) for l in answer.passages[0].lines])
    staff = assistant.ask("青山镇中心小学有多少教职工?")
    assert "三十八人" in staff.text and staff.citations()[0]["page"] == 1
