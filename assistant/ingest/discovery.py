"""Which files of a corpus folder a build reads, and every file it cannot, each with one line.

A shared folder holds what people drop into it: names in GBK bytes copied from Windows, files
nobody may read, links to files elsewhere on the machine, link loops, pipes, huge files and zip
bombs. `scan` walks the folder itself (no rglob) and returns the files to read and a `SkippedFile`
for every other entry, so the build skips each with its reason and never aborts:

- a name that is not valid UTF-8 (shown escaped, with how it reads in GBK);
- a symlink that leads outside the corpus folder (not followed unless
  `Limits.follow_outside_links`), a broken symlink, a symlink loop (named);
- anything that is not a regular file (a pipe, a socket, a device);
- a file over `Limits.max_file_mb`, an archive (.docx) whose members unpack to more than
  `Limits.max_unpacked_mb` or more than `Limits.max_unpack_ratio` times their packed size
  (checked from the archive's directory, before any parsing).
Hidden entries (names starting with '.') and the folder's manifest.json are left out, as before."""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Limits
from ..errors import CorpusError

MANIFEST_NAMES = ("manifest.json",)
#: Formats that are zip archives, checked for their unpacked size before they are opened.
ARCHIVE_SUFFIXES = (".docx",)
#: Members smaller than this unpacked are not held to the ratio (tiny parts compress any way).
RATIO_FLOOR_BYTES = 1 << 20
MB = 1 << 20


@dataclass
class SkippedFile:
    """A corpus entry the build does not read: its printable relative name and why (one line
    that starts with the name and says what to do)."""

    relative: str
    reason: str


@dataclass
class Scan:
    files: list[Path] = field(default_factory=list)
    problems: list[SkippedFile] = field(default_factory=list)


def printable(name: str) -> str:
    """A relative file name as text that can be printed and stored: each part whose bytes are not
    UTF-8 (kept by Python as surrogate escapes) has its non-ASCII bytes shown as \\xNN."""
    parts = []
    for part in name.split("/"):
        try:
            part.encode("utf-8")
        except UnicodeEncodeError:
            part = os.fsencode(part).decode("ascii", "backslashreplace")
        parts.append(part)
    return "/".join(parts)


def _name_problem(relative: str, name: str) -> str | None:
    try:
        name.encode("utf-8")
        return None
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    hint = ""
    try:
        hint = f" (in GBK it reads {raw.decode('gb18030')!s})"
    except UnicodeDecodeError:
        pass
    return (f"{printable(relative)}: the file name is not valid UTF-8{hint}; rename it to index it "
            f"(e.g. convmv -f gbk -t utf-8 --notest FILE)")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def scan(corpus_dir: Path, limits: Limits | None = None) -> Scan:
    """The files of `corpus_dir` a build reads (sorted by path) and a SkippedFile for every entry it
    skips. Raises CorpusError when the folder is missing, not a folder or holds no files."""
    limits = limits or Limits()
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.exists():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist; set ASSISTANT_CORPUS or pass --corpus")
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir} is not a folder; pass the folder that holds the documents")
    root = os.path.realpath(corpus_dir)
    result = Scan()
    visited = {root}
    _walk(corpus_dir, (), root, limits, visited, result)
    result.files.sort(key=lambda p: p.relative_to(corpus_dir).parts)
    result.problems.sort(key=lambda p: p.relative)
    if not result.files and not result.problems:
        raise CorpusError(f"corpus folder {corpus_dir} holds no files; add .txt, .md, .docx, .pdf or .html documents")
    return result


def _walk(folder: Path, parts: tuple[str, ...], root: str, limits: Limits, visited: set[str], result: Scan) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        where = printable("/".join(parts)) or str(folder)
        result.problems.append(SkippedFile(where, f"{where}: cannot list the folder ({exc.strerror or exc}); "
                                              f"check its permissions"))
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or (not parts and name in MANIFEST_NAMES):
            continue
        relative = "/".join((*parts, name))
        shown = printable(relative)
        bad_name = _name_problem(relative, name)
        if bad_name:
            result.problems.append(SkippedFile(shown, bad_name))
            continue
        path = Path(entry.path)
        target = None
        if entry.is_symlink():
            try:
                target = os.path.realpath(entry.path, strict=True)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    reason = f"{shown}: a symlink loop ({os.readlink(entry.path)} leads back to itself); remove the link"
                else:
                    reason = (f"{shown}: a broken symlink (its target {os.readlink(entry.path)} does not exist); "
                              f"remove the link or restore the file")
                result.problems.append(SkippedFile(shown, reason))
                continue
            if not _within(target, root) and not limits.follow_outside_links:
                result.problems.append(SkippedFile(shown, (
                    f"{shown}: a symlink to {printable(target)}, outside the corpus folder; not followed "
                    f"(copy the file into the folder, or set ASSISTANT_FOLLOW_SYMLINKS=1)")))
                continue
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            result.problems.append(SkippedFile(shown, f"{shown}: cannot read it ({exc.strerror or exc}); check its permissions"))
            continue
        if stat.S_ISDIR(info.st_mode):
            real = target or os.path.realpath(entry.path)
            if real in visited or _within(root, real):
                result.problems.append(SkippedFile(shown, (
                    f"{shown}: a symlink loop (it leads back to {printable(real)}, a folder already read); "
                    f"remove the link")))
                continue
            visited.add(real)
            _walk(path, (*parts, name), root, limits, visited, result)
            continue
        if not stat.S_ISREG(info.st_mode):
            result.problems.append(SkippedFile(shown, f"{shown}: not a regular file (a pipe, socket or device); "
                                                  f"only documents are read"))
            continue
        problem = size_problem(path, shown, info.st_size, limits)
        if problem:
            result.problems.append(SkippedFile(shown, problem))
            continue
        result.files.append(path)


def size_problem(path: Path, shown: str, size: int, limits: Limits) -> str | None:
    """Why a file is too big to read, or None: its size, then (archives) what it unpacks to."""
    if size > limits.max_file_mb * MB:
        return (f"{shown}: {size / MB:.1f} MB, over the {limits.max_file_mb:g} MB limit for one file; split it, "
                f"or raise ASSISTANT_MAX_FILE_MB")
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        return archive_problem(path, shown, limits)
    return None


def archive_problem(path: Path, shown: str, limits: Limits) -> str | None:
    """Why a zip-based file must not be unpacked (read from its central directory alone), or None.
    A member's declared size bounds what zipfile unpacks, so these checks bound the parse too."""
    try:
        if not zipfile.is_zipfile(path):
            return None  # the loader says what it is
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # the loader reports a damaged file
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_mb * MB:
        return (f"{shown}: unpacks to {total / MB:,.0f} MB, over the {limits.max_unpacked_mb:g} MB limit "
                f"(ASSISTANT_MAX_UNPACKED_MB); not opened, it may be a zip bomb")
    for member in members:
        if member.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_unpack_ratio:
            return (f"{shown}: its part {member.filename} unpacks {ratio:,.0f} times its packed size "
                    f"({member.compress_size / MB:.1f} MB → {member.file_size / MB:,.0f} MB; the limit is "
                    f"{limits.max_unpack_ratio:g}); not opened, it looks like a zip bomb")
    return None
