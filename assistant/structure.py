"""Heading hierarchy → a section tree per document (indicator codes: language/codes.py).

One table of heading styles (`STYLES`) serves school documents and regulations alike.

公文 numbering: 一、 → (一)/（一）/㈠ → 1./1、 → (1)/⑴ → ①, plus "一是…二是…" enumerations and
indicator labels ("B6:C9", "B:C10"). Flattened PDF text hides headings inside lines
("职责: 7.… B6:C9 1.… 2.…"); `split_hidden_headings` cuts such lines first.
Real documents nest the same numbering style (a "一、" list inside a "3." group) and skip
levels, so the parser follows numbering continuity instead of fixed levels: a heading is the
next sibling of the deepest open heading of its style whose number it continues; otherwise it
opens a nested list. A continuation is refused when the same number turns up again later,
unexplained, before an enclosing list moves on: "(二)图书室装订目录" inside the A2 group is not
the sibling of "(一)加强组织领导" when "(二)建立校长、组长责任制" follows the groups.

Regulations: 第X编 → 第X章 → 第X节 → 第X条 have fixed levels (the style's `level`), as do 附则
and annexes (附件, 附录); an article (第X条) holds everything up to the next article or heading:
its paragraphs (款) and items (项, "（一）…"), which are lines of the article, never headings
above later articles. Inside regulation structure an unnumbered short line right before an
article or a heading the source marks (Markdown "##") is a heading at chapter level. An article
whose number is not followed by a space is taken only when it continues the numbering (第十条
after 第九条), so a paragraph opening "第三条规定的…" stays a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .language.codes import extract_codes
from .documents import Document, Line, Section, is_table_row
from .language.numerals import cn_to_int

__all__ = ["STYLES", "Style", "Marker", "Node", "build_tree", "cn_to_int", "extract_codes", "marker_of",
           "parse_marker", "sections_of", "split_hidden_headings"]

CN = "一二三四五六七八九十"
#: numerals of regulation numbering (第二百六十条, 第一百零二条)
CN_BIG = "一二三四五六七八九十百千零两〇"
_SHORT_TITLE = r"(?=[\s]|$|[^\s。，；：,;:！？!?]{1,20}$)"


@dataclass(frozen=True)
class Style:
    name: str
    pattern: re.Pattern
    rank: int  # used for display and tests: rank <= 2 headings always stay in a path
    level: int | None = None  # fixed structural level (regulations); None: numbering continuity


#: Heading styles, tried in order. Regulation levels: 1 编 and annexes, 2 章 and 附则, 3 节, 4 条.
STYLES: list[Style] = [
    Style("part", re.compile(rf"^第(?P<n>[{CN_BIG}]{{1,8}})编{_SHORT_TITLE}"), 1, 1),
    Style("chapter", re.compile(rf"^第(?P<n>[{CN_BIG}]{{1,8}})章{_SHORT_TITLE}"), 1, 2),
    Style("section", re.compile(rf"^第(?P<n>[{CN_BIG}]{{1,8}})节{_SHORT_TITLE}"), 2, 3),
    Style("article", re.compile(rf"^第(?P<n>[{CN_BIG}]{{1,8}})条(?:之(?P<sub>[{CN}]{{1,3}}))?(?P<space>\s)?"
                                rf"(?=\S|$)(?![、，,])"), 3, 4),
    Style("supplementary", re.compile(r"^附\s*则$"), 1, 2),
    Style("annex", re.compile(rf"^附\s*[件录](?:\s*(?P<n>\d{{1,2}}|[{CN}]{{1,3}}))?(?:\s*[:：]\s*|\s+|$)"
                              r"(?=[^。；;]{0,40}$)"), 1, 1),
    Style("cn", re.compile(rf"^(?P<n>[{CN}]{{1,3}})\s*[、．.](?!\d)"), 1),
    Style("paren_cn", re.compile(rf"^(?:[(\uff08]\s*(?P<n>[{CN}]{{1,3}})\s*[)\uff09]|(?P<c>[㈠-㈩]))\s*[、.,\uff0c]?"), 2),
    Style("indicator", re.compile(r"^(?P<n>B\d{0,2})\s*[\uff1a:]\s*C\s*\d{1,2}(?:\s*[-—–-]\s*C?\s*\d{1,2})?"), 3),
    Style("arabic", re.compile(r"^(?P<n>\d{1,2})\s?[.、．]\s?(?=\D|\d{4})"), 3),
    Style("paren_arabic", re.compile(r"^(?:[(\uff08]\s*(?P<n>\d{1,2})\s*[)\uff09]|(?P<c>[⑴-⒇]))"), 4),
    Style("circled", re.compile(r"^(?P<c>[①-⑳])"), 5),
    Style("enum", re.compile(rf"^(?P<n>[{CN}]{{1,2}})是(?=[\u4e00-\u9fff“\"《])"), 6),
]
#: the level of a heading without numbering inside regulation structure (附则 written "附 则", a
#: chapter title without 第X章)
CHAPTER_LEVEL = 2
_CIRCLED_BASE = {"paren_cn": "㈠", "paren_arabic": "⑴", "circled": "①"}

_HIDDEN = re.compile(
    r"(?<=[\s。;\uff1b\uff1a:!?\uff01\uff1f])\s*(?="
    rf"[{CN}]{{1,3}}、|[(\uff08][{CN}]{{1,3}}[)\uff09]|\d{{1,2}}\s?[.、．]\s?(?:\D|\d{{4}})|[(\uff08]\d{{1,2}}[)\uff09]|"
    r"[①-⑳⑴-⒇㈠-㈩]|B\d{0,2}\s*[\uff1a:]\s*C\s*\d)"
)
#: an article or chapter run into the previous sentence by flattened text ("…制定本法。 第二条 国家…")
_HIDDEN_ARTICLE = re.compile(rf"(?<=[。；;])\s*(?=第[{CN_BIG}]{{1,8}}[条章节](?:之[{CN}]{{1,3}})?\s)")
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
    label: str  # the marker itself, e.g. "3." or "(二)" or "B6:C9" or "第十一条"
    head: str  # the first clause after the marker
    title_like: bool  # a short title ("3.A2保障机制组"), not a sentence item ("2.学校财务管理制度…;")
    level: int | None = None  # fixed level: a regulation style's, or the one the source marks (Word, Markdown)
    structural: bool = False  # a regulation heading (编/章/节/条, 附则, annex, or a heading inside them)
    spaced: bool = True  # a space follows the number (第十一条 凡…); unspaced articles must continue the numbering
    title: str = ""  # what follows the marker on its line


_BY_NAME = {style.name: style for style in STYLES}
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def tidy(text: str) -> str:
    """Spacing that only lines characters up removed: "总　　则" → "总则", "附 则" → "附则"."""
    return _CJK_GAP.sub("", text.strip())


def parse_marker(text: str) -> Marker | None:
    for style in STYLES:
        match = style.pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("c"):
            number = ord(groups["c"]) - ord(_CIRCLED_BASE[style.name]) + 1
        elif style.name == "indicator":
            digits = groups["n"][1:]
            number = int(digits) if digits else 0
        elif not groups.get("n"):
            number = 0
        elif groups["n"].isdigit():
            number = int(groups["n"])
        else:
            number = cn_to_int(groups["n"])
        rest = text[match.end():].lstrip()
        if style.name == "indicator":
            label, rest = match.group(0), text[match.end():].lstrip()
        else:
            label = match.group(0).strip()
        if style.level is not None:
            label = re.sub(r"[:：\s]+$", "", label)
            return Marker(style.name, number, style.rank, tidy(label), rest[:20], True, style.level, True,
                          spaced=style.name != "article" or bool(groups.get("space")) or not rest, title=rest)
        head_match = _HEAD_END.search(rest)
        head = rest[: head_match.start()] if head_match else rest
        after = rest[head_match.start()] if head_match else ""
        title_like = is_title_text(rest, head, after)
        if style.name == "indicator":
            title_like = True
        return Marker(style.name, number, style.rank, label, head, title_like, title=rest)
    return None


def marker_of(line: Line) -> Marker | None:
    """A block's heading marker: its numbering, or the heading level its source marks (a Word
    "Heading 1" paragraph "指导思想" has no numbering but is a heading all the same). A regulation
    style keeps its own level whatever the source marks ("## 第一章 总则" is a chapter)."""
    marker = parse_marker(line.text)
    if line.heading is None:
        return marker
    if marker is None:
        return Marker(f"heading{line.heading}", 0, line.heading, "", line.text, True, line.heading, title=line.text)
    if not marker.structural:
        marker.title_like, marker.level = True, line.heading
    return marker


def unnumbered_heading(text: str) -> Marker:
    """A heading without numbering inside regulation structure ("网络素养促进", "附 则")."""
    return Marker("unnumbered", 0, 1, "", text, True, CHAPTER_LEVEL, True, title=text)


def split_hidden_headings(line: Line) -> list[Line]:
    """Cut a flattened line before each heading hidden inside it."""
    parts = [p.strip() for part in _HIDDEN_ARTICLE.split(line.text) for p in _HIDDEN.split(part)]
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return [line]
    return [Line(p, line.start, line.end, line.page, line.heading if n == 0 else None, role=line.role)
            for n, p in enumerate(parts)]


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

    @property
    def article(self) -> str | None:
        """"第十一条" for an article's node, else None."""
        return self.marker.label if self.marker is not None and self.marker.style == "article" else None

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
    if marker.structural:  # 第二章 学生, 第十一条, 附则, 附件1 学校安全检查表
        if marker.style == "article":
            return marker.label
        head = tidy(marker.title if marker.label else text)
        if len(head) > limit:
            head = head[:limit].rstrip() + "…"
        return f"{marker.label} {head}".strip()
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


