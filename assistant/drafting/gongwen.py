"""An outline as a Word file in 公文 format (GB/T 9704-2012, 党政机关公文格式), the document a school
starts its own from: A4, margins 37 mm top, 28 mm left (订口), 26 mm right, 35 mm bottom (a 156 × 225 mm
text block); the title in 方正小标宋简体 二号 (22 pt), centred; the body in 仿宋_GB2312 三号 (16 pt) at an
exact 28-pt line, first lines indented two characters; first-level headings 一、 in 黑体, second-level
(一) in 楷体_GB2312, third 1. and fourth (1) in 仿宋 — all 三号, numbered as text; page numbers
"— 1 —" in 宋体 四号, odd pages on the right, even pages on the left.

Every font is written into the document's font table with a fallback (w:altName: 仿宋_GB2312 → 仿宋,
楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) and its GB2312 character set, family and PANOSE numbers, so
Word and WPS substitute a font of the same kind where the named one is not installed.

The writer's aids stay visible and apart from the text: the notes under the title (kind, what is
still to fill) in a grey box, 【placeholders】 highlighted, example passages from other schools in a
shaded 楷体 block (never italics) with their citation, tables to fill in with a header row repeated
on every page and columns sized to what goes in them."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from .outline import where
from .outline import Outline, OutlineSection, excerpt
from .template import PLACEHOLDER

# Page and text block (GB/T 9704-2012 §5.2): A4, 天头 37 mm, 订口 28 mm, text block 156 × 225 mm.
PAGE = {"width": 210, "height": 297, "top": 37, "left": 28, "right": 210 - 28 - 156, "bottom": 297 - 37 - 225}
TEXT_WIDTH_MM = 156

# Sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5.
TITLE_PT, BODY_PT, SMALL_PT, TABLE_PT, NOTE_PT = 22, 16, 14, 12, 10.5
LINE_PT = 28  # the body's exact line spacing (22 lines in the 225-mm block)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
QUOTE_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

#: Font table entries: the fallback Word/WPS use when a font is missing, and what kind of font it is
#: (charset 86 = GB2312; PANOSE as the fonts themselves report it).
FONT_TABLE = {
    "方正小标宋简体": {"alt": "宋体", "panose": "02000000000000000000", "family": "script", "pitch": "variable"},
    "仿宋_GB2312": {"alt": "仿宋", "panose": "02010609030101010101", "family": "modern", "pitch": "fixed"},
    "楷体_GB2312": {"alt": "楷体", "panose": "02010609030101010101", "family": "modern", "pitch": "fixed"},
    "黑体": {"alt": "SimHei", "panose": "02010609060101010101", "family": "modern", "pitch": "fixed"},
    "仿宋": {"alt": "FangSong", "panose": "02010609060101010101", "family": "modern", "pitch": "fixed"},
    "楷体": {"alt": "KaiTi", "panose": "02010609060101010101", "family": "modern", "pitch": "fixed"},
    "宋体": {"alt": "SimSun", "panose": "02010600030101010101", "family": "auto", "pitch": "variable"},
}

GREY = RGBColor(0x59, 0x59, 0x59)
EXAMPLE_CHARS = 220
#: Column names whose cells the writer fills with sentences: they get the room.
_TEXT_COLUMN = re.compile(r"问题|措施|内容|事项|情况|现状|说明|要求|做法|职责")


# --- fonts and styles ------------------------------------------------------------------

def set_fonts(element, font: str, latin: str | None = None) -> None:
    """Name `font` for Chinese (w:eastAsia) and `latin` (default: the same) for Latin text and
    digits in a style's or run's w:rPr, dropping theme fonts that would override them."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    latin = latin or font
    for attribute, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", font), ("w:cs", latin)):
        fonts.set(qn(attribute), value)


def _paragraph_style(style, font: str, size: float, *, line: float = LINE_PT, indent_chars: float = 2,
                     align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold: bool = False, color: RGBColor | None = None) -> None:
    """A paragraph style: font and size, an exact line, a first-line indent of `indent_chars`
    characters, no space before or after, not italic, no border."""
    pPr = style.element.get_or_add_pPr()
    for name in ("w:pBdr", "w:contextualSpacing", "w:numPr"):
        for old in pPr.findall(qn(name)):
            pPr.remove(old)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color or RGBColor(0, 0, 0)
    set_fonts(style.element, font)
    rpr = style.element.get_or_add_rPr()
    for name in ("w:spacing", "w:kern"):
        for old in rpr.findall(qn(name)):
            rpr.remove(old)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
    fmt.left_indent = Pt(0)
    fmt.alignment = align
    _indent_in_chars(style.element, first=indent_chars)


