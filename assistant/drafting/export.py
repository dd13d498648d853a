"""Outline → Markdown, JSON (the body of `POST /draft`) and Word (.docx, python-docx).

Markdown and Word show each example as an excerpt with its citation (title › section, file and
lines); JSON carries the full passage text in the citation shape of `ask`."""

from __future__ import annotations

import json
from pathlib import Path

from .outline import Outline, OutlineSection, excerpt
from .template import PLACEHOLDER

FORMATS = ("md", "docx", "json")
_EXAMPLE_CHARS = 220


def where(example: dict) -> str:
    lines = f"{example['start_line']}–{example['end_line']}" if example["end_line"] != example["start_line"] \
        else f"{example['start_line']}"
    place = f"{example['source']} 第{lines}行"
    if example.get("page"):
        place += f",第{example['page']}页"
    section = f" › {example['section']}" if example.get("section") else ""
    return f"《{example['title']}》{section}({place})"


def header_lines(outline: Outline) -> list[str]:
    """The notes above the outline, shared by Markdown and Word."""
    lines = [f"文种:{outline.kind_name}({outline.kind}) · 学校:{outline.school}"]
    if outline.focus:
        lines.append(f"重点领域:{'、'.join(outline.focus)}")
    if outline.about:
        lines.append(f"写法:{outline.about}")
    follows = ";".join(f"《{f['title']}》({f['used_for']})" for f in outline.follows)
    lines.append(f"本提纲参照语料中的:{follows}")
    remaining = outline.placeholders()
    if remaining:
        lines.append(f"待填(共{len(remaining)}项):{''.join(f'【{name}】' for name in remaining)}"
                     f";可用 --facts 文件一次填入,例如 {{\"学生数\": 650}}")
    if outline.filled:
        lines.append("已填:" + ",".join(f"{k}={v}" for k, v in outline.filled.items()))
    lines.append("“参考写法”摘自其他学校的文件,注明出处,供参照写法,不可照抄数字。")
    return lines


def _md_section(section: OutlineSection, out: list[str]) -> None:
    out.append(f"{'#' * (section.level + 1)} {section.heading}")
    out.append("")
    if section.signature:
        out.extend(f"{point}  " for point in section.points)
        out.append("")
    elif section.points:
        out.extend(f"- {point}" for point in section.points)
        out.append("")
    if section.table:
        out.extend(_md_table(section.table))
        out.append("")
    if section.examples:
        out.append("参考写法:")
        out.append("")
        for example in section.examples:
            out.append(f"> [{example['n']}] {excerpt(example['text'], _EXAMPLE_CHARS)}")
            out.append(">")
            out.append(f"> —— {where(example)}")
            out.append("")
    for child in section.sections:
        _md_section(child, out)


def _md_table(table: dict) -> list[str]:
    columns = table["columns"]
    rows = [f"| {' | '.join(columns)} |", f"|{'---|' * len(columns)}"]
    rows.extend(f"| {' | '.join(cell or ' ' for cell in row)} |" for row in table["rows"])
    return rows


def to_markdown(outline: Outline) -> str:
    out = [f"# {outline.title}", ""]
    out.extend(f"> {line}  " for line in header_lines(outline))
    out.append("")
    for section in outline.sections:
        _md_section(section, out)
    return "\n".join(out).rstrip() + "\n"


def to_json(outline: Outline) -> str:
    return json.dumps(outline.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --- Word ---------------------------------------------------------------------------------

def _east_asian(style, font: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _runs(paragraph, text: str) -> None:
    """Text with each 【placeholder】 highlighted, so the writer sees what to fill."""
    from docx.enum.text import WD_COLOR_INDEX

    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position:match.start()])
        run = paragraph.add_run(match.group(0))
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _docx_table(document, table: dict) -> None:
    """A bordered table: bold column headings, then the rows to fill in."""
    columns = table["columns"]
    grid = document.add_table(rows=1 + len(table["rows"]), cols=len(columns))
    grid.style = "Table Grid"
    for cell, heading in zip(grid.rows[0].cells, columns):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    for row, values in zip(grid.rows[1:], table["rows"]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph()


def _docx_section(document, section: OutlineSection) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    document.add_heading(section.heading, level=section.level)
    for point in section.points:
        if section.signature:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            paragraph = document.add_paragraph(style="List Bullet")
        _runs(paragraph, point)
    if section.table:
        _docx_table(document, section.table)
    if section.examples:
        label = document.add_paragraph()
        label.add_run("参考写法:").bold = True
        for example in section.examples:
            quote = document.add_paragraph(style="Quote")
            quote.add_run(f"[{example['n']}] {excerpt(example['text'], _EXAMPLE_CHARS)}")
            cite = document.add_paragraph()
            run = cite.add_run(f"—— {where(example)}")
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    for child in section.sections:
        _docx_section(document, child)


def write_docx(outline: Outline, path: Path) -> Path:
    """Write the outline as a Word document: the title as Title, sections as Heading 1–3, points
    as bullets with highlighted placeholders, tables to fill in, examples as quotes with their citations."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.font.size = Pt(11)
    _east_asian(normal, "宋体")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[name]
        style.font.name = "黑体"
        style.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(style, "黑体")
    document.core_properties.title = outline.title
    document.core_properties.subject = f"{outline.kind_name}提纲"
    document.core_properties.keywords = "义务教育均衡发展"
    document.add_heading(outline.title, level=0)
    for line in header_lines(outline):
        note = document.add_paragraph()
        run = note.add_run(line)
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    for section in outline.sections:
        _docx_section(document, section)
    path = Path(path)
    document.save(str(path))
    return path
