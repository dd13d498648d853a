"""Questions about laws: article lookup by law and number (exact, any way of writing the law's
name), an article the law does not have, an article number that several laws have, the current
version answering over a superseded one, citations that name the law and the article."""

import pytest

from assistant.building import build_index
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


@pytest.mark.parametrize("question, name", [
    ("What does Article 70 of the Regulations on School Bus Safety provide?", "School Bus Safety"),
    ("How many years of compulsory education does China's Compulsory Education Law provide for?",
     "China's Compulsory Education"),
    ("Under the Law on the Protection of Persons with Disabilities, who pays?", "Protection of Persons with Disabilities"),
    ("When did the Regulations on the Protection of Minors Online take effect?", "Protection of Minors Online"),
    ("How many teachers does the school have?", None),
])
def test_english_law_names_are_found_in_the_question(question, name):
    from assistant.retrieval.lookup import english_law_name

    found = english_law_name(question)
    assert (found[0] if found else None) == name


def test_a_law_named_in_english_is_looked_up_by_article(laws):
    answer = laws.ask("What does Article 3 of the Demonstration Education Law say?")
    first = answer.citations()[0]
    assert answer.found and first["article"] == "第三条" and first["title"] == "中华人民共和国示范教育法"
    missing = laws.ask("What does Article 90 of the Demonstration Education Law say?")
    assert not missing.found and "has no article 90" in missing.text and "示范教育法" in missing.text


def test_a_law_the_documents_do_not_hold_is_said_so(laws):
    answer = laws.ask("《体育法》第二条讲的是什么?")
    assert not answer.found and answer.text.startswith("资料中没有《体育法》")
    held = laws.ask("《示范教育法》第二条讲的是什么?")
    assert held.found and held.citations()[0]["article"] == "第二条"


def test_english_nouns_find_the_words_of_their_verbs():
    from assistant.language.bilingual import build_bilingual

    lines = ["預防 预防 [yu4 fang2] /to prevent/to take precautions against/",
             "促進 促进 [cu4 jin4] /to promote (an idea or cause)/to advance/"]
    table = build_bilingual(["预防", "促进"], lines=lines)
    assert [t for t, _ in table.lookup(["prevention"], 0)[1]] == ["预防"]
    assert [t for t, _ in table.lookup(["promotion"], 0)[1]] == ["促进"]


def _with_short_name_law(tmp_path, fake_embedder, monkeypatch, settings):
    corpus = write_laws(tmp_path / "laws")
    (corpus / "刑法(2023-12-29).md").write_text(
        "# 中华人民共和国刑法\n\n<!-- INFO END -->\n\n## 第一章 刑法的任务\n\n第一条 为了惩罚犯罪，保护人民，制定本法。\n\n"
        "第二条 刑法的任务，是用刑罚同一切犯罪行为作斗争。\n", encoding="utf-8")
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(own, data, warn=lambda m: None)


@pytest.mark.parametrize("question, name", [
    ("保险法第三十九条的内容是什么？", "保险法"),  # written without 《》
    ("请问民法典第一千零八十四条怎么规定", "民法典"),  # words before the name are not the name
    ("《劳动合同法》关于试用期怎么规定", "劳动合同法"),
    ("示范学校法第三条规定了什么?", "示范学校法"),  # not 示范学校安全管理条例, nor a law inside it
])
def test_a_law_the_index_lacks_is_said_to_be_missing(laws, question, name):
    answer = laws.ask(question)
    assert not answer.found and answer.text == f"资料中没有《{name}》。", answer.text


def test_an_english_law_name_the_index_lacks_is_said_to_be_missing(laws):
    answer = laws.ask("What does Article 20 of the Food Safety Law say?")
    assert not answer.found and answer.text == "The documents do not include “Food Safety Law”."
    plain = laws.ask("From what age must children go to school under Chinese rules?")
    assert "do not include" not in plain.text, "a lower-case phrase is no law's name"


def test_a_short_name_and_a_name_inside_a_longer_one(tmp_path, fake_embedder, monkeypatch, settings):
    assistant = _with_short_name_law(tmp_path, fake_embedder, monkeypatch, settings)
    answer = assistant.ask("刑法第二条说了什么")
    assert answer.found and answer.citations()[0]["title"] == "中华人民共和国刑法" and "刑罚" in answer.text
    missing = assistant.ask("国际刑法第二条说了什么")
    assert not missing.found and missing.text == "资料中没有《国际刑法》。"


