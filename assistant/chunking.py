"""Section tree → chunks that never cut a list item and carry their heading path and line span.

A section that fits in `max_chars` is one chunk. A larger one is packed: its own paragraphs and
its children, in reading order, are added to a chunk until the next would overflow; a child too
large on its own is chunked recursively. A single paragraph or item is never split unless it is
longer than `hard_chars`, and then only at sentence ends.

Laws and regulations are chunked by article, the unit of citation: each article (第X条) is a
chunk of its own when it fits in `max_chars`; a longer one is cut between its paragraphs (款) and
items (项), and every piece after the first opens with the article's opening line (shortened to
"第二十条 …下列情形之一的：" when that line is long), so each piece says what it continues. The
heading lines of chapters and sections are not chunks of their own: the section path carries them
("第二章 学生 › 第十一条"). School documents never reach this path (they have no 编/章/节/条).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Chunk, Document, Line, Section
from .structure import Node, build_tree, extract_codes, sections_of

_SENTENCE_END = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])")


@dataclass
class _Group:
    """Lines that become one chunk; the first `carried` of them are carried from elsewhere (an
    article's opening line repeated before a later piece) and lie outside the chunk's span."""

    node: Node
    lines: list[Line]
    carried: int = 0


@dataclass
class _Unit:
    lines: list[Line]
    node: Node  # the section the lines belong to

    @property
    def size(self) -> int:
        return sum(len(line.text) for line in self.lines)


def _split_long_line(line: Line, limit: int) -> list[Line]:
    sentences = [s for s in _SENTENCE_END.split(line.text) if s]
    pieces, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return [Line(p, line.start, line.end, line.page, line.heading if n == 0 else None) for n, p in enumerate(pieces)]


def _units(node: Node, max_chars: int, hard_chars: int) -> list[_Unit | Node]:
    """The node's own lines as units, then its children (kept whole as nodes)."""
    out: list[_Unit | Node] = []
    for line in node.blocks:
        if len(line.text) > hard_chars:
            out.extend(_Unit([piece], node) for piece in _split_long_line(line, max_chars))
        else:
            out.append(_Unit([line], node))
    out.extend(node.children)
    return out


def _node_size(node: Node) -> int:
    return sum(len(line.text) for line in node.all_lines())


def pack_node(node: Node, max_chars: int, hard_chars: int, lead: list[Line] | None = None) -> list[_Group]:
    """Groups of lines for one node, in reading order. `lead` (a parent's short heading lines)
    opens the first group, so a heading is never a chunk on its own."""
    if node.article is not None:
        return pack_article(node, max_chars, hard_chars)
    if any(child.marker is not None and child.marker.structural for child in node.children):
        return _pack_structure(node, max_chars, hard_chars, lead)
    lead = list(lead or [])
    lead_size = sum(len(line.text) for line in lead)
    if _node_size(node) + lead_size <= max_chars:
        return [_Group(node, lead + node.all_lines())]
    groups: list[_Group] = []
    current: list[Line] = lead
    size = lead_size
    holds_section = False  # does `current` hold a whole child section (not only this node's own lines)?
    for unit in _units(node, max_chars, hard_chars):
        if isinstance(unit, Node):
            unit_size = _node_size(unit)
            if unit_size > max_chars:
                carry: list[Line] = []
                if current and size <= max_chars // 4 and not holds_section:
                    carry = current  # this node's short heading opens the child's first chunk
                elif current:  # a short sibling section before it stays a chunk of its own
                    groups.append(_Group(node, current))
                current, size, holds_section = [], 0, False
                sub = pack_node(unit, max_chars, hard_chars, carry)
                if carry and node.marker is not None:  # the first group holds this heading: it is this node's
                    sub[0] = _Group(node, sub[0].lines, sub[0].carried)
                groups.extend(sub)
                continue
            lines = unit.all_lines()
        else:
            unit_size, lines = unit.size, unit.lines
        if current and size + unit_size > max_chars and size > max_chars // 4:
            groups.append(_Group(node, current))  # a short heading stays with what follows it
            current, size, holds_section = [], 0, False
        current.extend(lines)
        size += unit_size
        holds_section = holds_section or isinstance(unit, Node)
    if current:
        groups.append(_Group(node, current))
    return groups


def _pack_structure(node: Node, max_chars: int, hard_chars: int, lead: list[Line] | None) -> list[_Group]:
    """A node holding regulation structure (chapters, sections, articles): its own lines unless
    they are only its heading or the document's title, then each child on its own."""
    own = list(lead or []) + node.blocks
    groups = [] if len(own) <= 1 else _pack_lines(node, own, max_chars, hard_chars)
    for child in node.children:
        groups.extend(pack_node(child, max_chars, hard_chars))
    return groups


def _pieces(lines: list[Line], max_chars: int, hard_chars: int) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        out.extend(_split_long_line(line, max_chars) if len(line.text) > hard_chars else [line])
    return out


def _pack_lines(node: Node, lines: list[Line], max_chars: int, hard_chars: int,
                lead: Line | None = None) -> list[_Group]:
    """Lines packed in reading order up to `max_chars` a group; each group after the first opens
    with `lead` when given."""
    groups: list[_Group] = []
    current: list[Line] = []
    carried = size = 0
    for line in _pieces(lines, max_chars, hard_chars):
        if len(current) > carried and size + len(line.text) > max_chars:
            groups.append(_Group(node, current, carried))
            current, carried, size = ([lead], 1, len(lead.text)) if lead else ([], 0, 0)
        current.append(line)
        size += len(line.text)
    if len(current) > carried:
        groups.append(_Group(node, current, carried))
    return groups


_CLAUSE_END = re.compile(r"(?<=[。；;，,])")
_SENTENCE_ENDS = ("。", "；", ";")


def article_lead(node: Node, opening: Line, max_chars: int) -> Line:
    """What opens each later piece of a long article: its opening line, or when that is longer
    than a quarter of a chunk, the article number and as many of the line's last clauses as fit
    in that quarter, within its last sentence ("第二十条 …有下列情形之一的，由…责令改正：")."""
    text = opening.text
    budget = max_chars // 4
    if len(text) > budget:
        label = node.article or ""
        body = text[len(label):].strip() if text.startswith(label) else text
        clauses = [c for c in _CLAUSE_END.split(body) if c.strip()]
        tail = clauses.pop() if clauses else body
        while clauses and not clauses[-1].endswith(_SENTENCE_ENDS) and len(clauses[-1]) + len(tail) <= budget:
            tail = clauses.pop() + tail
        text = f"{label} …{tail.strip()[-budget:]}".strip()
    return Line(text, opening.start, opening.end, opening.page)


def pack_article(node: Node, max_chars: int, hard_chars: int) -> list[_Group]:
    """One article: whole when it fits, else cut between its paragraphs and items into as few
    pieces as `max_chars` allows, of even size (the smallest budget that needs no more pieces, so
    no piece is a lone last item), each later piece opening with `article_lead`."""
    lines = node.all_lines()
    if sum(len(line.text) for line in lines) <= max_chars:
        return [_Group(node, lines)]
    lead = article_lead(node, lines[0], max_chars)
    groups = _pack_lines(node, lines, max_chars, hard_chars, lead)
    low, high = max_chars // len(groups), max_chars
    while low < high:  # the smallest budget that still gives len(groups) pieces
        middle = (low + high) // 2
        if len(_pack_lines(node, lines, middle, hard_chars, lead)) <= len(groups):
            high = middle
        else:
            low = middle + 1
    return _pack_lines(node, lines, high, hard_chars, lead)


def _section_for(group_node: Node, lines: list[Line], root: Node) -> Node:
    """The deepest node whose lines include all of `lines` (a packed run of one child → that child)."""
    ids = {id(line) for line in lines}
    best = group_node
    for child in group_node.children:
        child_ids = {id(line) for line in child.all_lines()}
        if ids <= child_ids:
            return _section_for(child, lines, root)
    return best


def chunk_document(document: Document, max_chars: int = 480, hard_chars: int | None = None
                   ) -> tuple[list[Section], list[Chunk]]:
    """Sections and chunks of one document."""
    hard_chars = hard_chars or max_chars * 3
    root = build_tree(document)
    sections = sections_of(document, root)
    section_codes = {s.id: s.codes for s in sections}
    chunks: list[Chunk] = []
    title = root.blocks[0] if root.blocks else None
    for group in pack_node(root, max_chars, hard_chars):
        lines = group.lines
        own = lines[group.carried:]
        if not own:
            continue
        # the document's title line opens its first chunk: the section is what the rest of the chunk holds
        node = _section_for(group.node, [line for line in lines if line is not title] or lines, root)
        text = "\n".join(line.text for line in lines)
        codes: list[str] = []
        walker: Node | None = node
        article = None
        while walker is not None:
            codes.extend(c for c in section_codes.get(walker.id, []) if c not in codes)
            article = article or walker.article
            walker = walker.parent
        codes.extend(c for c in extract_codes(text) if c not in codes)
        pages = [p for line in own for p in (line.page, line.page_end) if p is not None]
        first_page = pages[0] if pages else None
        last_page = max(pages) if pages else None
        own_ids = {id(line) for line in own}
        holds = [] if node.path else [child.heading for child in node.children
                                      if any(id(line) in own_ids for line in child.all_lines())]
        chunks.append(Chunk(
            id=f"{document.id}#{len(chunks) + 1:03d}", doc_id=document.id,
            section_id=node.id, section_path=node.path, text=text, holds=holds,
            start_line=min(line.start for line in own), end_line=max(line.end for line in own),
            page=first_page, codes=codes, order=len(chunks), article=article,
            page_end=last_page if last_page != first_page else None))
    return sections, chunks


def index_text(chunk: Chunk, title: str) -> str:
    """What is embedded and tokenized: the title and heading path give a chunk its context."""
    head = " › ".join([title, *chunk.section_path])
    return f"{head}\n{chunk.text}"
