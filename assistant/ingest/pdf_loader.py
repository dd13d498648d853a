"""PDF → lines with their page: the text layer of each page, read with pypdf; a page with ruled tables
(found by pdfplumber) is read by regions instead, each table as one line per record with its header
(ingest/tables.py), a table broken over pages keeping its header.

Line numbers count the extracted lines through the whole file; `Line.page` is the 1-based page.
Running headers and footers, page numbers and lines broken by the layout are repaired later by
the cleaning rules (cleaning.py), which see the pages. A PDF without any text layer (scanned
pages) is refused as "no text layer", not indexed as empty; pages without text in an otherwise
readable PDF are named in a note."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from ..documents import Line
from ..errors import LoadError
from .loaders import LoadedFile, loader, text_to_lines
from .tables import SPACED_FIGURE, fill_down, table_lines

#: A page with fewer characters of text than this has no usable text layer (a scan, a figure).
MIN_PAGE_CHARS = 5


def _page_ranges(pages: list[int]) -> str:
    """[1, 2, 3, 5] → "1-3, 5"."""
    ranges: list[list[int]] = []
    for page in pages:
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


@contextmanager
def _quiet_pypdf():
    """pypdf logs its repairs of damaged files ("EOF marker not found"); the build reports a
    file in one line of its own, so those logs are held back while a PDF is read."""
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _open(path: Path):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

    with open(path, "rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise LoadError(f"{path.name}: not a PDF file (no %PDF header); check what the file really is")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many official PDFs only restrict printing or copying
            except (DependencyError, FileNotDecryptedError, NotImplementedError, PdfReadError):
                opened = 0
            if not opened:
                raise LoadError(f"{path.name}: encrypted PDF (password-protected); "
                                f"save a copy without the password to index it")
        pages = list(reader.pages)
    except LoadError:
        raise
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError) as exc:
        raise LoadError(f"{path.name}: damaged PDF, cannot be read ({type(exc).__name__}: {exc}); "
                        f"export or download it again") from exc
    if not pages:
        raise LoadError(f"{path.name}: damaged PDF, no pages found; export or download it again")
    return pages


@loader(".pdf")
def load_pdf(path: Path) -> LoadedFile:
    with _quiet_pypdf():
        return _load(path)


@contextmanager
def _plumber(path: Path):
    """pdfplumber's view of the file (to find tables), or None when it cannot read it."""
    try:
        import pdfplumber

        document = pdfplumber.open(path)
    except Exception:  # pypdf read it; without tables found it is read as text
        yield None
        return
    try:
        yield document
    finally:
        document.close()


def _tables(plumbed, number: int) -> list:
    """The ruled tables pdfplumber finds on a page (two or more rows and columns), top to bottom."""
    if plumbed is None:
        return []
    try:
        page = plumbed.pages[number - 1]
        found = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]
    except Exception:
        return []
    return sorted(found, key=lambda t: t.bbox[1])


def _page_regions(plumbed, number: int, tables: list, first_line: int, labels: list[str] | None
                  ) -> tuple[list[Line], list[str] | None]:
    """A page with tables: its text above, between and below them, and each table's records."""
    page = plumbed.pages[number - 1]
    lines: list[Line] = []
    line_number = first_line
    top = page.bbox[1]
    for table in tables + [None]:
        bottom = table.bbox[1] if table is not None else page.bbox[3]
        if bottom > top + 1:
            text = SPACED_FIGURE.sub("", page.crop((page.bbox[0], top, page.bbox[2], bottom)).extract_text() or "")
            lines.extend(text_to_lines(text, page=number, first_line=line_number))
            line_number += len(text.splitlines())
        if table is None:
            break
        grid = fill_down(table.extract())
        records, labels = table_lines(grid, labels=labels)
        for row, text in records:
            lines.append(Line(text, line_number + row, line_number + row, number))
        line_number += len(grid)
        top = table.bbox[3]
    return lines, labels


def _load(path: Path) -> LoadedFile:
    pages = _open(path)
    lines: list[Line] = []
    next_line = 1
    empty: list[int] = []
    unreadable: list[int] = []
    labels: list[str] | None = None  # the header of the last table, for one continued on the next page
    with _plumber(path) as plumbed:
        for number, page in enumerate(pages, start=1):
            try:
                text = SPACED_FIGURE.sub("", page.extract_text() or "")
            except Exception:  # one broken content stream must not lose the other pages
                unreadable.append(number)
                continue
            if len(text.strip()) < MIN_PAGE_CHARS:
                empty.append(number)
            tables = _tables(plumbed, number) if len(text.strip()) >= MIN_PAGE_CHARS else []
            if tables:
                try:
                    found, labels = _page_regions(plumbed, number, tables, next_line, labels)
                except Exception:  # a table pdfplumber cannot read: the page as text
                    found = []
                if found:
                    lines.extend(found)
                    next_line = found[-1].end + 1
                    continue
            labels = None
            lines.extend(text_to_lines(text, page=number, first_line=next_line))
            next_line += len(text.splitlines())
    if not lines:
        if unreadable:
            raise LoadError(f"{path.name}: damaged PDF, no page could be read; export or download it again")
        raise LoadError(f"{path.name}: no text layer (scanned pages?); run OCR on it and index the text")
    notes = []
    if empty:
        notes.append(f"page {_page_ranges(empty)} of {len(pages)} has no text layer (scanned?); not indexed")
    if unreadable:
        notes.append(f"page {_page_ranges(unreadable)} of {len(pages)} could not be read; not indexed")
    return LoadedFile(path, "pdf", lines, notes=notes)