def _indent_in_chars(element, first: float = 0, left: float = 0, right: float = 0) -> None:
    """Indents in hundredths of a character as well (w:firstLineChars…): Word and WPS keep them two
    characters wide when the writer changes the font size."""
    ind = element.get_or_add_pPr().find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        element.get_or_add_pPr().append(ind)
    for attribute, chars in (("w:firstLineChars", first), ("w:leftChars", left), ("w:rightChars", right)):
        if chars:
            ind.set(qn(attribute), str(int(chars * 100)))
        else:
            ind.attrib.pop(qn(attribute), None)


def _shade(pPr_owner, fill: str, left_border: str | None = None) -> None:
    pPr = pPr_owner.get_or_add_pPr()
    if left_border:
        pPr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="18" w:space="8" '
                             f'w:color="{left_border}"/></w:pBdr>'))
    pPr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def _style(document, name: str, base: str = "Normal"):
    styles = document.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


def _styles(document) -> None:
    """Normal, Title, Heading 1–4 as 公文 asks, and the styles of the writer's aids."""
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:  # the document's language is Chinese (line breaking, spelling)
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
        for fonts in defaults.iter(qn("w:rFonts")):
            for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attribute), None)
            for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attribute), BODY_FONT)
    _paragraph_style(styles["Normal"], BODY_FONT, BODY_PT)
    styles["Normal"].paragraph_format.widow_control = True
    title = styles["Title"]
    _paragraph_style(title, TITLE_FONT, TITLE_PT, line=36, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(LINE_PT)
    for level, font in HEADING_FONTS.items():
        heading = styles[f"Heading {level}"]
        _paragraph_style(heading, font, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.keep_together = True
    note = _style(document, "提纲说明")
    _paragraph_style(note, BODY_FONT, TABLE_PT, line=20, indent_chars=0, color=GREY)
    _shade(note.element, "F2F2F2")
    label = _style(document, "参考写法标题")
    _paragraph_style(label, "黑体", SMALL_PT, line=24, indent_chars=0)
    _indent_in_chars(label.element, left=2)
    label.paragraph_format.left_indent = Pt(SMALL_PT * 2)
    label.paragraph_format.space_before = Pt(6)
    label.paragraph_format.keep_with_next = True
    quote = _style(document, "参考写法")
    _paragraph_style(quote, QUOTE_FONT, SMALL_PT, line=24, indent_chars=0)
    quote.paragraph_format.left_indent = Pt(SMALL_PT * 2)
    quote.paragraph_format.keep_with_next = True
    _indent_in_chars(quote.element, left=2)
    _shade(quote.element, "F3F6FA", left_border="8EA9C8")
    cite = _style(document, "参考写法出处")
    _paragraph_style(cite, BODY_FONT, NOTE_PT, line=16, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT, color=GREY)
    cite.paragraph_format.space_after = Pt(6)
    cell = _style(document, "表格文字")
    _paragraph_style(cell, BODY_FONT, TABLE_PT, line=20, indent_chars=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    head = _style(document, "表头")
    _paragraph_style(head, "黑体", TABLE_PT, line=20, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    sign = _style(document, "落款")
    _paragraph_style(sign, BODY_FONT, BODY_PT, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sign.paragraph_format.right_indent = Pt(BODY_PT * 4)  # 成文日期右空四字
    _indent_in_chars(sign.element, right=4)


def _font_table(document) -> None:
    """Add each font with its fallback to word/fontTable.xml (Word and WPS read w:altName, the
    GB2312 charset and the PANOSE class when a font is missing)."""
    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = parse_xml(part.blob)
    present = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, info in FONT_TABLE.items():
        if name in present:
            continue
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{info["alt"]}"/>'
            f'<w:panose1 w:val="{info["panose"]}"/><w:charset w:val="86"/><w:family w:val="{info["family"]}"/>'
            f'<w:pitch w:val="{info["pitch"]}"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- page ------------------------------------------------------------------------------

def _page(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(21)  # the page number's line sits about 7 mm below the text block
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run._r.append(OxmlElement("w:t"))
            run._r[-1].text = text
    _run_font(run, PAGE_NUMBER_FONT, SMALL_PT)


def _run_font(run, font: str, size: float) -> None:
    run.font.size = Pt(size)
    set_fonts(run._r, font)


def _page_number(paragraph, align) -> None:
    """"— 1 —" in 宋体 四号, one character in from the outer edge (GB/T 9704 §7.5)."""
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SMALL_PT)
    else:
        fmt.left_indent = Pt(SMALL_PT)
    _run_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, SMALL_PT)
    _field(paragraph, "PAGE")
    _run_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, SMALL_PT)


# --- content ---------------------------------------------------------------------------

def gongwen_number(number: str) -> str:
    """Numbers as 公文 writes them: (一) and (1) with full-width parentheses, 一、 and 1. unchanged."""
    return number.replace("(", "（").replace(")", "）")


#: Characters of 二号 (22 pt) on one line of the 156 mm text block.
TITLE_CHARS = int(TEXT_WIDTH_MM // (TITLE_PT * 25.4 / 72))
#: What may not begin a line (closing marks and pauses stay with the word before them).
_NO_LINE_START = tuple("》」』）)】〕、，,。；;：:！!？?”’")


def title_lines(title: str, per_line: int = TITLE_CHARS) -> list[str]:
    """A 公文 title's lines (GB/T 9704-2012 §7.2: 回行时要做到词意完整，排列对称，长短适宜): one when it fits,
    else the fewest lines of at most `per_line` characters, broken only where a word ends (never inside
    a word or a 【placeholder】, nor before a closing mark), with line lengths as even as they can be, so
    no line holds a character or two alone."""
    if len(title) <= per_line:
        return [title]
    from ..language.segmentation import cut

    tokens: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(title):
        tokens.extend(cut(title[position:match.start()]))
        tokens.append(match.group(0))
        position = match.end()
    tokens.extend(cut(title[position:]))
    cuts, end = [], 0  # the positions a line may end at: after a token, not before a closing mark
    for number, token in enumerate(tokens):
        end += len(token)
        following = tokens[number + 1] if number + 1 < len(tokens) else ""
        if not following.startswith(_NO_LINE_START):
            cuts.append(end)
    best: list[int] | None = None
    for count in range(-(-len(title) // per_line), len(title) + 1):
        target = len(title) / count
        best = _even_breaks(cuts, len(title), count, per_line, target)
        if best is not None:
            break
    if best is None:  # one word longer than a line: cut it where the line is full
        return [title[i:i + per_line] for i in range(0, len(title), per_line)]
    bounds = [0] + best
    return [title[a:b] for a, b in zip(bounds, bounds[1:])]


def _even_breaks(cuts: list[int], total: int, count: int, per_line: int, target: float) -> list[int] | None:
    """`count` lines ending at positions of `cuts` (the last at `total`), none longer than `per_line`,
    with the least squared difference from `target` characters a line; None when there is none."""
    best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for lines in range(1, count + 1):
        for (start, used), (cost, path) in [item for item in best.items() if item[0][1] == lines - 1]:
            for end in cuts:
                if end <= start or end - start > per_line:
                    continue
                key = (end, lines)
                value = (cost + (end - start - target) ** 2, path + [end])
                if key not in best or value[0] < best[key][0]:
                    best[key] = value
    found = best.get((total, count))
    return found[1] if found else None


def _runs(paragraph, text: str) -> None:
    """Text with each 【placeholder】 highlighted, so the writer sees what to fill."""
    position = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position:match.start()])
        run = paragraph.add_run(match.group(0))
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


#: One character of 小四 (12 pt) in mm, and a cell's left and right padding together.
_CHAR_MM, _PADDING_MM = 12 * 25.4 / 72, 4.2  # Table Grid pads cells 1.9 mm a side


def column_widths(columns: list[str], rows: list[list[str]], total_mm: float = TEXT_WIDTH_MM) -> list[float]:
    """Widths in mm that add up to `total_mm`: every heading on one line where it fits (序号, 责任人,
    完成时限 never wrap), the rest shared in proportion to what the column holds — its longest cell,
    at least 8 characters for a column written in sentences (存在的问题, 整改措施)."""
    floors, needs = [], []
    for number, name in enumerate(columns):
        cells = [row[number] for row in rows if number < len(row) and row[number]]
        floors.append(max(len(name), 2) * _CHAR_MM + _PADDING_MM)
        need = max([len(name)] + [len(cell) for cell in cells])
        if _TEXT_COLUMN.search(name):
            need = max(need, 8)
        needs.append(min(need, 16))
    if sum(floors) >= total_mm:  # too many columns for one-line headings: in proportion to need
        return [round(total_mm * need / sum(needs), 1) for need in needs]
    widths = list(floors)
    spare = total_mm - sum(floors)
    extra = [max(need * _CHAR_MM + _PADDING_MM - floor, 0) for need, floor in zip(needs, floors)]
    if sum(extra) == 0:
        extra = [1.0] * len(columns)
    give = [spare * e / sum(extra) for e in extra]
    return [round(w + g, 1) for w, g in zip(widths, give)]


def _cell_width(cell, mm: float) -> None:
    cell.width = Mm(mm)


def _table(document, table: dict) -> None:
    """A bordered table: its header row repeated on every page and never split, columns sized to
    their content, 仿宋 小四 in the cells."""
    columns, rows = table["columns"], table["rows"]
    widths = column_widths(columns, rows)
    grid = document.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    tblPr = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblPr.append(layout)
    for column, mm in zip(grid.columns, widths):
        column.width = Mm(mm)
    header = grid.rows[0]
    trPr = header._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        trPr.append(OxmlElement(tag))
    for cell, heading, mm in zip(header.cells, columns, widths):
        _cell_width(cell, mm)
        cell.paragraphs[0].style = document.styles["表头"]
        cell.paragraphs[0].add_run(heading)
    for row, values in zip(grid.rows[1:], rows):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        row.height = Mm(10)
        for cell, value, mm in zip(row.cells, values, widths):
            _cell_width(cell, mm)
            cell.paragraphs[0].style = document.styles["表格文字"]
            if value:
                _runs(cell.paragraphs[0], value)
    document.add_paragraph()


def _section(document, section: OutlineSection) -> None:
    level = min(section.level, 4)
    heading = document.add_paragraph(style=document.styles[f"Heading {level}"])
    heading.add_run(gongwen_number(section.number) + section.title)
    for point in section.points:
        paragraph = document.add_paragraph(style=document.styles["落款" if section.signature else "Normal"])
        _runs(paragraph, point)
    if section.table:
        _table(document, section.table)
    if section.examples:
        document.add_paragraph("参考写法(摘自其他学校的文件,供参照写法,不可照抄数字):", style=document.styles["参考写法标题"])
        for example in section.examples:
            document.add_paragraph(f"[{example['n']}] {excerpt(example['text'], EXAMPLE_CHARS)}",
                                   style=document.styles["参考写法"])
            document.add_paragraph(f"—— {where(example)}", style=document.styles["参考写法出处"])
    for child in section.sections:
        _section(document, child)


#: Characters a Word file (XML 1.0) cannot hold: control characters, lone surrogates, U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value):
    """`value` (text, or lists, dicts and dataclasses of it) without the characters XML cannot hold:
    a school name or fact pasted with a control character is written without it, not refused."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: xml_safe(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value


def write_gongwen_docx(outline: Outline, path, notes: list[str]):
    """Write `outline` as a 公文-format Word file at `path` (a path or a binary file object); `notes` (what kind, what to fill) go in
    a grey box under the title."""
    outline, notes = xml_safe(outline), xml_safe(notes)
    document = Document()
    _styles(document)
    _font_table(document)
    _page(document)
    document.core_properties.title = outline.title
    document.core_properties.subject = f"{outline.kind_name}提纲"
    document.core_properties.keywords = "义务教育均衡发展"
    document.core_properties.language = "zh-CN"
    title = document.add_paragraph(style=document.styles["Title"])
    for number, line in enumerate(title_lines(outline.title)):
        if number:
            title.add_run().add_break()
        _runs(title, line)
    for line in notes:
        document.add_paragraph(line, style=document.styles["提纲说明"])
    spacer = document.add_paragraph()
    spacer.paragraph_format.line_spacing = Pt(14)
    for section in outline.sections:
        _section(document, section)
    document.save(path if hasattr(path, "write") else str(path))
    return path


__all__ = ["PAGE", "column_widths", "gongwen_number", "set_fonts", "write_gongwen_docx"]
