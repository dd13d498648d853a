"""What changed in a corpus folder since the index was built: files added, changed (content
hash), removed, and whether the folder's manifest.json changed."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..collection import DEFAULT
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


def shown(collection: str | None, relative: str) -> str:
    """A file as changes name it: its path, after its collection's name for other collections
    than the default ("laws: 宪法.md")."""
    return f"{collection}: {relative}" if collection and collection != DEFAULT else relative


def indexed_hashes(manifest: dict) -> dict[str, str]:
    """{file (as `shown`): content hash} of the files an index was built from, skipped ones and
    other collections' included."""
    hashes = dict(manifest.get("files") or {})
    for name, record in (manifest.get("collections") or {}).items():
        hashes.update((shown(name, relative), value) for relative, value in (record.get("files") or {}).items())
    for item in manifest.get("skipped") or []:
        if item.get("hash"):
            hashes[shown(item.get("collection"), item["file"])] = item["hash"]
    return hashes


def changes_since(manifest: dict, corpus_dir: Path, others: dict[str, Path] | None = None) -> Changes:
    """What differs between the folders now and the index built from them (by its manifest):
    `corpus_dir` (the default collection) and `others` ({name: folder}, by default the other
    collections the index holds; a collection made since is all "added", one deleted all "removed")."""
    if others is None:
        others = {name: Path(record["corpus"]) for name, record in (manifest.get("collections") or {}).items()}
    now = corpus_hashes(corpus_dir)
    for name, folder in others.items():
        if Path(folder).is_dir():
            now.update((shown(name, relative), value) for relative, value in corpus_hashes(folder).items())
    changes = diff_files(indexed_hashes(manifest), now)
    if "corpus_manifest" in manifest:  # indexes built before it was recorded cannot tell
        changes.manifest_changed = manifest["corpus_manifest"] != manifest_hash(corpus_dir) or any(
            record.get("corpus_manifest") != manifest_hash(Path(others[name]))
            for name, record in (manifest.get("collections") or {}).items() if name in others)
    return changes
