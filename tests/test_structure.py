import pytest

from assistant.documents import Document, Line
from assistant.structure import build_tree, cn_to_int, extract_codes, marker_of, parse_marker, split_hidden_headings


@pytest.mark.parametrize("text, style, number", [
    ("一、指导思想", "cn", 1),
    ("十二、其他", "cn", 12),
    ("(三)信息技术教室装订目录", "paren_cn", 3),
    ("（二）明确职责", "paren_cn", 2),
    ("㈠健全机制", "paren_cn", 1),
    ("3.A2保障机制组", "arabic", 3),
    ("2、完善组织协调机制", "arabic", 2),
    ("3 .师资队伍", "arabic", 3),
    ("2.2012-2014学校绩效工资实施方案;", "arabic", 2),
    ("(1)学生课桌椅", "paren_arabic", 1),
    ("⑵生活上优先照顾", "paren_arabic", 2),
    ("③活动上优先安排", "circled", 3),
    ("二是加强两支队伍建设", "enum", 2),
    ("B6:C9", "indicator", 6),
    ("B:C10学校标准化建设", "indicator", 0),
])
def test_heading_styles(text, style, number):
    marker = parse_marker(text)
    assert (marker.style, marker.number) == (style, number)


@pytest.mark.parametrize("text", ["3.66万元已发放", "2012年10月", "生均公用经费700元", "一是一,二是二" * 0 + "今年是"])
def test_not_headings(text):
    assert parse_marker(text) is None


def test_title_like_versus_sentence_items():
    assert parse_marker("3.A2保障机制组 组长:张宗海").title_like
    assert parse_marker("(二)图书室装订目录").title_like
    assert not parse_marker("2.学校财务管理制度、办法,财务人员工作职责;").title_like
    assert not parse_marker("4.2012-2014班主任名单;(分)").title_like


def test_cn_numbers():
    assert [cn_to_int(t) for t in ["一", "十", "十二", "二十", "二十三"]] == [1, 10, 12, 20, 23]


def test_headings_hidden_in_flattened_line_are_split():
    line = Line("成员:张翼技 责任指标:C7-C15 工作任务和职责: 7.学校迎接省评估验收的资料; B6:C9 1.近年来的文件; 2.学校财务管理制度;", 353, 353)
    parts = [p.text for p in split_hidden_headings(line)]
    assert parts == ["成员:张翼技 责任指标:C7-C15 工作任务和职责:", "7.学校迎接省评估验收的资料;", "B6:C9",
                     "1.近年来的文件;", "2.学校财务管理制度;"]
    assert all(p.start == 353 for p in split_hidden_headings(line))


def test_decimals_and_dates_inside_lines_are_not_split():
    line = Line("累计发放低保金3.66万元。 预计需资金 4。6万元左右,师生比1:19.9", 1, 1)
    assert len(split_hidden_headings(line)) == 1


def test_codes():
    assert extract_codes("责任指标:C7-C9 B6:C9") == ["C7", "C8", "C9", "B6"]
    assert extract_codes("C1—C5. B2:C3- C4") == ["C1", "C2", "C3", "C4", "C5", "B2"]
    assert extract_codes("4.A3教师队伍组 B11:C16-17") == ["C16", "C17", "A3", "B11"]
    assert extract_codes("A4纸 C99") == ["A4"]


# The inspection-preparation plan's groups, flattened the way the PDF extraction left them:
# inside the A2 group a "一、…五、" list and "(二)(三)" sub-lists that must not close the group.
GROUPS = """迎检工作方案
三、工作措施
(一)加强组织领导,明确工作职责
1.宣传报道组 组长:严志远
工作任务和职责:制作迎检专题片。
2.A1入学机会组
成员: 满亚全 责任指标C1—C5. B2:C3- C4 2.2012-2014留守儿童花名册; 3.留守儿童入学情况统计表;
3.A2保障机制组 组长:张宗海
成员:张翼技 责任指标:C7-C15 工作任务和职责: 7.目标责任制度的资料; B6:C9 1.财务管理文件; 2.学校财务管理制度;
B:C10学校标准化建设
一、综合类
1. 标准化建设的文件;
二、校舍档案校舍档案、基建档案。
五、实验室资料装订目录:
1、实验计划、实验总结;
(二)图书室装订目录
1、分类账和明细账
(三)信息技术教室装订目录 1.计算机网络教室使用记录。
2.多媒体教室使用记录。 4.A3教师队伍组
组 长:严志远
工作任务和职责: B11:C16-17
1.上级下发的有关绩效工资方面的文件;
4.2012-2014班主任名单;(分)
5.A4质量与管理组
组 长:张 婷
(二)建立校长、组长责任制
实行校长负责制。
四、工作要求
(一)统一思想、提高认识。
"""


