from assistant.chunking import chunk_document, index_text
from assistant.documents import Document, Line


def _doc(lines):
    return Document("d", "某校工作方案", "plan", "x.txt", [Line(t, i, i) for i, t in enumerate(lines, 1)])


def test_small_sections_are_one_chunk_with_path_and_span():
    doc = _doc(["某校工作方案", "一、指导思想", "为推进均衡发展,特制定本方案。", "二、工作目标", "入学率达100%。"])
    _, chunks = chunk_document(doc, max_chars=500)
    assert len(chunks) == 1 and chunks[0].start_line == 1 and chunks[0].end_line == 5


def test_list_items_are_never_cut():
    items = [f"{i}.第{i}项材料:" + "资料" * 40 + ";" for i in range(1, 9)]
    doc = _doc(["某校工作方案", "一、材料清单", *items, "二、时间安排", "三月完成。"])
    _, chunks = chunk_document(doc, max_chars=300)
    texts = [c.text for c in chunks]
    for item in items:
        assert sum(item in t for t in texts) == 1, "each item lies whole in exactly one chunk"
    listed = [c for c in chunks if "第1项" in c.text][0]
    assert listed.section_path == ["一、材料清单"]
    assert "一、材料清单" in listed.text.splitlines()[:2], "the heading leads its first chunk"
    assert all(len(c.text) <= 300 or c.text.count("\n") == 0 for c in chunks)
    assert chunks[-1].section_path == ["二、时间安排"] or "三月完成" in chunks[-1].text


def test_a_very_long_paragraph_is_split_at_sentence_ends():
    sentence = "学校加强教师队伍建设,开展校本培训。"
    doc = _doc(["某校工作方案", "一、主要做法", sentence * 60])
    _, chunks = chunk_document(doc, max_chars=200, hard_chars=400)
    assert len(chunks) > 3
    assert all(c.text.endswith("。") for c in chunks)


def test_index_text_carries_title_and_heading_path():
    doc = _doc(["某校工作方案", "一、材料清单", "1.财务管理制度;"])
    _, chunks = chunk_document(doc, max_chars=500)
    assert index_text(chunks[0], doc.title).startswith("某校工作方案")


def test_a_short_section_before_a_long_one_keeps_its_own_chunk_and_heading():
    long_items = [f"{i}、措施{i}:" + "加强管理" * 20 + "。" for i in range(1, 7)]
    doc = _doc(["某校工作总结", "一、基本情况", "学校有学生600人。" + "学校环境整洁。" * 50,
                "二、存在的主要问题", "校园建设用地不足。", "三、今后的措施和办法", *long_items])
    _, chunks = chunk_document(doc, max_chars=300)
    problem = [c for c in chunks if "校园建设用地不足" in c.text]
    assert len(problem) == 1 and problem[0].section_path == ["二、存在的主要问题"]
    assert "措施1" not in problem[0].text, "the next sibling section is not packed under its heading"
    first_plan = [c for c in chunks if "措施1" in c.text][0]
    assert first_plan.section_path == ["三、今后的措施和办法"] and first_plan.text.startswith("三、今后的措施和办法")
