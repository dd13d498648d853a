import pytest

from assistant.documents import Line
from assistant.ingest.cleaning import (DROP_RULES, INLINE_RULES, TRUNCATE_RULES, clean_lines, remove_running_lines,
                                       repair_pdf_damage)


def lines(*texts):
    return [Line(t, i, i) for i, t in enumerate(texts, start=1)]


@pytest.mark.parametrize("rule", DROP_RULES, ids=lambda r: r.name)
def test_each_drop_rule_removes_its_real_example(rule):
    assert rule.pattern.search(rule.example)
    kept = clean_lines(lines("学校工作总结", rule.example, "一、基本情况"))
    assert [l.text for l in kept] == ["学校工作总结", "一、基本情况"]


@pytest.mark.parametrize("rule", TRUNCATE_RULES, ids=lambda r: r.name)
def test_each_truncate_rule_drops_the_rest_of_the_file(rule):
    kept = clean_lines(lines("正文第一段。", rule.example, "均衡发展工作总结03-24", "学校义务教育均衡发展方案04-18"))
    assert [l.text for l in kept] == ["正文第一段。"]


@pytest.mark.parametrize("rule", INLINE_RULES, ids=lambda r: r.name)
def test_each_inline_rule_fixes_its_real_example(rule):
    fixed = rule.pattern.sub(rule.replacement, rule.example)
    assert fixed != rule.example and "'" not in fixed and "." not in fixed


def test_spaced_out_label_is_closed_up_and_names_keep_their_spacing():
    kept = clean_lines(lines("5.A4质量与管理组", "组 长:张 婷", "成员: 杨秋花 刘 伟 王叶美", "副组长:李 静"))
    assert [line.text for line in kept] == ["5.A4质量与管理组", "组长:张 婷", "成员: 杨秋花 刘 伟 王叶美", "副组长:李 静"]


def test_rules_do_not_touch_ordinary_content():
    text = ["一、加强组织领导", "学校现有43个班,学生2300人,教职工170人。", "1.2012-2014学校绩效工资实施方案;", "琚湾二中", "2012年2月"]
    assert [l.text for l in clean_lines(lines(*text))] == text


def test_byline_after_post_time_is_dropped():
    kept = clean_lines(lines("义务教育均衡发展总结(精简4篇)", "时间:2013-06-01 04:12:14", "染雾", "分享", "义务教育均衡发展总结 篇一"))
    assert [l.text for l in kept] == ["义务教育均衡发展总结(精简4篇)", "义务教育均衡发展总结 篇一"]


def test_page_number_glued_into_sentence_is_removed_and_sentence_joined():
    # seed 001: "…全镇学生能就近入学。 在2012年" / "2 10月份,新生入学班额…"
    fixed = repair_pdf_damage([Line("学校安装有", 153, 153), Line("1 监控摄像头,对进出校门进行监控。", 155, 155),
                               Line("1.实现学校布局基本合理。 在2012年", 175, 175), Line("2 10月份,新生入学班额力争控制将在45人以下。", 177, 177)])
    assert [l.text for l in fixed] == ["学校安装有监控摄像头,对进出校门进行监控。",
                                       "1.实现学校布局基本合理。 在2012年10月份,新生入学班额力争控制将在45人以下。"]
    assert (fixed[1].start, fixed[1].end) == (175, 177)


def test_page_number_before_a_heading_is_removed_without_joining():
    fixed = repair_pdf_damage([Line("1 首页内容。", 1, 1), Line("2.装备条件", 2, 2), Line("2 (1)学生课桌椅。", 3, 3)])
    assert [l.text for l in fixed] == ["首页内容。", "2.装备条件", "(1)学生课桌椅。"]


def test_title_broken_over_lines_is_joined():
    fixed = repair_pdf_damage([Line("新庄乡德胜小学2013-2014年义务教育均衡发", 537, 537), Line("展工作实施方案", 539, 539)])
    assert [l.text for l in fixed] == ["新庄乡德胜小学2013-2014年义务教育均衡发展工作实施方案"]


