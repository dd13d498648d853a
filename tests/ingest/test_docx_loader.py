import zipfile

import pytest
from realworld import DOCX_TITLE, make_docx

from assistant.chunking import chunk_document
from assistant.errors import LoadError
from assistant.ingest.docx_numbering import format_number
from assistant.language.numerals import int_to_cn as chinese_number
from assistant.ingest.loaders import load_file
from assistant.ingest.pipeline import load_documents


def test_paragraphs_headings_lists_and_table_rows_in_document_order(tmp_path):
    loaded = load_file(make_docx(tmp_path / "report.docx"))
    assert loaded.format == "docx" and loaded.paragraphs
    rows = [(l.text, l.start, l.heading) for l in loaded.lines]
    assert rows[:5] == [(DOCX_TITLE, 1, None), ("学校基本情况", 2, 1), ("我校位于新庄乡,现有教学班12个,学生486人,教职工38人。", 3, None),
                        ("办学条件", 5, 2), ("一、校舍建设", 6, None)]  # paragraph 4 is empty, and still counted
    assert ("1.音乐专职教师缺编2人", 11, None) in rows and ("2.运动场地面积不足", 12, None) in rows  # Word's auto numbering
    # a table: one line per row, each cell with its column's header (the header row is counted, not repeated)
    assert rows[11:13] == [("指标：生均公用经费 | 标准：700元 | 我校：720元", 14, None),
                           ("指标：师生比 | 标准：1:19 | 我校：1:12.8", 15, None)]


def test_word_headings_become_sections_and_citations_point_to_paragraphs(tmp_path):
    make_docx(tmp_path / "report.docx")
    documents, fmt = load_documents(tmp_path / "report.docx", "report.docx")
    assert fmt == "docx" and [d.title for d in documents] == [DOCX_TITLE]
    sections, chunks = chunk_document(documents[0], max_chars=60)
    paths = [s.path for s in sections if s.path]
    assert paths[:3] == [["学校基本情况"], ["学校基本情况", "办学条件"], ["学校基本情况", "办学条件", "一、校舍建设"]]
    assert ["存在的问题"] in paths
    fee = next(c for c in chunks if "720元" in c.text)
    assert fee.section_path[0] == "存在的问题" and fee.start_line <= 14 <= fee.end_line and fee.page is None


def test_merged_table_cells_are_read_once(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("学校设施统计")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "功能室配备情况"
    for cell, text in zip(table.rows[1].cells, ("实验室", "图书室", "微机室")):
        cell.text = text
    document.save(str(tmp_path / "t.docx"))
    assert [l.text for l in load_file(tmp_path / "t.docx").lines] == ["学校设施统计", "功能室配备情况", "实验室 | 图书室 | 微机室"]


@pytest.mark.parametrize("data, reason", [
    ("这不是Word文件。".encode("utf-8"), "not a Word .docx file (not a zip package)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "an old Word .doc file or a password-protected .docx"),
])
def test_files_that_are_not_docx_are_named_with_what_to_do(tmp_path, data, reason):
    path = tmp_path / "plan.docx"
    path.write_bytes(data)
    with pytest.raises(LoadError) as error:
        load_file(path)
    assert str(error.value).startswith(f"plan.docx: {reason}") and "save it as .docx" in str(error.value)


def test_zip_that_is_not_a_word_package(tmp_path):
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(LoadError, match=r"^plan\.docx: damaged \.docx"):
        load_file(path)


def test_old_doc_files_get_advice(tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LoadError, match=r"^plan\.doc: old binary Word format; .* save it as \.docx"):
        load_file(path)


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (105, "一百零五"),
                                     (110, "一百一十")])
def test_chinese_counting(n, text):
    assert chinese_number(n) == text


def test_number_formats():
    assert [format_number(3, f) for f in ("decimal", "chineseCounting", "decimalEnclosedCircle", "decimalEnclosedParen",
                                          "lowerLetter", "upperRoman", "ideographTraditional")] == \
        ["3", "三", "③", "⑶", "c", "III", "丙"]


def test_chinese_auto_numbering_nested_lists(tmp_path):
    """A 公文 outline typed with Word's list feature: level 1 "一、", level 2 "(一)"."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="(%2)"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    document.add_paragraph("迎检工作方案")
    for text, level in [("指导思想", 0), ("工作措施", 0), ("加强组织领导", 1), ("明确工作职责", 1), ("时间安排", 0), ("三月启动", 1)]:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    document.save(str(tmp_path / "plan.docx"))
    assert [l.text for l in load_file(tmp_path / "plan.docx").lines] == [
        "迎检工作方案", "一、指导思想", "二、工作措施", "(一)加强组织领导", "(二)明确工作职责", "三、时间安排", "(一)三月启动"]
