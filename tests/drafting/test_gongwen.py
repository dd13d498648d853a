"""The Word outline in 公文 format (GB/T 9704-2012): page, fonts, sizes, line spacing, headings,
example blocks, tables, page numbers, font fallbacks; rendered with LibreOffice where installed."""

import shutil
import subprocess
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.config import load_settings
from assistant.drafting import ExampleFinder, build_outline, write_docx
from assistant.drafting.gongwen import TITLE_CHARS, column_widths, gongwen_number, title_lines
from assistant.building import build_index
from assistant.retrieval.search import Searcher
from conftest import INSPECTION, RECTIFICATION, SUMMARY
from fakes import FakeEmbedder


@pytest.fixture(scope="module")
def rectification(tmp_path_factory):
    """One outline with examples from the drafting corpus, written once for the module."""
    root = tmp_path_factory.mktemp("gongwen")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in (("summary.txt", SUMMARY), ("rectification.txt", RECTIFICATION), ("inspection.txt", INSPECTION)):
        (corpus / name).write_text(text, encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, home=root / "home", embedding_model="multilingual-e5-small",
                             chunk_chars=160)
    embedder = FakeEmbedder()
    data, _ = build_index(settings, warn=lambda m: None, embedder=embedder)
    outline = build_outline(ExampleFinder(Searcher(data, embedder)), "rectification", "青山镇中心小学",
                            facts={"学生数": 650})
    path = write_docx(outline, root / "整改方案.docx")
    return outline, path


def east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_is_a4_with_gb_t_9704_margins(rectification):
    _, path = rectification
    section = Document(str(path)).sections[0]
    mm = lambda length: round(length / Mm(1), 1)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin), mm(section.right_margin), mm(section.bottom_margin)) == (37, 28, 26, 35)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156  # the 156 × 225 mm text block
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225


def test_fonts_sizes_and_line_spacing(rectification):
    outline, path = rectification
    document = Document(str(path))
    styles = document.styles
    assert east_asian(styles["Title"]) == "方正小标宋简体" and styles["Title"].font.size == Pt(22)
    assert styles["Title"].paragraph_format.alignment == 1  # centred
    assert styles["Title"].element.pPr.find(qn("w:pBdr")) is None  # not Word's Title with its rule
    normal = styles["Normal"]
    assert east_asian(normal) == "仿宋_GB2312" and normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(28) and normal.paragraph_format.first_line_indent == Pt(32)
    for level, font in ((1, "黑体"), (2, "楷体_GB2312"), (3, "仿宋_GB2312")):
        heading = styles[f"Heading {level}"]
        assert east_asian(heading) == font and heading.font.size == Pt(16)
        assert not heading.font.bold and heading.font.color.rgb == (0, 0, 0)
        fonts = heading.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:eastAsiaTheme")) is None
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text.replace("\n", "") == outline.title
    assert paragraphs[0].text.split("\n") == title_lines(outline.title)  # balanced lines, broken by the writer
    headings = [(p.style.name, p.text) for p in paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "一、评估检查总体情况") in headings or any(t.startswith("一、") for _, t in headings)
    assert any(name == "Heading 2" and text.startswith("（一）") for name, text in headings)  # full-width 公文 brackets
    body = "\n".join(p.text for p in paragraphs)
    assert "学生650人" in body and not any(p.style.name == "List Bullet" for p in paragraphs)


def test_examples_are_a_kaiti_block_not_italics(rectification):
    outline, path = rectification
    document = Document(str(path))
    quotes = [p for p in document.paragraphs if p.style.name == "参考写法"]
    assert len(quotes) == len(outline.examples()) >= 1
    style = document.styles["参考写法"]
    assert east_asian(style) == "楷体_GB2312" and style.font.italic is False
    assert style.element.pPr.find(qn("w:shd")) is not None and style.paragraph_format.left_indent == Pt(28)
    assert not any(run.font.italic for p in quotes for run in p.runs)
    assert quotes[0].text.startswith("[1] ")
    cites = [p.text for p in document.paragraphs if p.style.name == "参考写法出处"]
    assert cites[0].startswith("—— 《") and "第" in cites[0]