#: a law with an article longer than a chunk (lead line and ten items) and a 但书 (an exception that
#: turns "不得" around): both must be quoted faithfully (issue 29)
LONG_LAW = "\n\n".join([
    "# 中华人民共和国示范公司法", "## 第一章 总则",
    "第一条 为了规范示范公司的组织和行为，制定本法。",
    "第二条 公司有下列情形之一的，由公司登记机关责令改正，处以罚款；情节严重的，吊销营业执照：",
    *[f"（{n}）第{n}种违法情形，即公司在设立、变更或者注销登记中提交虚假材料或者采取其他欺诈手段隐瞒重要事实，"
      f"情节涉及第{n}类登记事项的；" for n in "一二三四五六七八九十"],
    "第三条 公司不得收购本公司股份。但是，有下列情形之一的除外：",
    *[f"（{n}）第{n}种收购情形，即公司为减少注册资本、与持有本公司股份的其他公司合并或者将股份用于员工持股计划，"
      f"依照章程规定经股东会决议的第{n}类情形；" for n in "一二三四五六七"],
    "第四条 本法自2024年7月1日起施行。"]) + "\n"


@pytest.fixture
def long_law(tmp_path, fake_embedder, monkeypatch, settings):
    corpus = tmp_path / "laws"
    corpus.mkdir()
    (corpus / "示范公司法(2023-12-29).md").write_text(LONG_LAW, encoding="utf-8")
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    return Assistant(own, data, warn=lambda m: None)


def test_an_article_asked_for_by_number_is_quoted_whole_over_its_chunks(long_law):
    """第二条 is over 500 characters and two chunks: before, its lead and most items were left out."""
    chunks = [c for c in long_law.index.chunks if c.article == "第二条"]
    assert len(chunks) >= 2 and sum(len(c.text) for c in chunks) > 500
    answer = long_law.ask("示范公司法第二条是怎么规定的?")
    assert answer.found and answer.citations()[0]["article"] == "第二条"
    assert "由公司登记机关责令改正" in answer.text and answer.text.count("由公司登记机关责令改正") == 1
    for n in "一二三四五六七八九十":
        assert f"（{n}）第{n}种违法情形" in answer.text


def test_an_exception_is_quoted_with_the_rule_it_qualifies(long_law):
    """"公司不得收购本公司股份。" alone says the opposite of the article (over 500 characters, so cut to
    its likely sentences): its 但书 comes with it."""
    assert sum(len(c.text) for c in long_law.index.chunks if c.article == "第三条") > 500
    answer = long_law.ask("公司可以收购本公司的股份吗?")
    assert "公司不得收购本公司股份。" in answer.text
    assert "但是，有下列情形之一的除外" in answer.text


def test_a_quote_marks_what_it_leaves_out():
    from assistant.answer.learned import Unit
    from assistant.answer.selection import _join

    units = [Unit(0, 0, "全县有小学94所；", False), Unit(0, 0, "在校学生31460人；", False),
             Unit(0, 0, "公办在职教职工2860人。", False)]
    assert _join(units, [0, 2]) == "全县有小学94所；……公办在职教职工2860人。"
    assert _join(units, [0, 1, 2]) == "全县有小学94所；在校学生31460人；公办在职教职工2860人。"


@pytest.mark.parametrize("question, source", [
    ("2021年的示范教育法第三条是怎么规定的?", "示范教育法(2020-05-01).md"),
    ("示范教育法第三条是怎么规定的?", "示范教育法(2024-03-01).md"),
    ("2025年示范教育法第三条规定了什么", "示范教育法(2024-03-01).md"),
    ("2010年的示范教育法第三条", "示范教育法(2024-03-01).md"),  # no version that old: the current one
])
def test_a_year_picks_the_version_in_force_then(laws, question, source):
    answer = laws.ask(question)
    first = answer.citations()[0]
    assert answer.found and first["article"] == "第三条" and first["source"] == source, (question, first["source"])
    if source.startswith("示范教育法(2020"):
        assert "旧版本" in answer.text and "2024-03-01" in answer.text  # says which version is current


