"""Loaders by file format, behind one interface: `load_file(path) -> LoadedFile` (lines with a line map).

Each loader returns the file's non-empty lines, each with its 1-based source line (or paragraph)
number and page where the format has pages. New formats register with `@loader(".ext")`; the
loaders of Word, PDF, HTML and Markdown live in docx_loader.py, pdf_loader.py, html_loader.py and
markdown_loader.py (imported by the package, so they are registered whenever the ingest package
is used)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..documents import Line
from ..errors import LoadError
from .encoding import decode_bytes


@dataclass
class LoadedFile:
    path: Path
    format: str
    lines: list[Line]
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # warnings about parts of the file (pages without text)
    paragraphs: bool = False  # each line is an author's paragraph (Word): no line-break repair
    header: list[Line] = field(default_factory=list)  # a front-matter block kept out of the body (Markdown)


#: Formats people often have, that we do not read, with what to do about them.
CONVERT_ADVICE = {
    ".doc": "old binary Word format; open it in Word or WPS and save it as .docx",
    ".wps": "WPS format; open it in WPS and save it as .docx",
    ".rtf": "RTF format; open it in Word or WPS and save it as .docx",
}


LoaderFn = Callable[[Path], LoadedFile]
_LOADERS: dict[str, LoaderFn] = {}


def loader(*suffixes: str):
    def register(fn: LoaderFn) -> LoaderFn:
        for suffix in suffixes:
            _LOADERS[suffix.lower()] = fn
        return fn

    return register


def supported_suffixes() -> list[str]:
    return sorted(_LOADERS)


#: Characters that take no room: zero-width spaces and joiners, word joiner, byte-order mark.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def clean_line(raw: str) -> str:
    """A line without invisible characters, with no-break and ideographic spaces as plain spaces."""
    return _INVISIBLE.sub("", raw).replace("\u00a0", " ").replace("\u3000", " ").strip()


def text_to_lines(text: str, page: int | None = None, first_line: int = 1) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=first_line):
        clean = clean_line(raw)
        if clean:
            lines.append(Line(clean, number, number, page))
    return lines


@loader(".txt", ".text")
def load_text(path: Path) -> LoadedFile:
    data = path.read_bytes()
    text, encoding = decode_bytes(data, path.name)
    return LoadedFile(path, "txt", text_to_lines(text), encoding)


def load_file(path: Path) -> LoadedFile:
    """Read one file with the loader for its suffix; raise LoadError naming the file otherwise."""
    fn = _LOADERS.get(path.suffix.lower())
    if fn is None:
        advice = CONVERT_ADVICE.get(path.suffix.lower())
        if advice:
            raise LoadError(f"{path.name}: {advice}")
        raise LoadError(f"{path.name}: unsupported file type '{path.suffix or '(none)'}' "
                        f"(supported: {', '.join(supported_suffixes())})")
    try:
        if path.stat().st_size == 0:
            raise LoadError(f"{path.name}: empty file")
        loaded = fn(path)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(f"{path.name}: cannot read file ({exc.strerror or exc})") from exc
    except Exception as exc:  # a parser failing on a broken file must not stop the build
        raise LoadError(f"{path.name}: cannot parse as {path.suffix.lstrip('.')} ({type(exc).__name__}: {exc})") from exc
    if not loaded.lines:
        raise LoadError(f"{path.name}: no text found")
    return loaded
