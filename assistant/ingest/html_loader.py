"""HTML → the article's lines: trafilatura keeps the main text and drops navigation, scripts,
styles, footers, share buttons and "相关文章" link lists.

trafilatura runs in its precision mode (measured on Chinese pages: the default mode keeps a short
page's whole navigation and footer when its article is short). Its text output marks list items
with "- " and table rows with "| … |"; those become plain lines (cells joined by " | ", as in
Word tables). The page title (the article heading, which trafilatura returns as metadata) opens
the text when the article does not start with it. Line numbers are lines of this extracted text.
Site boilerplate that slips through is removed by the cleaning rules like in any other file."""

from __future__ import annotations

import re
from pathlib import Path

from ..documents import Line
from ..errors import LoadError
from .encoding import decode_bytes
from .loaders import LoadedFile, loader, text_to_lines

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[-*•]\s+")
_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")
#: "曹集学校工作总结_工作总结_范文网": the article title comes first, the site's sections after it.
_TITLE_SEPARATOR = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s+")


def page_title(title: str | None) -> str | None:
    """The article's part of a page title: "曹集学校工作总结_范文网" → "曹集学校工作总结"."""
    if not title:
        return None
    first = _TITLE_SEPARATOR.split(title.strip())[0]
    return first if len(first) >= 4 else title.strip()


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag, if any."""
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _plain(line: str) -> str:
    """Undo trafilatura's text markup: "- item" → "item", "| a | b | " → "a | b"."""
    table = _TABLE_ROW.match(line.strip())
    if table:
        return " | ".join(cell.strip() for cell in table.group(1).split("|") if cell.strip())
    return _LIST_ITEM.sub("", line)


def article_text(html: str) -> tuple[str | None, str]:
    """(title, article text) of a page; the text is "" when no article is found."""
    import trafilatura

    result = trafilatura.bare_extraction(html, favor_precision=True, include_tables=True, include_comments=False,
                                         include_images=False, include_links=False, with_metadata=True,
                                         deduplicate=False)
    if result is None:
        return None, ""
    title, text = getattr(result, "title", None), getattr(result, "text", None) or ""
    return page_title(title), text


@loader(".html", ".htm")
def load_html(path: Path) -> LoadedFile:
    data = path.read_bytes()
    html, encoding = decode_bytes(data, path.name, declared_charset(data))
    title, text = article_text(html)
    body = "\n".join(_plain(line) for line in text.splitlines())
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if title and title not in first:
        body = f"{title}\n{body}"
    lines: list[Line] = text_to_lines(body)
    if not any(line.text != title for line in lines):
        raise LoadError(f"{path.name}: no article text found in the page (only navigation or links); "
                        f"save the article's text as .txt")
    return LoadedFile(path, "html", lines, encoding)
