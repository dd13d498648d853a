"""What changed in a corpus folder since the index was built: files added, changed (content
hash), removed, and whether the folder's manifest.json changed."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..ingest.discovery import scan
from ..ingest.pipeline import file_hash


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manifest_changed: bool = False

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.manifest_changed)

    def summary(self) -> str:
        text = f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"
        return text + (", manifest.json changed" if self.manifest_changed else "")

    def to_dict(self) -> dict:
        return dict(asdict(self), any=self.any)


def diff_files(before: dict[str, str], after: dict[str, str]) -> Changes:
    """Compare {relative path: content hash} maps."""
    return Changes(added=sorted(set(after) - set(before)),
                   changed=sorted(p for p in set(after) & set(before) if after[p] != before[p]),
                   removed=sorted(set(before) - set(after)))


def corpus_hashes(corpus_dir: Path) -> dict[str, str]:
    """{relative path: content hash} of every file a build would read."""
    corpus_dir = Path(corpus_dir)
    hashes = {}
    for path in scan(corpus_dir).files:
        try:
            hashes[path.relative_to(corpus_dir).as_posix()] = file_hash(path)
        except OSError:  # unreadable: the build skips it too
            continue
    return hashes


def manifest_hash(corpus_dir: Path) -> str | None:
    path = Path(corpus_dir) / "manifest.json"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else None


def indexed_hashes(manifest: dict) -> dict[str, str]:
    """{relative path: content hash} of the files an index was built from, skipped ones included."""
    hashes = dict(manifest.get("files") or {})
    for item in manifest.get("skipped") or []:
        if item.get("hash"):
            hashes[item["file"]] = item["hash"]
    return hashes


def changes_since(manifest: dict, corpus_dir: Path) -> Changes:
    """What differs between the folder now and the index built from it (by its manifest)."""
    changes = diff_files(indexed_hashes(manifest), corpus_hashes(corpus_dir))
    if "corpus_manifest" in manifest:  # indexes built before it was recorded cannot tell
        changes.manifest_changed = manifest["corpus_manifest"] != manifest_hash(corpus_dir)
    return changes