def test_tables_repeat_their_header_row_and_fit_the_text_block(rectification):
    _, path = rectification
    grid = Document(str(path)).tables[0]
    header = grid.rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None and header.trPr.find(qn("w:cantSplit")) is not None
    widths = [cell.width for cell in grid.rows[0].cells]
    assert abs(sum(widths) - Mm(156)) < Mm(1)
    names = [cell.text for cell in grid.rows[0].cells]
    assert names[:3] == ["序号", "存在的问题", "整改措施"]
    assert widths[1] > 2 * widths[0] and widths[2] > widths[3]  # sentences get the room, 序号 the least


def test_column_widths_keep_short_headings_on_one_line():
    widths = column_widths(["序号", "存在的问题", "整改措施", "责任人", "完成时限", "所需经费及来源"],
                           [["1", "", "", "", "", ""]])
    assert round(sum(widths)) == 156
    char = 12 * 25.4 / 72
    assert widths[0] >= 2 * char + 4.1 and widths[3] >= 3 * char + 4.1 and widths[5] >= 7 * char + 4.1
    assert gongwen_number("(一)") == "（一）" and gongwen_number("一、") == "一、" and gongwen_number("1.") == "1."


def test_font_table_names_fallbacks_and_page_numbers(rectification):
    _, path = rectification
    with zipfile.ZipFile(path) as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
        footers = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("word/footer")]
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体"), ("黑体", "SimHei")):
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in fonts
    assert '<w:charset w:val="86"/>' in fonts
    assert "evenAndOddHeaders" in settings
    assert len(footers) == 2 and all("PAGE" in f and "— " in f for f in footers)
    document = Document(str(path))
    odd, even = document.sections[0].footer.paragraphs[0], document.sections[0].even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)  # odd pages right, even pages left


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="needs LibreOffice")
def test_libreoffice_renders_it_as_a4_pages(rectification, tmp_path):
    from pypdf import PdfReader

    outline, path = rectification
    office = shutil.which("soffice") or shutil.which("libreoffice")
    done = subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / (path.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    reader = PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(reader.pages[0].extract_text().split())
    assert "青山镇中心小学" in text and "— 1 —".replace(" ", "") in text
    second = "".join(reader.pages[1].extract_text().split())
    assert "—2—" in second


def test_text_word_cannot_hold_is_left_out_not_refused():
    from assistant.drafting.gongwen import xml_safe

    assert xml_safe("青山镇\x00中心小学\x1f") == "青山镇中心小学"
    assert xml_safe({"a": ["x\x0b", ("y\ud800",)]}) == {"a": ["x", ("y",)]}


@pytest.mark.parametrize("title", [
    "青山镇中心小学义务教育均衡发展工作整改方案提纲",  # 23 characters: 22 on a line and 1 alone, before
    "【学校名称】义务教育优质均衡发展自查报告（提纲）",
    "关于印发《县域义务教育优质均衡发展督导评估办法》的通知",
    "柳河县马坊镇中学义务教育优质均衡发展创建工作整改方案落实情况总结提纲材料汇编目录",
])
def test_a_long_title_is_laid_out_in_balanced_lines(title):
    lines = title_lines(title)
    assert "".join(lines) == title and len(lines) == -(-len(title) // TITLE_CHARS)
    assert all(len(line) <= TITLE_CHARS for line in lines)
    assert max(map(len, lines)) - min(map(len, lines)) <= 6  # no line of one or two characters
    assert not any(line.startswith(("》", "）", "、")) for line in lines)
    assert all(line.count("【") == line.count("】") for line in lines)  # a placeholder is never cut
    assert title_lines("短标题") == ["短标题"]
