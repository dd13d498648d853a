"""公文 heading hierarchy → a section tree per document; indicator codes (A2, B6:C9, C7-C15).

Headings: 一、 → (一)/（一）/㈠ → 1./1、 → (1)/⑴ → ①, plus "一是…二是…" enumerations and
indicator labels ("B6:C9", "B:C10"). Flattened PDF text hides headings inside lines
("职责: 7.… B6:C9 1.… 2.…"); `split_hidden_headings` cuts such lines first.

Real documents nest the same numbering style (a "一、" list inside a "3." group) and skip
levels, so the parser follows numbering continuity instead of fixed levels: a heading is the
next sibling of the deepest open heading of its style whose number it continues; otherwise it
opens a nested list. A continuation is refused when the same number turns up again later,
unexplained, before an enclosing list moves on: "(二)图书室装订目录" inside the A2 group is not
the sibling of "(一)加强组织领导" when "(二)建立校长、组长责任制" follows the groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .documents import Document, Line, Section
from .numerals import cn_to_int

CN = "一二三四五六七八九十"
#: style -> (pattern at the start of a block, rank used for display and tests)
STYLES: list[tuple[str, re.Pattern, int]] = [
    ("cn", re.compile(rf"^(?P<n>[{CN}]{{1,3}})\s*[、．.](?!\d)"), 1),
    ("paren_cn", re.compile(rf"^(?:[(\uff08]\s*(?P<n>[{CN}]{{1,3}})\s*[)\uff09]|(?P<c>[㈠-㈩]))\s*[、.,\uff0c]?"), 2),
    ("indicator", re.compile(r"^(?P<n>B\d{0,2})\s*[\uff1a:]\s*C\s*\d{1,2}(?:\s*[-—–-]\s*C?\s*\d{1,2})?"), 3),
    ("arabic", re.compile(r"^(?P<n>\d{1,2})\s?[.、．]\s?(?=\D|\d{4})"), 3),
    ("paren_arabic", re.compile(r"^(?:[(\uff08]\s*(?P<n>\d{1,2})\s*[)\uff09]|(?P<c>[⑴-⒇]))"), 4),
    ("circled", re.compile(r"^(?P<c>[①-⑳])"), 5),
    ("enum", re.compile(rf"^(?P<n>[{CN}]{{1,2}})是(?=[\u4e00-\u9fff“\"《])"), 6),
]
_CIRCLED_BASE = {"paren_cn": "㈠", "paren_arabic": "⑴", "circled": "①"}

_HIDDEN = re.compile(
    r"(?<=[\s。;\uff1b\uff1a:!?\uff01\uff1f])\s*(?="
    rf"[{CN}]{{1,3}}、|[(\uff08][{CN}]{{1,3}}[)\uff09]|\d{{1,2}}\s?[.、．]\s?(?:\D|\d{{4}})|[(\uff08]\d{{1,2}}[)\uff09]|"
    r"[①-⑳⑴-⒇㈠-㈩]|B\d{0,2}\s*[\uff1a:]\s*C\s*\d)"
)
_HEAD_END = re.compile(r"[。;\uff1b\uff1a:,\uff0c!?\uff01\uff1f\s]")
_LABEL = re.compile(r"^\s*(组\s*长|副组长|成\s*员|组\s*员|责任指标|工作任务|负责人)")


def is_title_text(rest: str, head: str, after: str) -> bool:
    """A heading's shape: a short title ("A2保障机制组", "图书室装订目录") or a title followed by
    labels ("宣传报道组 组长:严志远"), as opposed to a sentence item ("学校作息时间表 ;")."""
    stripped = rest.strip()
    if len(stripped) <= 20 and not re.search(r"[;\uff1b。,\uff0c]", stripped):
        return True
    return len(head) <= 16 and after.isspace() and bool(_LABEL.match(rest[len(head):]))


@dataclass
class Marker:
    style: str
    number: int
    rank: int
    label: str  # the marker itself, e.g. "3." or "(二)" or "B6:C9"
    head: str  # the first clause after the marker
    title_like: bool  # a short title ("3.A2保障机制组"), not a sentence item ("2.学校财务管理制度…;")
    level: int | None = None  # heading level marked by the source itself (Word heading styles)


def parse_marker(text: str) -> Marker | None:
    for style, pattern, rank in STYLES:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("c"):
            number = ord(groups["c"]) - ord(_CIRCLED_BASE[style]) + 1
        elif style == "indicator":
            digits = groups["n"][1:]
            number = int(digits) if digits else 0
        elif groups["n"].isdigit():
            number = int(groups["n"])
        else:
            number = cn_to_int(groups["n"])
        rest = text[match.end():].lstrip()
        if style == "indicator":
            label, rest = match.group(0), text[match.end():].lstrip()
        else:
            label = match.group(0).strip()
        head_match = _HEAD_END.search(rest)
        head = rest[: head_match.start()] if head_match else rest
        after = rest[head_match.start()] if head_match else ""
        title_like = is_title_text(rest, head, after)
        if style == "indicator":
            title_like = True
        return Marker(style, number, rank, label, head, title_like)
    return None


def marker_of(line: Line) -> Marker | None:
    """A block's heading marker: its 公文 numbering, or the heading level its source marks (a Word
    "Heading 1" paragraph "指导思想" has no numbering but is a heading all the same)."""
    marker = parse_marker(line.text)
    if line.heading is None:
        return marker
    if marker is None:
        return Marker(f"heading{line.heading}", 0, line.heading, "", line.text, True, line.heading)
    marker.title_like, marker.level = True, line.heading
    return marker


def split_hidden_headings(line: Line) -> list[Line]:
    """Cut a flattened line before each heading hidden inside it."""
    parts = [p.strip() for p in _HIDDEN.split(line.text)]
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return [line]
    return [Line(p, line.start, line.end, line.page, line.heading if n == 0 else None) for n, p in enumerate(parts)]


_RANGE = re.compile(r"(?<![A-Za-z0-9])([ABC])\s*(\d{1,2})\s*[-—–~～至到]+\s*(?:\1)?\s*(\d{1,2})(?!\d)")
_SINGLE = re.compile(r"(?<![A-Za-z0-9])([ABC])\s?(\d{1,2})(?!\d)")
_LIMITS = {"A": 4, "B": 20, "C": 34}


def extract_codes(text: str) -> list[str]:
    """Indicator codes in reading order, ranges expanded: "责任指标:C7-C9 B6:C9" → C7, C8, C9, B6."""
    codes: list[str] = []

    def add(letter: str, number: int) -> None:
        code = f"{letter}{number}"
        if 1 <= number <= _LIMITS[letter] and code not in codes:
            codes.append(code)

    for match in _RANGE.finditer(text):
        letter, lo, hi = match.group(1), int(match.group(2)), int(match.group(3))
        if lo <= hi <= lo + 34:
            for number in range(lo, hi + 1):
                add(letter, number)
    for match in _SINGLE.finditer(text):
        add(match.group(1), int(match.group(2)))
    return codes


@dataclass
class Node:
    id: str
    marker: Marker | None
    heading: str
    parent: "Node | None"
    depth: int
    blocks: list[Line] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        """Headings from the top down to this node; sentence-like items above it are left out."""
        node, out = self, []
        while node is not None and node.marker is not None:
            if node is self or node.marker.title_like or node.marker.rank <= 2:
                out.append(node.heading)
            node = node.parent
        return out[::-1]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def all_lines(self) -> list[Line]:
        out = list(self.blocks)
        for child in self.children:
            out.extend(child.all_lines())
        return out

    def full_text(self) -> str:
        return "\n".join(line.text for line in self.all_lines())


def display_heading(marker: Marker, text: str, limit: int = 30) -> str:
    if marker.style == "indicator":
        return marker.label.replace(" ", "")
    body = text[len(marker.label):].strip() if text.startswith(marker.label) else text
    if not marker.label:  # a styled heading without numbering: its text is the heading
        return body if len(body) <= limit else body[:limit].rstrip() + "…"
    cut = re.search(r"[。;\uff1b\uff1a:!?\uff01\uff1f]|\s{1,}(?=\S)", body)
    head = body[: cut.start()] if cut else body
    if len(head) > limit:
        head = head[:limit].rstrip() + "…"
    return f"{marker.label}{head}"


def _continues(marker: Marker, node: Node, gap: int = 1) -> bool:
    om = node.marker
    return (om is not None and marker.style == om.style and om.number < marker.number <= om.number + gap
            and marker.title_like == om.title_like)


def _competitor_ahead(markers: list[Marker | None], i: int, marker: Marker, ancestors: list[Node]) -> bool:
    """Does a heading of the same style, number and shape come later, before an enclosing list
    continues and before a new list of that style starts (which would explain it)?"""
    for later in markers[i + 1:]:
        if later is None:
            continue
        if any(_continues(later, a) for a in ancestors):
            return False
        if later.style != marker.style:
            continue
        if later.number == 1:
            return False
        if later.number == marker.number and later.title_like == marker.title_like:
            return True
    return False


def build_tree(document: Document) -> Node:
    """The document's section tree; `Node.blocks` are its own lines (hidden headings split out)."""
    blocks: list[Line] = []
    for line in document.lines:
        blocks.extend(split_hidden_headings(line))
    markers = [marker_of(block) for block in blocks]
    root = Node(f"{document.id}/s0", None, "", None, 0)
    stack: list[Node] = [root]
    count = 0
    for i, (block, marker) in enumerate(zip(blocks, markers)):
        if i == 0 or marker is None:  # the first line is the document's title
            stack[-1].blocks.append(block)
            continue
        parent = _attach_point(stack, markers, i, marker)
        count += 1
        node = Node(f"{document.id}/s{count}", marker, display_heading(marker, block.text), parent,
                    parent.depth + 1, [block])
        parent.children.append(node)
        while stack[-1] is not parent:
            stack.pop()
        stack.append(node)
    return root


