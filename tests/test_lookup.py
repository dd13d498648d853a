"""Questions about laws: article lookup by law and number (exact, any way of writing the law's
name), an article the law does not have, an article number that several laws have, the current
version answering over a superseded one, citations that name the law and the article."""

import pytest

from assistant.index.build import build_index
from assistant.service import Assistant
from lawtexts import write_laws


@pytest.fixture
def laws(tmp_path, fake_embedder, monkeypatch, settings):
    corpus = write_laws(tmp_path / "laws")
    monkeypatch.setenv("ASSISTANT_CORPUS", str(corpus))
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(own, data, warn=lambda m: None)


@pytest.mark.parametrize("question", ["示范教育法第三条规定了什么?", "《中华人民共和国示范教育法》第三条说了什么",
                                      "示范教育法第3条", "中华人民共和国示范教育法第三条的内容"])
def test_article_lookup_quotes_the_whole_article_of_the_current_version(laws, question):
    answer = laws.ask(question)
    first = answer.citations()[0]
    assert answer.found and first["article"] == "第三条" and first["section"].endswith("第一节 设立 › 第三条")
    assert first["source"] == "示范教育法(2024-03-01).md", "the current version answers"
    assert first["title"] == "中华人民共和国示范教育法"
    for item in ("设立学校应当具备下列条件", "有组织机构和章程", "有合格的教师", "有必需的办学资金"):
        assert item in answer.text
    assert "《中华人民共和国示范教育法》第三条" in answer.text and "第四条" not in answer.text


def test_an_article_the_law_does_not_have_is_said_so(laws):
    answer = laws.ask("示范教育法第九十条是怎么规定的?")
    assert not answer.found and "没有第九十条" in answer.text and "第八条" in answer.text


def test_an_article_number_several_laws_have_names_them_all(laws):
    answer = laws.ask("第二条规定了什么?")
    assert answer.found and "示范教育法" in answer.text and "示范学校安全管理条例" in answer.text
    assert {c["article"] for c in answer.citations()} == {"第二条"}
    follow = laws.ask("第二条呢?", history=["示范学校安全管理条例第一条规定了什么?"])
    assert "示范学校安全管理条例" in follow.resolved_question
    assert follow.citations()[0]["title"].startswith("示范学校安全管理条例") and "自公布之日起施行" in follow.text


def test_a_rule_asked_in_plain_words_cites_law_and_article(laws):
    answer = laws.ask("学校能不能向学生收取跟入学挂钩的费用?")
    assert answer.citations()[0]["article"] == "第六条" and "不得" in answer.text
    assert "第六条" in answer.text, "the quote says which article it is"
    search = laws.search("学校收取与入学关联的费用", 3)["results"]
    assert search[0]["article"] == "第六条" and search[0]["source"] == "示范教育法(2024-03-01).md"
