"""Split one cleaned file into its documents, each with title, kind, organisation and date
(laws and regulations: regulations.py).

Compilations hold several documents: "第一篇:…", "…总结 篇一", "学校均衡发展工作总结1…8", site
separators ("工作总结范文。"), and plans that end in a signature (unit + date) followed by the
title of the next plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from ..documents import Document, Line
from ..regulations import describe, is_regulation_shaped, split_header
from ..structure import parse_marker
from .masthead import HEAD_LINES, is_body_name, kind_of, mark_foot, read_foot, read_head

_CN_NUM = "一二三四五六七八九十"
PIECE_MARKER = re.compile(rf"^第[{_CN_NUM}]{{1,3}}篇\s*[\uff1a:]?\s*(?P<title>.*)$")
PIECE_SUFFIX = re.compile(rf"^(?P<title>.{{2,40}}?)\s*篇[{_CN_NUM}]{{1,3}}$")
NUMBERED_TITLE = re.compile(r"^(?P<base>[^\d\s。,\uff0c;\uff1b]{4,30}?)(?P<n>\d{1,2})$")
SITE_SEPARATOR = re.compile(r"^.{0,20}范文[。.]?$")
DATE = r"(\d{4}|[二〇○零一二三四五六七八九]{4})\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?"
SIGNATURE = re.compile(rf"^(?P<org>[^\s,\uff0c。;\uff1b]{{2,30}}?)?\s*(?P<date>{DATE})$")
KIND_WORDS = ("方案", "计划", "总结", "报告", "汇报", "意见", "办法", "标准", "规定", "条例", "通知", "细则", "规划")
ORG = re.compile(
    r"(?P<org>[\u4e00-\u9fffA-Za-z]{2,14}?(中心小学|中心学校|初级中学校|初级中学|中学校|小学|中学|初中|学校|二中|一中|学区|中心校|教育办|教育局|教体局))"
)
_GENERIC_ORG = re.compile(r"^(我校|该校|本校|学校|全校|各学校|各校|中小学校?|.*义务教育.*|.*均衡.*|.*[创名特色].{0,2}学校)$")
_PLACE = re.compile(r"[市县区镇乡村]|街道|第[一二三四五六七八九十百]+")

def is_title_like(text: str) -> bool:
    return len(text) <= 45 and not re.search(r"[。;\uff1b!?\uff01\uff1f,\uff0c]", text) and any(w in text for w in KIND_WORDS)


def find_organisation(text: str) -> str | None:
    for match in ORG.finditer(text):
        org = match.group("org")
        org = re.sub(r"^.*(总结|方案|计划|报告)", "", org)
        org = re.sub(r"^(关于|迎接|推进|根据|按照|依据|为了|在|全|我|该|依托)", "", org)
        if len(org) >= 3 and not _GENERIC_ORG.match(org):
            return org
    return None


@dataclass
class _Piece:
    lines: list[Line] = field(default_factory=list)
    title: str | None = None


def _numbered_title_bases(lines: list[Line]) -> set[str]:
    """Bases like "学校均衡发展工作总结" that occur as base+1, base+2, … on lines of their own."""
    seen: dict[str, set[int]] = {}
    for line in lines:
        match = NUMBERED_TITLE.match(line.text)
        if match and any(w in match.group("base") for w in KIND_WORDS):
            seen.setdefault(match.group("base"), set()).add(int(match.group("n")))
    return {base for base, numbers in seen.items() if {1, 2} <= numbers}


def _boundary_title(text: str, bases: set[str]) -> tuple[bool, str | None]:
    """Is this line the start of a new document? Returns (starts, title-from-marker)."""
    match = PIECE_MARKER.match(text)
    if match:
        return True, match.group("title").strip() or None
    match = PIECE_SUFFIX.match(text)
    if match and any(w in match.group("title") for w in KIND_WORDS):
        return True, text
    match = NUMBERED_TITLE.match(text)
    if match and match.group("base") in bases:
        return True, text
    return False, None


def split_pieces(lines: list[Line], file_title: str) -> list[_Piece]:
    bases = _numbered_title_bases(lines)
    pieces = [_Piece()]
    for i, line in enumerate(lines):
        text = line.text
        if i > 0 and text == file_title:
            continue  # the page title repeated by the site's header or footer
        if SITE_SEPARATOR.match(text):
            if pieces[-1].lines:
                pieces.append(_Piece())
            continue
        starts, title = _boundary_title(text, bases)
        if starts:
            pieces.append(_Piece([line], title))
            continue
        previous = pieces[-1].lines[-1].text if pieces[-1].lines else ""
        if (pieces[-1].lines and SIGNATURE.match(previous) and is_title_like(text)
                and len(pieces[-1].lines) > 3):
            pieces.append(_Piece([line], text))
            continue
        pieces[-1].lines.append(line)
    return [p for p in pieces if p.lines]


def _body_chars(piece: _Piece) -> int:
    return sum(len(line.text) for line in piece.lines if not is_title_like(line.text) and not SIGNATURE.match(line.text))


@dataclass
class _Described:
    title: str
    organisation: str | None
    date: str | None
    number: str | None
    news: bool


def _describe(piece: _Piece, file_title: str) -> _Described:
    """Title, organisation, date (ISO) and document number of one piece, from its head and foot
    (masthead.py); a compilation's piece (titled by its marker) keeps the rules of compilations."""
    texts = [line.text for line in piece.lines]
    head, foot = read_head(texts), read_foot(texts)
    title = piece.title or head.title or file_title
    organisation = None
    if piece.title:
        for text in texts[1:4]:
            if is_title_like(text) and len(text) > len(title) - 2 and text != title and not PIECE_MARKER.match(text):
                title = text
            elif ORG.fullmatch(text) or (len(text) <= 14 and find_organisation(text) == text):
                organisation = organisation or text
    if foot.organisations:
        organisation = organisation or "、".join(foot.organisations)
    organisation = organisation or head.organisation or ("、".join(head.issuers) if head.issuers else None)
    organisation = organisation or foot.source
    issued_by = re.match(r"^(?P<body>.{2,30}?)关于", title)
    if organisation is None and issued_by and is_body_name(issued_by.group("body")):
        organisation = issued_by.group("body")
    organisation = organisation or find_organisation(title)
    if organisation is None:
        first_para = next((l.text for l in piece.lines[1:3] if len(l.text) > 20), "")
        found = find_organisation(first_para[:60])
        organisation = found if found and _PLACE.search(found) else None
    return _Described(title, organisation, foot.date or head.date, head.number, head.source_line or foot.source_line)


