"""Section tree → chunks that never cut a list item and carry their heading path and line span.

A section that fits in `max_chars` is one chunk. A larger one is packed: its own paragraphs and
its children, in reading order, are added to a chunk until the next would overflow; a child too
large on its own is chunked recursively. A single paragraph or item is never split unless it is
longer than `hard_chars`, and then only at sentence ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Chunk, Document, Line, Section
from .structure import Node, build_tree, extract_codes, sections_of

_SENTENCE_END = re.compile(r"(?<=[。!?\uff01\uff1f;\uff1b])")


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


def pack_node(node: Node, max_chars: int, hard_chars: int, lead: list[Line] | None = None
              ) -> list[tuple[Node, list[Line]]]:
    """(section, lines) groups for one node, in reading order. `lead` (a parent's short heading
    lines) opens the first group, so a heading is never a chunk on its own."""
    lead = list(lead or [])
    lead_size = sum(len(line.text) for line in lead)
    if _node_size(node) + lead_size <= max_chars:
        return [(node, lead + node.all_lines())]
    groups: list[tuple[Node, list[Line]]] = []
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
                    groups.append((node, current))
                current, size, holds_section = [], 0, False
                sub = pack_node(unit, max_chars, hard_chars, carry)
                if carry and node.marker is not None:  # the first group holds this heading: it is this node's
                    sub[0] = (node, sub[0][1])
                groups.extend(sub)
                continue
            lines = unit.all_lines()
        else:
            unit_size, lines = unit.size, unit.lines
        if current and size + unit_size > max_chars and size > max_chars // 4:
            groups.append((node, current))  # a short heading stays with what follows it
            current, size, holds_section = [], 0, False
        current.extend(lines)
        size += unit_size
        holds_section = holds_section or isinstance(unit, Node)
    if current:
        groups.append((node, current))
    return groups


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
    for group_node, lines in pack_node(root, max_chars, hard_chars):
        if not lines:
            continue
        node = _section_for(group_node, lines, root)
        text = "\n".join(line.text for line in lines)
        codes: list[str] = []
        walker: Node | None = node
        while walker is not None:
            codes.extend(c for c in section_codes.get(walker.id, []) if c not in codes)
            walker = walker.parent
        codes.extend(c for c in extract_codes(text) if c not in codes)
        pages = [line.page for line in lines if line.page is not None]
        chunks.append(Chunk(
            id=f"{document.id}#{len(chunks) + 1:03d}", doc_id=document.id,
            section_id=node.id, section_path=node.path, text=text,
            start_line=min(line.start for line in lines), end_line=max(line.end for line in lines),
            page=pages[0] if pages else None, codes=codes, order=len(chunks)))
    return sections, chunks


def index_text(chunk: Chunk, title: str) -> str:
    """What is embedded and tokenized: the title and heading path give a chunk its context."""
    head = " › ".join([title, *chunk.section_path])
    return f"{head}\n{chunk.text}"
