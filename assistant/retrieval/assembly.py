"""Section assembly: when the best hits fall in one section (a group's duties, a materials list,
"三个优先"), gather that whole section in reading order, up to a size limit, stopping at the
next sibling heading (the parent-section / auto-merging idea).

The section tree is rebuilt from the document's stored lines (deterministic, milliseconds), so a
gathered section holds exactly its own lines, even where flattened PDF text put the next
group's heading on the same source line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..documents import Document, Line
from ..index.store import IndexData
from ..language.tokenization import tokenize
from ..language.segmentation import tagged
from ..structure import Node, build_tree
from .question import Question
from .search import Hit



_ARTICLE_HEADING = re.compile(r"第[零〇一二两三四五六七八九十百千\d]+条")


@dataclass
class Passage:
    """What an answer cites: a whole section (assembled) or a single chunk."""

    doc_id: str
    title: str
    source: str
    section_path: list[str]
    lines: list[Line]
    score: float
    section_id: str | None = None
    cut: bool = False  # the section was longer than the limit and was cut
    chunk_ids: list[str] = field(default_factory=list)
    outline: bool = False  # a cut section given as its outline (the headings of its parts: gather)
    kind: str | None = None  # the document's kind (documents.KINDS): answers name it ("the self-inspection report …")
    holds: list[str] = field(default_factory=list)  # a top-level chunk's sections (Chunk.holds)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)

    @property
    def cited_section(self) -> str:
        """What a citation names: the section path, or the sections a top-level chunk holds."""
        return self.section or "；".join(self.holds)

    @property
    def start_line(self) -> int:
        return min(line.start for line in self.lines)

    @property
    def end_line(self) -> int:
        return max(line.end for line in self.lines)

    @property
    def article(self) -> str | None:
        """The article the passage is (第十一条), or None."""
        last = self.section_path[-1] if self.section_path else ""
        return last if re.fullmatch(r"第[零〇一二两三四五六七八九十百千\d]+条", last) else None

    @property
    def page(self) -> int | None:
        """The page of the passage's first line (paged sources), else None."""
        pages = [line.page for line in self.lines if line.page is not None]
        return pages[0] if pages else None

    @property
    def page_end(self) -> int | None:
        """The page of its last line, when that is another page than `page`."""
        pages = [p for line in self.lines for p in (line.page, getattr(line, "page_end", None)) if p is not None]
        last = max(pages) if pages else None
        return last if last is not None and last != self.page else None


class SectionTrees:
    """Section trees of the indexed documents, rebuilt on demand and cached. Safe to share between
    threads: lru_cache keeps its bookkeeping consistent, two threads may build the same tree at
    once (equal results), and a tree is never changed after it is built."""

    def __init__(self, index: IndexData):
        self.index = index
        self._nodes = lru_cache(maxsize=256)(self._build)

    def _build(self, doc_id: str) -> dict[str, Node]:
        meta = self.index.doc_by_id[doc_id]
        document = Document(doc_id, meta["title"], meta["kind"], meta["source"], self.index.lines.get(doc_id, []))
        root = build_tree(document)
        return {node.id: node for node in root.walk()}

    def node(self, doc_id: str, section_id: str | None) -> Node | None:
        if section_id is None:
            return None
        return self._nodes(doc_id).get(section_id)


def heading_match(question: Question, node: Node) -> float:
    """Weighted share of the question's content words found in a section heading."""
    if node.marker is None:
        return 0.0
    groups = question.weights.groups
    if not groups:
        return 0.0
    heading = set(tokenize(node.heading))
    total = sum(g.weight for g in groups)
    return sum(g.weight * g.presence(heading, node.heading) for g in groups) / total


def _names_focus(question: Question, heading: str) -> bool:
    """Does the heading name the thing the question asks about ("工作措施有哪些?" and "三、工作措施")?
    Only a noun is such a thing (the focus of "宣传报道组具体要干啥?" is the adverb 具体)."""
    return any(_noun(word) and word in heading for word in
               (max(a, key=len) for w in question.query.focus for a in w.alternatives[:1] if a))