@pytest.mark.parametrize("question, source", [
    ("2021年版示范教育法第三条的内容", "示范教育法(2020-05-01).md"),
    ("2021年修正的示范教育法第三条", "示范教育法(2020-05-01).md"),
    ("修订后的示范教育法第三条", "示范教育法(2024-03-01).md"),
    ("新版示范教育法第三条", "示范教育法(2024-03-01).md"),
])
def test_a_version_written_before_the_name_is_not_part_of_it(laws, question, source):
    """"2021年版示范教育法" names 示范教育法 (its 2021 version), not a law "版示范教育法" the index lacks:
    before, such questions were answered "资料中没有《版示范教育法》"."""
    answer = laws.ask(question)
    first = answer.citations()[0]
    assert answer.found and first["article"] == "第三条" and first["source"] == source, (question, answer.text[:80])


@pytest.mark.parametrize("question, name", [("民法通则第十二条说了什么?", "民法通则"),
                                            ("《中华人民共和国民法通则》第十二条是怎么规定的?", "中华人民共和国民法通则")])
def test_a_general_principles_law_the_index_lacks_is_said_to_be_missing(laws, question, name):
    """A title ending in 通则 is a law's name: before, "民法通则第十二条" listed every law's 第十二条."""
    answer = laws.ask(question)
    assert not answer.found and f"资料中没有《{name}》" in answer.text


def test_a_trial_regulation_is_named_with_or_without_its_bracket(tmp_path, fake_embedder, monkeypatch, settings):
    """（试行） in full-width brackets: the title variants and the names a question writes lost only ASCII
    brackets, so "…办法（试行）第八条" was answered from another law."""
    corpus = tmp_path / "laws"
    corpus.mkdir()
    (corpus / "示范药品分类管理办法（试行）(1999-06-18).md").write_text(
        "# 示范药品分类管理办法（试行）\n\n第一条 为了保障用药安全，制定本办法。\n\n第二条 药品分为甲、乙两类。\n\n"
        "第三条 本办法自发布之日起施行。\n", encoding="utf-8")
    (corpus / "示范刑法(2020-12-26).md").write_text(
        "# 中华人民共和国示范刑法\n\n第一条 为了惩罚犯罪，制定本法。\n\n第二条 本法的任务是保护人民。\n", encoding="utf-8")
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    school = Assistant(own, data, warn=lambda m: None)
    for question in ("《示范药品分类管理办法（试行）》第二条是怎么规定的?", "示范药品分类管理办法（试行）第二条说了什么?",
                     "示范药品分类管理办法第二条说了什么?"):
        answer = school.ask(question)
        first = answer.citations()[0]
        assert answer.found and first["title"] == "示范药品分类管理办法（试行）" and first["article"] == "第二条", question
        assert "药品分为甲、乙两类" in answer.text


def test_an_english_law_name_in_a_rarer_sense_of_its_word_finds_the_law(tmp_path, fake_embedder, monkeypatch, settings):
    """"Degree Law": degree is 程度 in most texts, but the dictionary's academic degree → 学位 makes it
    学位法, which the index holds; a law it does not hold is still said to be missing."""
    corpus = write_laws(tmp_path / "laws")
    (corpus / "学位法(2024-04-26).md").write_text(
        "# 中华人民共和国学位法\n\n第一章　总则\n第一条 为了规范学位授予工作，制定本法。\n"
        "第二条 国家实行学位制度。学位分为学士、硕士、博士，包括学术学位、专业学位等类型。\n"
        "第三条 本法自2025年1月1日起施行。\n", encoding="utf-8")
    own = settings.with_(corpus_dir=corpus)
    data, _ = build_index(own, warn=lambda m: None, embedder=fake_embedder)
    monkeypatch.setattr("assistant.service.load_embedder", lambda name, warn: fake_embedder)
    laws = Assistant(own, data, warn=lambda m: None)
    answer = laws.ask("What does Article 2 of the Degree Law say?")
    assert answer.found and answer.citations()[0]["article"] == "第二条" and "学术学位、专业学位" in answer.text
    assert laws.ask("What does Article 20 of the Food Safety Law say?").text == \
        "The documents do not include “Food Safety Law”."