def test_line_ending_in_comma_runs_on():
    fixed = repair_pdf_damage([Line("其基本内容:学生的基本情况、家长姓名、联系电话,", 99, 99), Line("家长务工单位详细地址。", 101, 101)])
    assert len(fixed) == 1 and fixed[0].text.endswith("联系电话,家长务工单位详细地址。")


def test_heading_and_short_lines_are_not_joined():
    texts = ["一、指导思想", "根据上级有关文件精神。", "学校义务教育均衡发展工作方案", "琚湾二中"]
    assert [l.text for l in repair_pdf_damage(lines(*texts))] == texts


def paged(*pages):
    """Lines of a paged file: one list of texts per page, numbered through the file."""
    out, n = [], 0
    for page, texts in enumerate(pages, start=1):
        for text in texts:
            n += 1
            out.append(Line(text, n, n, page))
    return out


def test_running_header_and_footer_repeated_on_most_pages_are_removed():
    lines = paged(["新庄乡中心学校文件", "一、指导思想", "为迎接督导评估,特制定本方案。", "第 1 页 共 3 页"],
                  ["新庄乡中心学校文件", "二、组织机构", "成立领导小组。", "第 2 页 共 3 页"],
                  ["新庄乡中心学校文件", "三、时间安排", "三月开始整改。", "第 3 页 共 3 页"])
    kept = remove_running_lines(lines)
    assert [l.text for l in kept] == ["一、指导思想", "为迎接督导评估,特制定本方案。", "二、组织机构", "成立领导小组。",
                                      "三、时间安排", "三月开始整改。"]


def test_page_labels_at_page_edges_are_removed_but_not_body_text():
    lines = paged(["一、指导思想", "为迎接督导评估,特制定本方案。", "- 1 -"], ["2", "二、组织机构", "成立领导小组,共12人。"])
    assert [l.text for l in remove_running_lines(lines)] == ["一、指导思想", "为迎接督导评估,特制定本方案。", "二、组织机构",
                                                             "成立领导小组,共12人。"]


def test_lines_without_pages_are_left_to_the_other_rules():
    texts = ["学校工作总结", "第 1 页", "学校工作总结", "1"]
    assert [l.text for l in remove_running_lines(lines(*texts))] == texts


def test_full_lines_of_a_paged_file_run_on_into_the_next():
    # a paragraph wrapped every 20 characters by the layout, cut between two words ("我乡各|校")
    texts = ["一、指导思想", "为迎接县政府义务教育均衡发展督导评估", "全面提升我乡各校办学水平,按照统一部署", "特制定本方案。",
             "二、组织机构", "成立领导小组,校长任组长。", "三、时间安排", "三月开始集中整改。"]
    fixed = repair_pdf_damage([Line(t, i, i, 1) for i, t in enumerate(texts, start=1)])
    assert [l.text for l in fixed][:2] == ["一、指导思想", "为迎接县政府义务教育均衡发展督导评估全面提升我乡各校办学水平,按照统一部署特制定本方案。"]
    assert (fixed[1].start, fixed[1].end, fixed[1].page) == (2, 4, 1)
    assert [l.text for l in fixed][2:] == texts[4:]


def test_page_numbers_glued_to_lines_are_only_guessed_without_pages():
    # in a PDF the page is known and page labels are lines of their own: "1 号楼" is content
    fixed = repair_pdf_damage([Line("一、校舍建设", 1, 1, 1), Line("1 号楼一栋。", 2, 2, 1)])
    assert [l.text for l in fixed] == ["一、校舍建设", "1 号楼一栋。"]


def test_word_paragraphs_are_not_joined():
    texts = ["学校义务教育均衡发展自查报告", "学校基本情况学校基本情况学校基本情况,", "我校现有学生486人。"]
    assert [l.text for l in clean_lines(lines(*texts), repair_breaks=False)] == texts


