"""Outline → Markdown, JSON (the body of `POST /draft`) and Word (.docx, python-docx).

Markdown and Word show each example as an excerpt with its citation (title › section, file and
lines); JSON carries the full passage text in the citation shape of `ask`."""

from __future__ import annotations

import json
from pathlib import Path

from .outline import Outline, OutlineSection, excerpt, where
from .template import PLACEHOLDER

FORMATS = ("md", "docx", "json")
_EXAMPLE_CHARS = 220



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

def write_docx(outline: Outline, path: Path) -> Path:
    """Write the outline as a Word file in 公文 format (GB/T 9704: A4, its margins, 方正小标宋简体 title,
    仿宋_GB2312 body at 28-pt lines, 黑体/楷体 headings numbered as text; gongwen.py): points as
    paragraphs with highlighted placeholders, tables to fill in, examples in a 楷体 block with
    their citations."""
    from .gongwen import write_gongwen_docx

    return write_gongwen_docx(outline, path, header_lines(outline))