def _doc(text):
    return Document("d", "t", "plan", "x.txt", [Line(t, i, i) for i, t in enumerate(text.strip().splitlines(), 1)])


def _find(root, heading):
    return next(n for n in root.walk() if n.heading.startswith(heading))


def test_a2_group_keeps_its_nested_lists_and_stops_at_a3():
    root = build_tree(_doc(GROUPS))
    a2 = _find(root, "3.A2保障机制组")
    text = a2.full_text()
    assert "图书室装订目录" in text and "计算机网络教室使用记录" in text and "多媒体教室使用记录" in text
    assert "A3教师队伍组" not in text and "绩效工资" not in text
    a3 = _find(root, "4.A3教师队伍组")
    assert a3.parent is a2.parent
    assert "班主任名单" in a3.full_text()
    assert _find(root, "5.A4质量与管理组").parent is a2.parent
    assert _find(root, "(二)建立校长、组长责任制").parent is _find(root, "三、工作措施")
    assert _find(root, "四、工作要求").parent is root


def test_section_path_and_levels():
    root = build_tree(_doc(GROUPS))
    a2 = _find(root, "3.A2保障机制组")
    assert a2.path == ["三、工作措施", "(一)加强组织领导,明确工作职责", "3.A2保障机制组"]
    assert a2.depth == 3
    library = _find(root, "(二)图书室装订目录")
    assert library.path[:3] == a2.path and library.path[-1] == "(二)图书室装订目录"


def test_source_heading_levels_open_sections_without_numbering():
    # a Word file: "学校基本情况" and "存在的问题" in Heading 1, "办学条件" in Heading 2, 公文 numbering typed
    texts = [("德胜小学自查报告", None), ("学校基本情况", 1), ("我校现有学生486人。", None), ("办学条件", 2),
             ("一、校舍建设", None), ("1.新建教学楼一栋。", None), ("二、装备配置", None), ("生均图书35册。", None),
             ("存在的问题", 1), ("音乐教师缺编。", None)]
    document = Document("d", "t", "self-inspection", "a.docx",
                        [Line(t, i, i, None, level) for i, (t, level) in enumerate(texts, start=1)])
    root = build_tree(document)
    paths = [node.path for node in root.walk() if node.marker]
    assert paths == [["学校基本情况"], ["学校基本情况", "办学条件"], ["学校基本情况", "办学条件", "一、校舍建设"],
                     ["学校基本情况", "办学条件", "一、校舍建设", "1.新建教学楼一栋"], ["学校基本情况", "办学条件", "二、装备配置"],
                     ["存在的问题"]]


def test_numbered_word_heading_keeps_its_numbering_and_level():
    marker = marker_of(Line("一、提高认识,切实把推进义务教育均衡发展工作摆到重要位置。", 1, 1, None, 1))
    assert (marker.style, marker.number, marker.level, marker.title_like) == ("cn", 1, 1, True)
    assert marker_of(Line("指导思想", 1, 1, None, 2)).style == "heading2"
    assert marker_of(Line("指导思想", 1, 1)) is None


# --- regulations: 编/章/节/条, 款 and 项 (tests/lawtexts.py) ---


