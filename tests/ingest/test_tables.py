"""Tables as tables (issue 25): each record a line with its column headers, in Word and in PDF; titles
across a table, two header rows, side-by-side records, merged cells, a table continued on the next page
with or without its header repeated; a figure in a cell is never a heading."""

from pathlib import Path

import docx
import pytest

from assistant.chunking import chunk_document
from assistant.ingest.loaders import load_file
from assistant.ingest.pipeline import load_documents
from assistant.ingest.tables import fill_down, table_lines


def lines(grid, spans=None, labels=None):
    return [text for _, text in table_lines(grid, spans, labels)[0]]


def test_two_header_rows_give_each_column_both_labels():
    grid = [["序号", "指标", "小学", "小学", "初中", "初中"],
            ["序号", "指标", "差异系数", "是否达标", "差异系数", "是否达标"],
            ["1", "生均教学仪器设备值", "0.409", "达标", "0.364", "达标"],
            ["2", "生均体育运动场馆面积", "0.521", "未达标", "0.431", "达标"]]
    assert lines(grid)[1] == ("序号：2 | 指标：生均体育运动场馆面积 | 小学差异系数：0.521 | 小学是否达标：未达标 | "
                              "初中差异系数：0.431 | 初中是否达标：达标")


def test_a_title_across_the_table_and_rows_of_text_only():
    grid = [["资源配置指标（2022年）"] * 4, ["指标", "标准", "本校", "是否达标"],
            ["生均图书", "30册", "31.0册", "达标"]]
    assert lines(grid) == ["资源配置指标（2022年）", "指标：生均图书 | 标准：30册 | 本校：31.0册 | 是否达标：达标"]
    groups = [["工作组", "组长", "主要职责"], ["汇报材料组", "梁静", "撰写汇报稿"], ["档案资料组", "方圆", "整理档案"]]
    assert lines(groups)[1] == "工作组：档案资料组 | 组长：方圆 | 主要职责：整理档案", "a text row is data, not a 2nd header"


def test_side_by_side_records_are_split():
    grid = [["项目", "内容", "项目", "内容"], ["学校名称", "白沙乡中心学校", "建校时间", "1958年"],
            ["学生数", "870", "教职工数", "81"]]
    assert lines(grid) == ["学校名称：白沙乡中心学校", "建校时间：1958年", "学生数：870", "教职工数：81"]
    wide = [["类别", "分项", "人数", "类别", "分项", "人数"], ["总体", "教职工总数", "81", "职称", "高级", "9"]]
    assert lines(wide) == ["类别：总体 | 分项：教职工总数 | 人数：81", "类别：职称 | 分项：高级 | 人数：9"]


def test_pdfplumbers_merged_cells_are_filled_and_a_continued_table_keeps_its_header():
    grid = fill_down([["学校", "教师（人）", None, "学生数（人）"], [None, "教职工", "专任教师", None],
                      ["第一小学", "126", "121", "2376"], ["一、城区学校", None, None, None]])
    assert grid[1] == ["学校", "教职工", "专任教师", "学生数（人）"] and grid[3] == ["一、城区学校", "", "", ""]
    records, labels = table_lines(grid)
    assert [t for _, t in records][0] == "学校：第一小学 | 教师（人）教职工：126 | 教师（人）专任教师：121 | 学生数（人）：2376"
    following = [["第二小学", "108", "103", "1890"]]
    assert lines(following, labels=labels) == ["学校：第二小学 | 教师（人）教职工：108 | 教师（人）专任教师：103 | "
                                               "学生数（人）：1890"]
    repeated = [["学校", "教师（人）教职工", "教师（人）专任教师", "学生数（人）"], ["第三小学", "91", "85", "1503"]]
    assert len(lines(repeated, labels=labels)) == 1


def _monitoring_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("东岭区2023年义务教育质量监测结果")
    document.add_paragraph("一、资源配置")
    document.add_paragraph("表1 差异系数")
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate([["指标", "小学", "初中"], ["代码", "X1", "X2"], ["5.515273", "0.887611", "0.412"],
                             ["生均图书", "1.25", "2.5"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("二、下一步打算")
    document.add_paragraph("补足短板。")
    document.save(str(path))
    return path


def test_a_figure_in_a_cell_is_never_a_heading(tmp_path):
    """A district's monitoring table used to give a heading tree 12 levels deep ("5.515273 › 0.887611 › …")."""
    path = _monitoring_docx(tmp_path / "监测结果.docx")
    documents, _ = load_documents(path, path.name)
    sections, chunks = chunk_document(documents[0], max_chars=100)
    assert [s.path for s in sections] == [[], ["一、资源配置"], ["二、下一步打算"]]
    row = next(c for c in chunks if "0.412" in c.text)
    assert row.section_path == ["一、资源配置"] and "指标：5.515273 | 小学：0.887611 | 初中：0.412" in row.text


def test_a_word_table_in_a_libreoffice_pdf_is_read_as_records(tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    document = docx.Document()
    document.add_paragraph("白沙县学校基本情况")
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate([["学校", "班级数（个）", "学生数（人）"], ["实验小学", "48", "2256"],
                             ["城关一小", "36", "1584"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("二〇二三年九月十五日")
    document.save(str(tmp_path / "基本情况.docx"))
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "基本情况.docx")], check=True, capture_output=True, timeout=120)
    texts = [line.text for line in load_file(tmp_path / "基本情况.pdf").lines]
    assert "学校：实验小学 | 班级数（个）：48 | 学生数（人）：2256" in texts
    assert texts[0] == "白沙县学校基本情况" and texts[-1] == "二〇二三年九月十五日"
