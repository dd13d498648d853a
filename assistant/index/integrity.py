"""What a build recorded about its own files, and whether they still match.

`record(directory)` is called by IndexData.save before the manifest is written: every file of
the build with its size and SHA-256. `check(directory, manifest, full)` compares: sizes only
(`full=False`, a stat per file, done whenever an index is opened) or sizes and checksums
(`full=True`, `assistant index status`). A truncated chunks.jsonl, dense.faiss, BM25 array or
lines.jsonl is then reported as damaged instead of looking healthy until a search fails."""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.endswith(".tmp"))


def record(directory: Path) -> dict[str, dict]:
    """{relative path: {"size", "sha256"}} of every file of a build but its manifest."""
    directory = Path(directory)
    return {p.relative_to(directory).as_posix(): {"size": p.stat().st_size, "sha256": _sha256(p)}
            for p in _files(directory)}


def check(directory: Path, manifest: dict, full: bool = True) -> list[str]:
    """What no longer matches what the build recorded: one phrase per file ("chunks.jsonl is 812
    bytes, the build wrote 40,113"); empty when everything matches. An index built before
    checksums were recorded has nothing to compare and gives []."""
    recorded = manifest.get("checksums")
    if not recorded:
        return []
    directory = Path(directory)
    problems = []
    for name, expected in sorted(recorded.items()):
        path = directory / name
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if size != expected["size"]:
            problems.append(f"{name} is {size:,} bytes, the build wrote {expected['size']:,}")
        elif full and _sha256(path) != expected["sha256"]:
            problems.append(f"{name} does not hold what the build wrote (checksum differs)")
    return problems


def damaged_message(directory: Path, problems: list[str]) -> str:
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
    return f"the index at {directory} is damaged ({shown}): run `assistant index build`"