@lru_cache(maxsize=4096)
def _noun(word: str) -> bool:
    pairs = tagged(word)
    return len(word) >= 2 and bool(pairs) and pairs[-1][1].startswith("n")


_LEADS_IN = re.compile(r"如下|以下|下设|包括|分别[是为]|[:：]\s*$")


def _leads_in_focus(question: Question, node: Node) -> bool:
    """Does a lead line of the section, before its parts, introduce the thing asked about ("领导小组
    下设5个工作组,具体分工如下:" for "分了哪些工作组?")?"""
    if not node.children:
        return False
    return any(_LEADS_IN.search(line.text) and _names_focus(question, line.text) for line in node.blocks[1:])


def _subtree_ids(node: Node) -> set[str]:
    return {n.id for n in node.walk()}


def _size(node: Node) -> int:
    return sum(len(line.text) for line in node.all_lines())


def choose_section(trees: SectionTrees, question: Question, hits: list[Hit], limit: int
                   ) -> tuple[Node | None, Hit | None]:
    """The section to answer from, or None when the top hit's chunk should stand alone.

    Candidates: the top hit's section and its ancestors, and the sections whose headings lie
    inside the top chunk (a chunk may pack several small groups). A candidate is taken when the
    question names its heading, or (an ancestor) when it holds several of the best hits; one
    larger than `limit` only when named."""
    if not hits:
        return None, None
    top = hits[0]
    node = trees.node(top.chunk.doc_id, top.chunk.section_id)
    if node is None:
        return None, top
    if _ARTICLE_HEADING.fullmatch(node.heading or ""):
        return node, top  # an article is the unit of citation: never its whole chapter
    same_doc = [h for h in hits[:5] if h.chunk.doc_id == top.chunk.doc_id]
    candidates: list[tuple[Node, int, bool]] = []  # (node, depth above the hit's section, inside the chunk)
    walker: Node | None = node
    depth = 0
    while walker is not None and walker.marker is not None:
        candidates.append((walker, depth, False))
        walker, depth = walker.parent, depth + 1
    chunk_text = top.chunk.text
    for inner in node.walk():
        if inner is not node and inner.blocks and inner.blocks[0].text in chunk_text:
            candidates.append((inner, 0, True))
    key = question.weights.key()
    lists = "list" in question.kinds  # a list question may take a long section it asks about
    best, best_score = None, 0.0
    for candidate, depth, inside in candidates:
        match = heading_match(question, candidate)
        ids = _subtree_ids(candidate)
        support = sum(1.0 / h.rank for h in same_doc if h.chunk.section_id in ids) + (1.0 if inside else 0.0)
        # named: the heading holds most of the question, or its most specific word ("宣传报道组")
        named = match >= 0.5 or (key is not None and candidate.marker is not None
                                 and key.presence(set(tokenize(candidate.heading)), candidate.heading) == 1.0)
        # a section too long to quote is taken when named, or, for a list question, when its heading
        # is the thing asked about ("工作措施有哪些?": 三、工作措施, given as its outline: gather)
        listing = lists and candidate.marker is not None
        introduces = listing and _leads_in_focus(question, candidate)  # "下设5个工作组,具体分工如下:"
        asked = introduces or (listing and _names_focus(question, candidate.heading))
        if _size(candidate) > limit and not (named or asked):
            continue
        if inside and not (named or introduces):
            continue
        if depth > 0 and match == 0 and support < 1.4:
            continue
        score = 2.0 * match + support - 0.05 * depth
        if score > best_score:
            best, best_score = candidate, score
    return best, top


#: Levels of parts below a long section that its outline names (三、工作措施 › (一)… › 1.宣传报道组).
OUTLINE_LEVELS = 2


