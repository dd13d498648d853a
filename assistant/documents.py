"""The types that cross module boundaries: source lines, documents, sections, chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

#: Document kinds. School documents: summary (工作总结), plan (方案, 计划, 规划), self-inspection (自查/自评报告),
#: rectification (整改), inspection-prep (迎检). Official documents: notice (通知, 公示, 决定 …), opinion
#: (意见, 反馈意见), report (报告, 请示, 监测结果). Normative texts: law (…法), regulation (条例, 办法, 规定,
#: 细则, 规则), standard (标准). A news page: news. See ingest/masthead.kind_of and data/genres.tsv.
KINDS = ("summary", "plan", "self-inspection", "rectification", "inspection-prep", "law", "regulation", "standard",
         "notice", "opinion", "report", "news", "other")


#: Between the cells of a table row in a line's text ("指标：生均图书（册） | 标准值：25 | 本校：31.2"): a line
#: holding it is a table row (ingest/tables.py), never a heading, and is quoted as one unit.
TABLE_CELL = " | "


def is_table_row(text: str) -> bool:
    return TABLE_CELL in text


@dataclass(slots=True)
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
    #: a line of a document's foot that is not body text: "attachments" (the list under 附件：) or
    #: "signature" (issuing bodies, the date, 抄送 / 印发 lines); read by ingest/masthead.mark_foot,
    #: never a heading (structure.build_tree gives each run one section, 附件 or 落款)
    role: str | None = None


@dataclass
class Document:
    id: str
    title: str
    kind: str
    source: str
    lines: list[Line] = field(default_factory=list, repr=False)
    date: str | None = None
    organisation: str | None = None
    #: laws and regulations: {"adopted", "promulgated", "effective", "revised", "amended"} as ISO dates
    #: (see regulations.py); `date` is then the version's date
    dates: dict = field(default_factory=dict)
    #: the law a regulation document is a version of: its title without 中华人民共和国 and version
    #: suffixes, equal for two versions of one law (None for other documents)
    law_key: str | None = None
    #: the text of the header block (dates and bodies of adoption and revision), kept out of the body
    header: list[str] = field(default_factory=list)
    #: the header's events in order: {"date", "action", "body"} (adopted, revised, …)
    history: list[dict] = field(default_factory=list)
    #: the document number (发文字号, "清政办发〔2023〕8号"), metadata and never the title
    number: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def meta(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind, "source": self.source,
                "date": self.date, "organisation": self.organisation,
                "start_line": self.lines[0].start if self.lines else None,
                "end_line": self.lines[-1].end if self.lines else None,
                "dates": dict(self.dates), "law_key": self.law_key, "header": list(self.header),
                "history": [dict(event) for event in self.history], "number": self.number}


@dataclass(slots=True)
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


@dataclass(slots=True)
class Chunk:
    """A retrievable passage. `start_line`..`end_line` are the source lines it quotes; a piece of a
    long article opens with the article's opening line, which lies before that span. `page` is the
    first page, `page_end` the last when the chunk runs over a page break (else None). `article`
    is the article the chunk belongs to ("第十一条") in laws and regulations, else None."""

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
    article: str | None = None
    page_end: int | None = None
    #: the top-level sections a chunk at the document's top holds (a short notice's "一、…" and "二、…"
    #: packed into one chunk, whose section path is empty): what its citation names
    holds: list[str] = field(default_factory=list)

    @property
    def section(self) -> str:
        return " › ".join(self.section_path)

    @property
    def cited_section(self) -> str:
        """The section a citation names: the path, or the sections held ("一、基本情况；二、存在问题")."""
        return self.section or "；".join(self.holds)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Chunk":
        """From a stored row; rows written before a field existed get its default."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
