"""The checks on a model's answer (assistant/answer/checks.py): which figures a sentence states,
where they must occur, and how markers are read, without a server."""

from assistant.answer.checks import Checker, check, figures, markers, tidy_markers

PASSAGES = ["《曹集学校整改方案》 一、概述\n学校现有学生1,250人,教职工54人。师生比小学1:19.96。生均公用经费700元,入学率100%。"
            "每天在校不超过七小时。投入资金120万元。",
            "《示范教育法》 第十一条\n第十一条 凡年满六周岁的儿童,应当入学。2014年起施行。"]


def shown(sentence):
    return [f.shown for f in figures(sentence)]


def test_what_counts_as_a_figure():
    assert shown("1. 学校有650人[1];A2保障机制组负责C7-C15指标") == ["650"]
    assert shown("师生比为1:19.96,入学率100%,经费1,200元") == ["1:19.96", "100%", "1200"]
    assert shown("依据第十一条,每天不超过七小时,三个优先") == ["第十一条", "七"]
    assert shown("The 2nd group, Article 11, 5 percent") == ["Article 11", "5 percent"]


def test_figures_must_occur_in_the_cited_passage():
    ok = ("学校有学生1250人[1]。师生比1:19.96[1]。每天不超过7小时[1]。投入120万元[1]。资金1200000元[1]。"
          "入学率100%[1]。依据第11条,年满六周岁入学[2]。2014年起施行[2]。")
    result = check(ok, PASSAGES)
    assert result.dropped == [] and result.kept == 8 and result.cited == [1, 2]
    bad = "师生比1:19.9[1]。入学率10%[1]。学生1250人[2]。第十二条规定入学[2]。经费700元[3]。"
    result = check(bad, PASSAGES)
    assert [d.reason for d in result.dropped] == [
        "states 1:19.9, which [1] does not contain", "states 10%, which [1] does not contain",
        "states 1250, which [2] does not contain", "states 第十二条, which [2] does not contain",
        "cites [3], but only 2 passages were sent"]
    assert result.text == "" and not result.usable


def test_a_sentence_without_a_marker_takes_the_next_one_of_its_paragraph():
    result = check("学校有学生1250人。教职工54人[1]。\n经费700元。\n总体情况良好。", PASSAGES)
    assert result.text == "学校有学生1250人。教职工54人[1]。\n总体情况良好。"
    assert [d.reason for d in result.dropped] == ["states 700 without citing a passage"] and result.usable


def test_markers_in_their_usual_forms():
    assert markers("见[1, 2]和【3】以及[^4]") == [1, 2, 3, 4]
    assert tidy_markers("见[1, 2]和【3】") == "见[1][2]和[3]"


def test_a_streamed_answer_gives_the_same_text_piece_by_piece():
    text = "学校有学生1250人[1]。经费800元[1]。\n\n- 师生比1:19.96 [1]\n- The rate is 100% [1]. Done."
    checker = Checker(PASSAGES)
    pieces = [checker.feed(text[i:i + 2]) for i in range(0, len(text), 2)] + [checker.close()]
    assert "".join(pieces).strip() == check(text, PASSAGES).text == checker.result().text
    assert "800" not in "".join(pieces) and len([p for p in pieces if p]) >= 4
