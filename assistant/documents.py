"""The types that cross module boundaries: source lines, documents, sections, chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

KINDS = ("summary", "plan", "self-inspection", "rectification", "inspection-prep", "standard", "other")


@dataclass
class Line:
    """One line of text with where it came from: 1-based source lines `start`..`end`, and the page.

    `heading` is the heading level the source itself marks (a Word "Heading 2" paragraph, a
    Markdown "## …" line → 2), so a styled heading without 公文 numbering still opens a section;
    None for ordinary lines. `page_end` is the last page when the line runs over a page break
    (a paragraph the layout continued on the next page), else None."""

    text: str
    start: int
    end: int
    page: int | None = None
    heading: int | None = None
    page_end: int | None = None


@dataclass
class Document:
    id: str
    title: str
    kind: str
    source: str
    lines: list[Line] = field(default_factory=list, repr=False)
    date: str | None = None
    organisation: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def meta(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind, "source": self.source,
                "date": self.date, "organisation": self.organisation,
                "start_line": self.lines[0].start if self.lines else None,
                "end_line": self.lines[-1].end if self.lines else None}


@dataclass
class Section:
    """A node of a document's heading tree: a heading (or numbered item) and what follows it."""

    id: str
    doc_id: str
    heading: str
    level: int
    parent: str | None
    path: list[str]
    start_line: int
    end_line: int
    codes: list[str] = field(default_factory=list)
    order: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Chunk:
    id: str
    doc_id: str
    section_id: str | None
    section_path: list[str]
    text: str
    start_line: int
    end_line: int
    page: int | None = None
    codes: list[str] = field(default_factory=list)
    order: int = 0

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        return cls(**data)