def test_number_glued_across_a_line_break_is_not_a_list_item():
    # seed 001, 曹集学校: "…师生比小学1:19.9" / "6、初中1:13.1,…" (no item 5 before it)
    first = "在十项关键指标中,曹集学校学生生均公用经费700元,生均图书12.5册,平均班额小学46.58人、初中41.14人,师生比小学1:19.9"
    fixed = repair_pdf_damage([Line(first, 593, 593), Line("6、初中1:13.1,教师学历达标率100%。", 595, 595)])
    assert [l.text for l in fixed] == [first + "6、初中1:13.1,教师学历达标率100%。"]
    items = ["评估验收后,我校目前还存在如下问题和不足之处,需要在下一步工作中认真加以整改落实", "1、建筑档案不规范。",
             "2、学科专用教室不足。"]
    assert [l.text for l in repair_pdf_damage(lines(*items))] == items, "a real list stays a list"


def test_full_stop_put_inside_a_word_is_removed():
    # seed 004, 遥墙: "…农民技能培训492人次,农民实。" / "用技术培训1776人次,…"
    fixed = repair_pdf_damage([Line("一年来,遥墙成教中心完成农民技能培训492人次,农民实。", 85, 85),
                               Line("用技术培训1776人次,工会系统下岗职工技能培训512人次。", 87, 87)])
    assert [l.text for l in fixed] == ["一年来,遥墙成教中心完成农民技能培训492人次,农民实用技术培训1776人次,工会系统下岗职工技能培训512人次。"]
    kept = ["学校的各项工作取得了显著成效。", "下一步我们将继续努力。"]
    assert [l.text for l in repair_pdf_damage(lines(*kept))] == kept


def test_a_paragraph_beside_a_table_is_joined_over_its_wrapped_lines():
    """A PDF page's full line is measured on its text lines, not on its table's records (a record
    "指标：… | 小学县自评：0.483 | …" is far longer than any line of the page): before, the paragraph
    above the table stayed broken into its physical lines ("…进行了复核。经" / "核查，小学…")."""
    lines = [Line("（一）资源配置。评估组对县级上报数据进行了复核。经", 1, 1, page=1),
             Line("核查，小学生均体育运动场馆面积差异系数为0.527，高于", 2, 2, page=1),
             Line("0.50的标准值，其余指标差异系数均达到标准。县自评与市级", 3, 3, page=1),
             Line("核查数据对比见表1。", 4, 4, page=1)]
    lines += [Line(f"指标：第{n}项指标的名称写在这里 | 小学县自评：0.{n}83 | 小学市核查：0.{n}27 | 初中县自评：0.{n}16 | "
                   f"初中市核查：0.{n}33", 5 + n, 5 + n, page=1) for n in range(1, 8)]
    lines += [Line("差异产生的主要原因：县级自评时将白沙县实验小学租用的县体育中", 20, 20, page=1),
              Line("心场地面积计入了学校运动场馆面积，评估组认为该场地不能满足", 21, 21, page=1),
              Line("学校日常教学使用，不予认定。", 22, 22, page=1)]
    fixed = repair_pdf_damage(lines)
    assert fixed[-1].text == "差异产生的主要原因：县级自评时将白沙县实验小学租用的县体育中心场地面积计入了学校运动场馆面积，评估组认为该场地不能满足学校日常教学使用，不予认定。"
    assert fixed[0].text == ("（一）资源配置。评估组对县级上报数据进行了复核。经核查，小学生均体育运动场馆面积差异系数为0.527，高于"
                             "0.50的标准值，其余指标差异系数均达到标准。县自评与市级核查数据对比见表1。")
    assert (fixed[0].start, fixed[0].end) == (1, 4)
    assert [line.text for line in fixed[1:-1]] == [line.text for line in lines[4:11]]  # the records stay apart