def gather(node: Node, limit: int) -> tuple[list[Line], bool, bool]:
    """The section's lines in reading order, up to `limit` characters (never cutting a line), and
    whether it was cut and whether it is an outline. A section longer than that with parts of its
    own is given as its outline instead of its beginning: its lines before its first part, and of
    each part (at any depth) the heading line, with the lead lines of parts that have parts
    ("领导小组下设5个工作组,具体分工如下:" and "1.宣传报道组 组长:严志远", "2.A1入学机会组 组长:…", …),
    down to OUTLINE_LEVELS levels (the shallower first when it must be cut): every part is named, as a
    list question about it wants."""
    lines, size = [], 0
    for line in node.all_lines():
        if lines and size + len(line.text) > limit:
            break
        lines.append(line)
        size += len(line.text)
    else:
        return lines, False, False
    if not node.children:
        return lines, True, False
    ranked: list[tuple[float, int, Line]] = []  # (what comes first when space is short, reading order, line)

    def visit(part: Node, level: int) -> None:
        opens = level < OUTLINE_LEVELS and bool(part.children)  # its lead lines, then its parts
        for k, line in enumerate(part.blocks if level == 0 or opens else part.blocks[:1]):
            ranked.append((level + (0.5 if k else 0.0), len(ranked), line))
        if opens:
            for child in part.children:
                visit(child, level + 1)

    visit(node, 0)
    kept, size = set(), 0
    for rank in sorted({r for r, _, _ in ranked}):  # shallow parts first, a level whole or not at all
        level = [(order, line) for r, order, line in ranked if r == rank]
        more = sum(len(line.text) for _, line in level)
        if kept and size + more > limit:
            break
        kept.update(order for order, _ in level)
        size += more
    return [line for _, order, line in ranked if order in kept], True, True


def chunk_lines(index: IndexData, chunk) -> list[Line]:
    """A chunk's lines with their own line numbers and pages, from the document's stored lines when
    they make up its text (a later piece of a long article repeats the opening line: then the chunk's
    own text, each line with the chunk's span and pages)."""
    texts = chunk.text.split("\n")
    source = [line for line in index.lines.get(chunk.doc_id, []) if chunk.start_line <= line.start <= chunk.end_line]
    if source and "".join(line.text for line in source).replace(" ", "") == "".join(texts).replace(" ", ""):
        return source
    lines = [Line(t, chunk.start_line, chunk.end_line, chunk.page) for t in texts]
    if lines and getattr(chunk, "page_end", None):
        last = lines[-1]
        lines[-1] = Line(last.text, last.start, last.end, chunk.page, page_end=chunk.page_end)
    return lines


def assemble(index: IndexData, trees: SectionTrees, question: Question, hits: list[Hit], limit: int = 2400,
             max_passages: int = 5) -> list[Passage]:
    """Passages for an answer: the chosen section gathered whole, then the other hits that do
    not lie inside it, in rank order."""
    passages: list[Passage] = []
    node, top = choose_section(trees, question, hits, limit)
    covered: set[str] = set()
    if node is not None and top is not None:
        lines, cut, outline = gather(node, limit)
        ids = _subtree_ids(node)
        inside = [h for h in hits if h.chunk.doc_id == top.chunk.doc_id and h.chunk.section_id in ids]
        covered = {h.chunk.id for h in inside}
        covered.add(top.chunk.id)
        doc = index.doc_by_id[top.chunk.doc_id]
        passages.append(Passage(top.chunk.doc_id, doc["title"], doc["source"], node.path, lines, top.score,
                                node.id, cut, [h.chunk.id for h in inside] or [top.chunk.id], outline, doc.get("kind")))
    for hit in hits:
        if len(passages) >= max_passages:
            break
        if hit.chunk.id in covered:
            continue
        if passages and passages[0].section_id and hit.chunk.doc_id == passages[0].doc_id:
            text = passages[0].text
            if hit.chunk.text in text:
                continue
        if any(re.sub(r"\s+", "", hit.chunk.text) == re.sub(r"\s+", "", p.text) for p in passages):
            continue  # the same article in another version of the law: once is enough
        lines = chunk_lines(index, hit.chunk)
        passages.append(Passage(hit.chunk.doc_id, hit.document["title"], hit.document["source"],
                                hit.chunk.section_path, lines, hit.score, hit.chunk.section_id, False, [hit.chunk.id],
                                kind=hit.document.get("kind"), holds=list(hit.chunk.holds)))
    return passages
