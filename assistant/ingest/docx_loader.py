"""Word .docx → lines: one per paragraph and one per table row, in document order.

Line numbers are paragraph numbers: every body paragraph (empty ones too) and every table row
counts once, in reading order, so a citation "report.docx:12-14" points at paragraphs 12 to 14.
Auto-numbered paragraphs get the label Word shows ("一、", "(二)", "1.") in front of their text
(see docx_numbering.py); paragraphs in a heading style, or with an outline level, carry their
heading level on `Line.heading`. A table becomes one line per record, each cell with its column's
header (ingest/tables.py); its header rows are counted but not repeated as lines."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..documents import Line
from ..errors import LoadError
from .docx_numbering import Numbering, _xpath
from .loaders import LoadedFile, loader
from .tables import table_lines

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old binary Word files, and password-protected .docx


def _outline_level(element) -> int | None:
    found = _xpath(element, "./w:pPr/w:outlineLvl/@w:val")
    if not found:
        return None
    level = int(found[0])
    return level + 1 if level < 9 else 0  # 9 = body text


def heading_level(paragraph) -> int | None:
    """1 for "Heading 1" (or "标题 1", or outline level 1), …; None for body text."""
    level = _outline_level(paragraph._p)
    style = paragraph.style
    while level is None and style is not None:
        match = _HEADING_STYLE.match(style.name or "")
        if match:
            return int(match.group(1))
        level = _outline_level(style.element)
        style = style.base_style
    return level or None


def _clean(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u3000", " ").replace("\t", " ").strip()


def _grid(table) -> tuple[list[list[str]], list[list[bool]]]:
    """The table's cell texts by grid column, and which cells are the one to their left merged across
    (python-docx lists a merged cell once per grid column it spans; one merged down, once per row)."""
    grid, spans = [], []
    for row in table.rows:
        texts, merged, previous = [], [], None
        for cell in row.cells:
            texts.append(" ".join(_clean(part) for part in cell.text.splitlines() if _clean(part)))
            merged.append(previous is not None and cell._tc is previous)
            previous = cell._tc
        grid.append(texts)
        spans.append(merged)
    return grid, spans


def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_SIGNATURE):
        raise LoadError(f"{path.name}: an old Word .doc file or a password-protected .docx; "
                        f"open it in Word or WPS and save it as .docx without a password")
    if not zipfile.is_zipfile(path):
        raise LoadError(f"{path.name}: not a Word .docx file (not a zip package); "
                        f"open it in Word or WPS and save it as .docx")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise LoadError(f"{path.name}: damaged .docx ({type(exc).__name__}: {exc}); "
                        f"open it in Word or WPS and save it again") from exc


@loader(".docx")
def load_docx(path: Path) -> LoadedFile:
    from docx.table import Table

    document = _open(path)
    numbering = Numbering(document)
    lines: list[Line] = []
    number = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            grid, spans = _grid(block)
            for row, text in table_lines(grid, spans)[0]:
                lines.append(Line(text, number + row + 1, number + row + 1))
            number += len(grid)
            continue
        number += 1
        label = numbering.label(block)  # counted even when empty: Word shows a number there too
        parts = [_clean(part) for part in block.text.splitlines()]
        parts = [part for part in parts if part]
        if not parts:
            continue
        parts[0] = label + parts[0]
        level = heading_level(block)
        for n, part in enumerate(parts):  # a manual line break inside a paragraph starts a new line
            lines.append(Line(part, number, number, None, level if n == 0 else None))
    return LoadedFile(path, "docx", lines, paragraphs=True)
