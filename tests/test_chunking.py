from lawtexts import LAW_MD, REGULATION_TXT

from assistant.chunking import chunk_document, index_text
from assistant.documents import Chunk, Document, Line
from assistant.ingest.pipeline import load_documents


def _doc(lines):
    return Document("d", "某校工作方案", "plan", "x.txt", [Line(t, i, i) for i, t in enumerate(lines, 1)])


def test_small_sections_are_one_chunk_with_path_and_span():
    doc = _doc(["某校工作方案", "一、指导思想", "为推进均衡发展,特制定本方案。", "二、工作目标", "入学率达100%。"])
    _, chunks = chunk_document(doc, max_chars=500)
    assert len(chunks) == 1 and chunks[0].start_line == 1 and chunks[0].end_line == 5
    # the chunk sits at the document's top (no path) and cites the sections it holds
    assert chunks[0].section_path == [] and chunks[0].holds == ["一、指导思想", "二、工作目标"]
    assert chunks[0].cited_section == "一、指导思想；二、工作目标"


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


# --- laws and regulations: one article per chunk (tests/lawtexts.py) ---


def test_article_chunks(law):
    _, chunks = chunk_document(law, max_chars=480)
    by_article = {c.article: c for c in chunks}
    assert by_article["第三条"].section_path == ["第二章 学校", "第一节 设立", "第三条"]
    assert by_article["第三条"].text.startswith("第三条 设立学校") and "（三）有必需的办学资金。" in by_article["第三条"].text
    assert "第四条" not in by_article["第三条"].text, "one article per chunk"
    assert by_article["第二条"].text == "第二条 国家实行示范教育制度。\n示范教育不收学费、杂费。"
    assert by_article["第一条"].section == "第一章 总则 › 第一条"
    assert not any(c.text in ("第一章 总则", "第二章 学校") or c.text.startswith("中华人民共和国") for c in chunks)
    annex = [c for c in chunks if c.section_path[0] == "附件"]
    assert annex and all(c.article is None for c in annex) and "学校名称不得含有误导性文字" in annex[-1].text


def test_a_long_article_is_cut_between_items_and_each_piece_opens_with_its_opening_line(law):
    _, chunks = chunk_document(law, max_chars=120)
    pieces = [c for c in chunks if c.article == "第五条"]
    assert len(pieces) >= 2
    opening = "第五条 学校应当建立健全下列管理制度，并向社会公开："
    assert all(p.text.startswith(opening) for p in pieces)
    assert all(p.section_path == ["第二章 学校", "第二节 管理", "第五条"] for p in pieces)
    items = [line for line in LAW_MD.splitlines() if line.startswith("（") and "制度，包括" in line]
    for item in items:
        assert sum(item in p.text for p in pieces) == 1, "an item lies whole in exactly one piece"
    assert pieces[1].start_line > pieces[0].end_line, "a later piece's span is its own lines"


def test_a_long_opening_line_is_shortened_in_later_pieces():
    opening = "第二十条 " + "学校及其工作人员违反本法规定，" * 12 + "有下列情形之一的，由教育行政部门责令改正："
    items = [f"（{n}）" + "违反规定的行为" * 8 + "；" for n in "一二三四五六"]
    lines = ["示范条例", "第十九条 本条例适用于学校。", opening, *items]
    document = Document("d", "示范条例", "regulation", "x.md", [Line(t, i, i) for i, t in enumerate(lines, 1)])
    _, chunks = chunk_document(document, max_chars=200)
    pieces = [c for c in chunks if c.article == "第二十条"]
    assert pieces[0].text.startswith(opening)
    lead = "第二十条 …学校及其工作人员违反本法规定，有下列情形之一的，由教育行政部门责令改正："
    assert len(pieces) >= 3 and all(p.text.startswith(lead + "\n（") for p in pieces[1:])


def test_chunk_from_rows_stored_before_articles_and_page_end():
    row = {"id": "d#001", "doc_id": "d", "section_id": "d/s1", "section_path": ["一、基本情况"], "text": "t",
           "start_line": 1, "end_line": 2, "page": None, "codes": [], "order": 0}
    chunk = Chunk.from_dict(row)
    assert chunk.article is None and chunk.page_end is None
    assert Chunk.from_dict(chunk.to_dict()) == chunk


def test_regulation_txt_is_read_like_the_markdown(laws):
    assert "第一章　总则" in REGULATION_TXT
    documents, _ = load_documents(laws / "示范学校安全管理条例.txt", "示范学校安全管理条例.txt")
    _, chunks = chunk_document(documents[0])
    assert [c.section for c in chunks] == ["第一章 总则 › 第一条", "第一章 总则 › 第二条"]