_BARE_HEADING = re.compile(r"^[^。，；：、,;:!?！？()（）\d]{2,15}$")


def regulation_markers(blocks: list[Line], markers: list[Marker | None]) -> list[Marker | None]:
    """The markers as regulation structure reads them (see the module docstring): inside an
    article only structural headings open sections; an unspaced article must continue the
    numbering; a short unnumbered line right before a structural heading is one itself. Documents
    without regulation headings keep their markers unchanged."""
    out: list[Marker | None] = []
    in_article, last_article = False, 0
    for i, (block, marker) in enumerate(zip(blocks, markers)):
        effective = marker
        if marker is not None and marker.style == "article" and not marker.spaced \
                and marker.number != last_article + 1:
            effective = None
        if in_article and effective is not None and not effective.structural:
            if effective.level is not None:  # a heading the source marks (## 附则) closes the article
                effective = unnumbered_heading(block.text)
            else:  # 款 and 项: lines of the article
                effective = None
        if in_article and marker is None and _BARE_HEADING.match(tidy(block.text)):
            following = markers[i + 1] if i + 1 < len(markers) else None
            if following is not None and (following.structural or following.level is not None):
                effective = unnumbered_heading(block.text)
        if effective is not None and effective.structural:
            in_article = effective.style == "article"
            if in_article:
                last_article = effective.number
        out.append(effective)
    return out


