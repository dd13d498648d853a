from assistant.documents import Line
from assistant.ingest.splitting import find_organisation, kind_of, split_documents


def lines(text):
    return [Line(t, i, i) for i, t in enumerate(text.strip().splitlines(), start=1)]


def test_piece_markers_split_a_compilation():
    text = """义务教育均衡工作方案
第一篇:义务教育均衡工作方案
学校义务教育均衡发展工作方案
琚湾二中
为促进我校义务教育均衡发展,全面提高义务教育质量,制定本方案。
琚湾二中
2012年2月
琚湾二中留守儿童工作计划
一、指导思想
根据上级有关大力开展关爱农村留守儿童的文件精神,结合我校留守儿童成长状况,特制定本计划。
第二篇:曹集学校义务教育均衡发展工作整改方案
2016年6月,山东省义务教育督导评估组对我校的均衡发展工作进行了评估验收。"""
    docs = split_documents(lines(text), "plans.txt", "plans")
    assert [(d.id, d.title, d.kind, d.organisation) for d in docs] == [
        ("plans-01", "学校义务教育均衡发展工作方案(琚湾二中)", "plan", "琚湾二中"),
        ("plans-02", "琚湾二中留守儿童工作计划", "plan", "琚湾二中"),
        ("plans-03", "曹集学校义务教育均衡发展工作整改方案", "rectification", "曹集学校"),
    ]
    assert docs[0].date == "2012-02"
    assert docs[1].lines[0].start == 8


def test_numbered_titles_and_pian_suffix():
    text = """学校均衡发展工作总结
学校均衡发展工作总结1
该区累计投入2亿元,实施了校舍改造、标校建设等“五大工程”,实现了区域办学条件的均衡配置。
学校均衡发展工作总结2
近年来,我县切实把教育摆在优先发展的战略位置,推进城乡教育均衡发展,构建和谐教育。"""
    docs = split_documents(lines(text), "s.txt", "s")
    assert [d.title for d in docs] == ["学校均衡发展工作总结1", "学校均衡发展工作总结2"]
    text2 = """义务教育均衡发展总结(精简4篇)
义务教育均衡发展总结 篇一
随着我国经济的快速发展,义务教育均衡发展也成为了教育改革的重要目标之一,取得了积极的成果。
义务教育均衡发展总结 篇二
我国政府也采取了一系列措施来推动义务教育均衡发展,取得了积极的成果,但也面临一些问题。
义务教育均衡发展总结(精简4篇)"""
    docs = split_documents(lines(text2), "p.txt", "p")
    assert [d.title for d in docs] == ["义务教育均衡发展总结 篇一", "义务教育均衡发展总结 篇二"]
    assert "精简4篇" not in docs[1].text  # the page title repeated at the end is dropped


def test_site_separator_splits_and_is_dropped():
    text = """学区2023年工作总结
学区2023年工作总结范文。
高桥初级中学学区成立来,依循市、区教育局大学区管理制工作思路,认真组织开展工作。
工作总结范文。
一年来,在教育局的正确领导和关怀下,遥墙教育办认真贯彻落实全区教育工作部署。"""
    docs = split_documents(lines(text), "d.txt", "d", "学区2023年工作总结")
    assert len(docs) == 2
    assert all("范文" not in d.text for d in docs)


def test_kind_from_title():
    assert kind_of("昭阳街道中心小学迎接义务教育均衡发展迎检工作方案") == "inspection-prep"
    assert kind_of("曹集学校义务教育均衡发展工作整改方案") == "rectification"
    assert kind_of("学校义务教育均衡发展自查报告") == "self-inspection"
    assert kind_of("学区2023年工作总结") == "summary"
    assert kind_of("义务教育学校办学基本标准") == "standard"


def test_organisation():
    assert find_organisation("新庄乡德胜小学2013-2014年义务教育均衡发展工作实施方案") == "新庄乡德胜小学"
    assert find_organisation("学校义务教育均衡发展工作总结阿城区玉泉河南小学为了办好") == "阿城区玉泉河南小学"
    assert find_organisation("义务教育阶段学校") is None


def test_a_file_that_opens_with_a_heading_is_named_by_its_file_name():
    """A Word file of a regulation that starts at 第一章 (no title line above it) was titled "第一章
    总则", and a summary that starts at "一、基本情况" was titled so: neither named the law or school,
    so "青山小学有多少学生?" was refused. The file name names them."""
    law = [Line("第一章 总则", 1, 1), Line("第一条 为了加强校车安全管理，制定本条例。", 2, 2),
           Line("第二条 本条例所称校车，是指用于接送学生的载客汽车。", 3, 3), Line("第二章 驾驶人", 4, 4),
           Line("第三条 校车驾驶人应当具有3年以上驾驶经历。", 5, 5)]
    [document] = split_documents(law, "校车安全管理条例(2012-04-05).docx", "law")
    assert document.title == "校车安全管理条例" and document.kind == "regulation"
    assert document.lines[0].text == "第一章 总则"  # the heading stays in the body
    summary = [Line("一、基本情况", 1, 1), Line("本校有学生300人,教职工20人。", 2, 2), Line("二、存在的问题", 3, 3),
               Line("操场面积不足,达不到标准。", 4, 4)]
    assert split_documents(summary, "青山小学工作总结.txt", "s")[0].title == "青山小学工作总结"
    titled = [Line("青山小学工作总结", 1, 1)] + summary
    assert split_documents(titled, "2015.txt", "s")[0].title == "青山小学工作总结"  # a title line still wins
