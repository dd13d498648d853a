"""Loaders by file format, behind one interface: `load_file(path) -> LoadedFile` (lines with a line map).

Each loader returns the file's non-empty lines, each with its 1-based source line (or paragraph)
number and page where the format has pages. New formats register with `@loader(".ext")`."""

from __future__ import annotations

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
    notes: list[str] = field(default_factory=list)


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


def text_to_lines(text: str, page: int | None = None, first_line: int = 1) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=first_line):
        clean = raw.replace("\u00a0", " ").replace("\u3000", " ").strip()
        if clean:
            lines.append(Line(clean, number, number, page))
    return lines


@loader(".txt", ".text", ".md", ".markdown")
def load_text(path: Path) -> LoadedFile:
    data = path.read_bytes()
    text, encoding = decode_bytes(data, path.name)
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") else "txt"
    return LoadedFile(path, fmt, text_to_lines(text), encoding)


def load_file(path: Path) -> LoadedFile:
    """Read one file with the loader for its suffix; raise LoadError naming the file otherwise."""
    fn = _LOADERS.get(path.suffix.lower())
    if fn is None:
        raise LoadError(f"{path.name}: unsupported file type '{path.suffix or '(none)'}' "
                        f"(supported: {', '.join(supported_suffixes())})")
    try:
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