#: The sections of a document's foot (Line.role): the attachment list and the signature.
FOOT_HEADINGS = {"attachments": "附件", "signature": "落款"}


def build_tree(document: Document) -> Node:
    """The document's section tree; `Node.blocks` are its own lines (hidden headings split out)."""
    blocks: list[Line] = []
    for line in document.lines:
        blocks.extend([line] if is_table_row(line.text) else split_hidden_headings(line))
    markers = regulation_markers(blocks, [None if is_table_row(b.text) else marker_of(b) for b in blocks])
    root = Node(f"{document.id}/s0", None, "", None, 0)
    stack: list[Node] = [root]
    count = 0
    for i, (block, marker) in enumerate(zip(blocks, markers)):
        heading = None
        if block.role is not None and i > 0:  # the foot: one section per run, never a heading inside
            if block.role == blocks[i - 1].role:
                stack[-1].blocks.append(block)
                continue
            heading = FOOT_HEADINGS[block.role]
            marker = Marker("foot", 0, 1, "", heading, True, title=heading)  # not structural: packed like any section
        if i == 0 or marker is None:  # the first line is the document's title
            stack[-1].blocks.append(block)
            continue
        parent = root if heading else _attach_point(stack, markers, i, marker)
        count += 1
        node = Node(f"{document.id}/s{count}", marker, heading or display_heading(marker, block.text), parent,
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
