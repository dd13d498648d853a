"""Tables as tables: a grid of cell texts (a Word table, a table pdfplumber found on a PDF page) becomes
one line per record, each cell with its column's header: "指标：生均体育运动场馆面积（平方米） | 标准值：≥10.2 |
本校数值：6.40 | 是否达标：未达标". So a row is found, ranked and quoted with what its figures mean, and a figure in a
cell is never taken for a heading (the build treats a line holding TABLE_CELL as a table row).

- A first row that is one cell across the table (merged) is the table's title, kept as a line of its own.
- Header rows: the leading rows (at most two) in which no cell is a figure; a column's label is its header
  cells top-down, repeats dropped ("小学" over "差异系数" → "小学差异系数").
- Side-by-side records: a header that repeats with a period ("项目 | 内容 | 项目 | 内容") splits each row into
  that many records, each a line; a two-column record (a name and its value) reads "学校名称：云溪县白沙乡中心学校".
- Without a header, a row is its cells joined by TABLE_CELL.
- Merged cells: a cell merged across columns counts once in a record; one merged down rows repeats in each
  row (pdfplumber gives None for the covered cells: filled from the left in a header, from above in the body).
"""

from __future__ import annotations

import re

from ..documents import TABLE_CELL

#: A cell that is a figure: digits with separators, a share, a ratio, a comparison sign, perhaps a unit.
_FIGURE_CELL = re.compile(r"^[≥≤<>＞＜~约]?\s*[-+]?\d[\d,，.:：/%％\s]*(?:[个名所人间套册台万元亿㎡米%％]|平方米|万元)?\s*$")
#: Longest text a header cell has (a longer first row is data, not a header).
HEADER_CELL_CHARS = 30
#: Header rows at most.
HEADER_ROWS = 2


_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff（）()、，。：；])\s+(?=[\u4e00-\u9fff（）()、，。：；])")


#: A space a layout put between a figure and Chinese text, inside a date or a document number ("2023年9 月",
#: "〔2012 〕3 号", "8 月 31 日", "图书 3000 册"): Chinese text puts none there. Spaces between Latin words
#: and figures ("in 2023 the") and between two figures stay.
SPACED_FIGURE = re.compile(r"(?<=\d)[ \t\u3000]+(?=[\u4e00-\u9fff〔〕\[\]（）%％])"
                           r"|(?<=[\u4e00-\u9fff〔〕\[\]（）])[ \t\u3000]+(?=\d)")


def _clean(text: str | None) -> str:
    """One line: a cell's text wrapped inside its box is joined (no space between Chinese characters)."""
    text = (text or "").replace("\u00a0", " ").replace("\u3000", " ")
    return SPACED_FIGURE.sub("", re.sub(r"\s+", " ", _CJK_GAP.sub("", text))).strip()


def is_figure(cell: str) -> bool:
    return bool(_FIGURE_CELL.match(cell))


def _is_header(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return bool(cells) and not any(is_figure(c) for c in cells) and all(len(c) <= HEADER_CELL_CHARS for c in cells)


def _groups(row: list[str]) -> bool:
    """Does a header row group columns (a cell across two or more: "小学 | 小学 | 初中 | 初中")? Only then is
    the row below it a second header row rather than data without figures."""
    return any(a and a == b for a, b in zip(row, row[1:]))


def _labels(header: list[list[str]], width: int) -> list[str]:
    labels = []
    for column in range(width):
        parts: list[str] = []
        for row in header:
            cell = row[column] if column < len(row) else ""
            if cell and (not parts or parts[-1] != cell):
                parts.append(cell)
        labels.append("".join(parts))
    return labels


def _period(labels: list[str]) -> int:
    """The period with which the labels repeat ("项目 内容 项目 内容" → 2), else their number."""
    n = len(labels)
    for p in range(1, n // 2 + 1):
        if n % p == 0 and all(labels[i] == labels[i + p] for i in range(n - p)) and any(labels[:p]):
            return p
    return n


def _record(labels: list[str], cells: list[str], merged: list[bool]) -> str:
    if len(labels) == 2 and cells[0] and not is_figure(cells[0]):
        return f"{cells[0]}：{cells[1]}" if cells[1] else ""  # a name and its value
    pairs = []
    for label, cell, repeat in zip(labels, cells, merged):
        if not cell or repeat:
            continue
        pairs.append(f"{label}：{cell}" if label and label != cell else cell)
    return TABLE_CELL.join(pairs) if len(pairs) > 1 else ""


def fill_down(grid: list[list[str | None]]) -> list[list[str]]:
    """pdfplumber's None (a cell covered by a merged one): in the first row from the left (a heading over
    several columns), below it from above (a cell over several rows), else from the left."""
    out: list[list[str]] = []
    for r, row in enumerate(grid):
        if r > 0 and sum(cell is not None for cell in row) == 1 and row[0] is not None:
            out.append([_clean(row[0])] + [""] * (len(row) - 1))  # one cell across the row: a group's title
            continue
        filled = []
        for c, cell in enumerate(row):
            if cell is None:
                above = out[-1][c] if out and c < len(out[-1]) else ""
                if r > 0 and above:
                    cell = above
                elif filled:
                    cell = filled[-1]
            filled.append(_clean(cell))
        out.append(filled)
    return out


def table_lines(grid: list[list[str]], spans: list[list[bool]] | None = None,
                labels: list[str] | None = None) -> tuple[list[tuple[int, str]], list[str] | None]:
    """(row index, line) for each record of the table, and the column labels (None without a header).
    `spans[r][c]`: the cell is the one to its left, merged across (counted once). `labels`: the header of
    the table this one continues (a table broken over a page), used when this part has no header of its own."""
    rows = [[_clean(c) for c in row] for row in grid]
    spans = spans or [[False] * len(row) for row in rows]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    spans = [s + [False] * (width - len(s)) for s in spans]
    out: list[tuple[int, str]] = []
    start = 0
    first = [c for c in rows[0] if c] if rows else []
    if len(rows) > 1 and width > 1 and first and len(set(first)) == 1 and len(first) in (1, width):
        out.append((0, first[0]))  # a title across the table
        start = 1
    header: list[list[str]] = []
    while start < len(rows) and len(header) < HEADER_ROWS and _is_header(rows[start]) and \
            start + 1 < len(rows) and (not header or _groups(header[-1])):
        header.append(rows[start])
        start += 1
    if header and labels is not None and _labels(header, width) == labels:
        pass  # the header repeated at the top of a page
    elif header:
        labels = _labels(header, width)
    elif labels is not None and len(labels) != width:
        labels = None
    if labels is None:
        for r in range(start, len(rows)):
            cells = [c for c, repeat in zip(rows[r], spans[r]) if c and not repeat]
            if cells:
                out.append((r, TABLE_CELL.join(cells) if len(cells) > 1 else cells[0]))
        return out, None
    period = _period(labels)
    for r in range(start, len(rows)):
        for k in range(0, width, period):
            line = _record(labels[k:k + period], rows[r][k:k + period], spans[r][k:k + period])
            if line:
                out.append((r, line))
    return out, labels