def split_documents(lines: list[Line], source: str, doc_prefix: str, file_title: str | None = None,
                    file_kind: str | None = None, header: list[Line] | None = None) -> list[Document]:
    """Documents of one file. Pieces that are only a title or a signature join the piece before.
    `header`: the file's header block (Markdown front matter), read as the first document's."""
    file_title = file_title or read_head([line.text for line in lines[:HEAD_LINES]]).title or stem_title(source)
    pieces = split_pieces(lines, lines[0].text if lines else "")
    merged: list[_Piece] = []
    for piece in pieces:
        if merged and _body_chars(piece) < 15:
            merged[-1].lines.extend(piece.lines)
        else:
            merged.append(piece)
    if len(merged) > 1 and _body_chars(merged[0]) < 15:
        merged = merged[1:]  # the page header of a compilation: its title only
    documents = []
    for n, piece in enumerate(merged, start=1):
        if is_regulation_shaped(piece.lines):
            documents.append(_regulation(piece, source, f"{doc_prefix}-{n:02d}", file_kind,
                                         list(header or []) if n == 1 else [], file_title))
            continue
        found = _describe(piece, file_title)
        title, organisation = found.title, found.organisation
        if len(merged) > 1 and organisation and organisation not in title:
            title = f"{title}({organisation})"  # the parts of a compilation told apart by their school
        kind = kind_of(title, news=found.news)
        if kind in ("other", "news") and file_kind:
            kind = file_kind
        documents.append(Document(f"{doc_prefix}-{n:02d}", title, kind, source, mark_foot(piece.lines), found.date,
                                  organisation, number=found.number))
    return documents


def stem_title(source: str) -> str:
    """A document's title from its file name, for a file whose first line is a heading, not a title:
    "校车安全管理条例(2012-04-05).docx" → 校车安全管理条例."""
    stem = PurePath(source).stem
    stem = re.sub(r"\s*[(（]\s*\d{4}(?:[-.年]\d{1,2}(?:[-.月]\d{1,2}日?)?)?\s*[)）]\s*$", "", stem)
    return stem.strip() or PurePath(source).stem


def _without_repeated_title(lines: list[Line], title: str) -> list[Line]:
    """Drop the title written again (spacing aside) before the first heading or article, as
    published texts repeat it below the header."""
    squashed = re.sub(r"\s+", "", title)
    out = lines[:1]
    for i, line in enumerate(lines[1:], start=1):
        marker = parse_marker(line.text)
        if marker is not None and marker.structural:
            return out + lines[i:]
        if re.sub(r"\s+", "", line.text) != squashed:
            out.append(line)
    return out


def _regulation(piece: _Piece, source: str, doc_id: str, file_kind: str | None, header: list[Line],
                file_title: str | None = None) -> Document:
    """A law or regulation: its header block (given, or found after the title) is metadata, not body.
    A file that opens with its first chapter or article, no title above it, is named by the file."""
    lines = piece.lines
    if not header:
        header, lines = split_header(lines)
    title = piece.title or (lines[0].text if parse_marker(lines[0].text) is None else file_title or stem_title(source))
    lines = _without_repeated_title(lines, title)
    texts = [line.text for line in header]
    meta = describe(title, lines, texts, source)
    kind = meta.kind or kind_of(title, True)
    if kind == "other" and file_kind:
        kind = file_kind
    return Document(doc_id, title, kind, source, lines, meta.date, meta.organisation, meta.dates,
                    meta.law_key, texts, meta.history)
