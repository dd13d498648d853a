from assistant.documents import Line
from assistant.ingest.cleaning import clean_lines
from assistant.ingest.loaders import load_file


def test_headings_lose_their_marks_and_keep_their_level(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("# 某校工作方案\n\n## 一、指导思想\n\n为推进均衡发展。\n\n### 1.组织 ###\n#\n", encoding="utf-8")
    loaded = load_file(path)
    assert loaded.format == "md" and loaded.header == []
    assert [(l.text, l.start, l.heading) for l in loaded.lines] == [
        ("某校工作方案", 1, 1), ("一、指导思想", 3, 2), ("为推进均衡发展。", 5, None), ("1.组织", 7, 3)]


def test_header_block_and_comments_are_kept_out_of_the_body(tmp_path):
    path = tmp_path / "law.md"
    path.write_text("# 示范法\n\n2000年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 总则。<!-- 注 -->\n"
                    "<!-- 多行\n注释 -->\n第二条 施行。\n", encoding="utf-8")
    loaded = load_file(path)
    assert [l.text for l in loaded.header] == ["2000年1月1日 通过"] and loaded.header[0].start == 3
    assert [(l.text, l.start) for l in loaded.lines] == [("示范法", 1), ("第一条 总则。", 7), ("第二条 施行。", 10)]


def test_front_matter_is_header(tmp_path):
    path = tmp_path / "doc.md"
    path.write_text("---\ntitle: 示范\ndate: 2020-01-01\n---\n# 示范\n正文。\n", encoding="utf-8")
    loaded = load_file(path)
    assert [l.text for l in loaded.header] == ["title: 示范", "date: 2020-01-01"]
    assert [l.text for l in loaded.lines] == ["示范", "正文。"]


def test_invisible_characters_are_dropped(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("标题\n\u200b\n第一段\u200b。\n", encoding="utf-8")
    assert [l.text for l in load_file(path).lines] == ["标题", "第一段。"]


def test_a_marked_heading_is_never_joined_to_its_neighbours():
    lines = [Line("中华人民共和国示范法", 1, 1, heading=1), Line("总体要求和基本原则的规定", 2, 2, heading=2),
             Line("国家实行示范教育制度", 3, 3)]
    assert [l.text for l in clean_lines(lines)] == [l.text for l in lines]


def test_a_paragraph_joined_over_a_page_break_keeps_its_last_page():
    lines = [Line("学校应当建立健全安全管理制度,", 1, 1, page=1), Line("并定期开展安全检查。", 2, 2, page=2)]
    [joined] = clean_lines(lines)
    assert (joined.text, joined.page, joined.page_end, joined.end) == ("学校应当建立健全安全管理制度,并定期开展安全检查。", 1, 2, 2)