@pytest.mark.parametrize("text, style, number, label", [
    ("第一编 总则", "part", 1, "第一编"),
    ("第一章 总  则", "chapter", 1, "第一章"),
    ("第四章督导结果运用", "chapter", 4, "第四章"),
    ("第二节 管理", "section", 2, "第二节"),
    ("第十一条 凡年满六周岁的儿童", "article", 11, "第十一条"),
    ("第一百零二条 本法自公布之日起施行。", "article", 102, "第一百零二条"),
    ("第二百六十条 附则", "article", 260, "第二百六十条"),
    ("第十条之一 国家鼓励", "article", 10, "第十条之一"),
    ("附 则", "supplementary", 0, "附则"),
    ("附件1：学校安全检查表", "annex", 1, "附件1"),
    ("附录", "annex", 0, "附录"),
])
def test_regulation_heading_styles(text, style, number, label):
    marker = parse_marker(text)
    assert (marker.style, marker.number, marker.label) == (style, number, label)
    assert marker.structural and marker.title_like


@pytest.mark.parametrize("text", ["第一节课我们学习了很多内容，收获很大。", "附件中所列的材料应当真实。", "第十二条、第十三条规定的"])
def test_not_regulation_headings(text):
    marker = parse_marker(text)
    assert marker is None or not marker.structural


def test_tree_of_chapters_sections_articles(law):
    root = build_tree(law)
    paths = [n.path for n in root.walk() if n.marker]
    assert ["第一章 总则", "第一条"] in paths
    assert ["第二章 学校", "第一节 设立", "第三条"] in paths
    assert ["第二章 学校", "第二节 管理", "第六条"] in paths
    assert ["保障与监督", "第七条"] in paths, "an unnumbered chapter title before an article is a heading"
    assert ["第三章 附则", "第八条"] in paths
    assert max(len(p) for p in paths) <= 3
    assert not any(p[-1].startswith("（") for p in paths if p[0] != "附件"), "items are lines of their article"
    assert ["附件", "一、学校名称规范"] in paths, "an annex keeps its own 公文 headings"
    article4 = next(n for n in root.walk() if n.article == "第四条")
    assert "第三条规定的条件" in article4.full_text(), "an unspaced 第三条 that does not continue the numbering is a paragraph"


def test_hidden_article_in_a_flattened_line_is_split():
    lines = ["示范条例", "第一条 为了规范管理，制定本条例。 第二条 本条例适用于全省。", "第三条 本条例自公布之日起施行。"]
    root = build_tree(Document("d", "示范条例", "regulation", "x.txt", [Line(t, i, i) for i, t in enumerate(lines, 1)]))
    articles = [n for n in root.walk() if n.article]
    assert [(n.article, n.blocks[0].start, n.full_text()) for n in articles] == [
        ("第一条", 2, "第一条 为了规范管理，制定本条例。"), ("第二条", 2, "第二条 本条例适用于全省。"),
        ("第三条", 3, "第三条 本条例自公布之日起施行。")]


def test_a_section_too_long_to_quote_is_given_as_its_outline():
    """三、工作措施 of a plan runs to thousands of characters; cut after its first 2,400 a list question
    ("工作措施有哪些?") saw one of its seven groups. Its outline names them all: the lead lines of the
    section and of its parts, and the heading line of each part two levels down (not their items)."""
    from assistant.retrieval.assembly import gather

    text = """迎检工作方案
二、工作措施
根据标准组织自查,理清不达标项目。
(一)成立领导小组
领导小组下设3个工作组,具体分工如下:
1.宣传报道组 组长:王一
工作任务和职责:制作迎检专题片;审定宣传手册。
2.A2保障机制组 组长:李二
(1)学校财务管理制度;
(2)2011-2014教职工工资花名册;
3.A3教师队伍组 组长:赵三
工作任务和职责:绩效工资实施方案;教师交流统计表。
(二)建立责任制
实行校长负责制,各组组长对照标准找差距。
三、时间安排
五月底前完成。"""
    root = build_tree(_doc(text))
    section = next(n for n in root.walk() if n.heading.startswith("二、工作措施"))
    whole, cut, outline = gather(section, 2400)
    assert not cut and not outline and len(whole) == 13  # 二、 to the line before 三、
    lines, cut, outline = gather(section, 120)
    got = [line.text for line in lines]
    assert cut and outline
    assert got == ["二、工作措施", "根据标准组织自查,理清不达标项目。", "(一)成立领导小组", "领导小组下设3个工作组,具体分工如下:",
                   "1.宣传报道组 组长:王一", "2.A2保障机制组 组长:李二", "3.A3教师队伍组 组长:赵三", "(二)建立责任制"]
