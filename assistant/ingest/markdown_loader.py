"""Markdown → lines: headings as structure, front matter and comments kept out of the body.

- `#`…`######` headings lose their marks and carry their level (`Line.heading`), as Word heading
  styles do: "# 中华人民共和国义务教育法" is the title line "中华人民共和国义务教育法" (level 1),
  "## 第一章 总则" a level-2 heading.
- A header block is not body text: the lines after the title up to a comment that closes it
  (`<!-- INFO END -->`, as law collections write it), or a YAML front-matter block (`---` … `---`)
  at the top of the file. Its lines go to `LoadedFile.header` (dates and bodies of adoption and
  revision, read by regulations.py).
- HTML comments (`<!-- … -->`, also over several lines) are dropped.
Line numbers are those of the file."""

from __future__ import annotations

import re
from pathlib import Path

from ..documents import Line
from .encoding import decode_bytes
from .loaders import LoadedFile, clean_line, loader

_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: a comment that closes a header block
_HEADER_END = re.compile(r"<!--\s*INFO\s+END\s*-->", re.I)
_FRONT_MATTER = re.compile(r"^---\s*$")


def _without_comments(text: str) -> str:
    """The text with HTML comments blanked out, keeping the line breaks (and so the line numbers)."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _line(text: str, number: int) -> Line:
    match = _HEADING.match(text)
    if match:
        return Line(match.group(2) or "", number, number, heading=len(match.group(1)))
    return Line(text, number, number)


def markdown_lines(text: str) -> tuple[list[Line], list[Line]]:
    """(body lines, header lines) of a Markdown text. Before a header-closing comment, the title
    (the first heading, else the first line) is body and every other line is header."""
    original = text.splitlines()
    raw = _without_comments(text).splitlines()
    header: list[Line] = []
    start = 0
    if raw and _FRONT_MATTER.match(raw[0]):
        close = next((i for i in range(1, len(raw)) if _FRONT_MATTER.match(raw[i])), None)
        if close is not None:
            header = [Line(clean_line(raw[i]), i + 1, i + 1) for i in range(1, close) if clean_line(raw[i])]
            start = close + 1
    end = next((i for i in range(start, len(original)) if _HEADER_END.search(original[i])), None)
    lines = [_line(clean_line(raw[i]), i + 1) for i in range(start, len(raw)) if clean_line(raw[i])]
    lines = [line for line in lines if line.text]  # a heading mark without text
    if end is None:
        return lines, header
    before = [line for line in lines if line.start <= end]
    title = next((line for line in before if line.heading is not None), before[0] if before else None)
    header += [Line(line.text, line.start, line.end) for line in before if line is not title]
    body = ([title] if title else []) + [line for line in lines if line.start > end]
    return body, header


@loader(".md", ".markdown")
def load_markdown(path: Path) -> LoadedFile:
    text, encoding = decode_bytes(path.read_bytes(), path.name)
    body, header = markdown_lines(text)
    return LoadedFile(path, "md", body, encoding, header=header)