def _attach_point(stack: list[Node], markers: list[Marker | None], i: int, marker: Marker) -> Node:
    """The node the new heading hangs under: a sibling's parent, or the deepest open node.

    Candidates are open headings of the same style that the new number continues (n+1, or n+2
    for the most recent list, where an item was skipped); same shape first, then nearest gap,
    then deepest. A candidate with an unexplained competitor ahead is refused. A heading whose
    source marks its level (Word heading styles) hangs under the nearest open heading of a
    higher level, as in Word's own outline."""
    if marker.level is not None:
        for depth in range(len(stack) - 1, 0, -1):
            om = stack[depth].marker
            if om is not None and om.level is not None and om.level < marker.level:
                return stack[depth]
        return stack[0]
    if marker.style == "indicator":
        for depth in range(len(stack) - 1, 0, -1):
            if stack[depth].marker and stack[depth].marker.style == "indicator":
                return stack[depth].parent
        return stack[-1]
    candidates = []
    most_recent = True
    for depth in range(len(stack) - 1, 0, -1):
        om = stack[depth].marker
        if om is None or om.style != marker.style:
            continue
        gap = marker.number - om.number
        if gap == 1 or (gap == 2 and most_recent):
            candidates.append((om.title_like != marker.title_like, gap, -depth, depth))
        most_recent = False
    for *_, depth in sorted(candidates):
        if not _competitor_ahead(markers, i, marker, stack[1:depth]):
            return stack[depth].parent
    return stack[-1]


def sections_of(document: Document, root: Node) -> list[Section]:
    """Flatten the tree into Section records (document order), with spans and codes."""
    sections = []
    for order, node in enumerate(root.walk()):
        lines = node.all_lines()
        if not lines:
            continue
        own_text = " ".join(line.text for line in node.blocks)
        codes = extract_codes(node.heading) if node.marker else []
        if node.marker is not None:
            codes += [c for c in extract_codes(own_text[:120]) if c not in codes]
        sections.append(Section(
            id=node.id, doc_id=document.id, heading=node.heading, level=node.depth,
            parent=node.parent.id if node.parent else None, path=node.path,
            start_line=min(line.start for line in lines), end_line=max(line.end for line in lines),
            codes=codes, order=order))
    return sections
