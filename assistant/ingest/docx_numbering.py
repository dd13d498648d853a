"""Word automatic numbering → the label a reader sees ("一、", "(二)", "3.", "①", "•").

Word does not store the number of an auto-numbered paragraph in its text: the paragraph names a
list (`w:numPr`: numId + level, on the paragraph or its style) and numbering.xml says how each
level is counted and written (`w:numFmt`, `w:lvlText` such as "%1、" or "(%2)", `w:start`).
`Numbering.label(paragraph)` counts the paragraphs of each list in document order, so 公文
numbering typed by Word's list feature reaches the structure parser like typed numbering."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..language.numerals import int_to_cn

_BULLET = "•"


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter written in a Word numFmt."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographDigital"):
        return int_to_cn(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(ord("①") + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(ord("⑴") + n - 1)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "none":
        return ""
    return str(n)  # decimal, decimalZero, and formats we do not write


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _xpath(element, path: str) -> list:
    """lxml XPath with the `w:` prefix on any element (python-docx's own classes or plain lxml)."""
    from lxml import etree

    return etree._Element.xpath(element, path, namespaces=_NS)


def _val(element, path: str) -> str | None:
    found = _xpath(element, path)
    return found[0] if found else None


class Numbering:
    """The numbering definitions of one .docx, and the counters of its lists so far."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # a document without numbering.xml
        abstract = {}
        for node in _xpath(root, "./w:abstractNum"):
            abstract[_val(node, "./@w:abstractNumId")] = self._read_levels(node)
        for num in _xpath(root, "./w:num"):
            levels = dict(abstract.get(_val(num, "./w:abstractNumId/@w:val"), {}))
            for override in _xpath(num, "./w:lvlOverride"):
                ilvl = int(_val(override, "./@w:ilvl") or 0)
                start = _val(override, "./w:startOverride/@w:val")
                inline = _xpath(override, "./w:lvl")
                if inline:
                    levels[ilvl] = self._read_levels(override)[ilvl]
                if start is not None and ilvl in levels:
                    levels[ilvl] = _Level(levels[ilvl].fmt, levels[ilvl].text, int(start))
            self.levels[_val(num, "./@w:numId")] = levels

    @staticmethod
    def _read_levels(node) -> dict[int, _Level]:
        levels = {}
        for lvl in _xpath(node, "./w:lvl"):
            levels[int(_val(lvl, "./@w:ilvl") or 0)] = _Level(
                _val(lvl, "./w:numFmt/@w:val") or "decimal",
                _val(lvl, "./w:lvlText/@w:val") or "",
                int(_val(lvl, "./w:start/@w:val") or 1))
        return levels

    @staticmethod
    def _num_pr(paragraph) -> tuple[str, int] | None:
        """(numId, level) from the paragraph, else from its style chain."""
        candidates = [paragraph._p]
        style = paragraph.style
        while style is not None:
            candidates.append(style.element)
            style = style.base_style
        num_id, ilvl = None, None
        for element in candidates:
            num_id = num_id or _val(element, "./w:pPr/w:numPr/w:numId/@w:val")
            if ilvl is None:
                found = _val(element, "./w:pPr/w:numPr/w:ilvl/@w:val")
                ilvl = int(found) if found is not None else None
        if num_id is None or num_id == "0":
            return None
        return num_id, ilvl or 0

    def label(self, paragraph) -> str:
        """The label Word shows before this paragraph ("" when it is not numbered); counts it."""
        found = self._num_pr(paragraph)
        if found is None or found[0] not in self.levels:
            return ""
        num_id, ilvl = found
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the lists under it
        level = levels[ilvl]
        if level.fmt == "bullet":
            return _BULLET + " "

        def number(match: re.Match) -> str:
            k = int(match.group(1)) - 1
            lvl = levels.get(k, _Level())
            return format_number(counters.get(k, lvl.start), lvl.fmt)

        return re.sub(r"%(\d)", number, level.text)
