"""Collections: named knowledge bases, each a corpus folder of its own, answered from one index.

The corpus folder the settings name (ASSISTANT_CORPUS, else the folder the last `index build --corpus`
read, else the shipped `corpus/`) is the collection `default`; `assistant collection create laws --from ~/法规` adds another (an existing folder is read
where it is; without --from an empty folder is made under ASSISTANT_HOME/collections/<name>/corpus,
for uploads). The list lives in ASSISTANT_HOME/collections.json, written atomically.

One index holds every collection (as RAGFlow keeps a knowledge-base id on each chunk of one search
index): each document carries its `collection`, and a question scoped to some collections is a
filter on it (retrieval/filters.py), so a question over several is one ranking whose scores are
comparable by construction, and one build, lock, cache and atomic replace serve all of them. A
document of another collection has the id `<collection>~<id>`, so ids never collide across folders.

Deleting a collection moves its folder aside (ASSISTANT_HOME/deleted/collections/) when the
assistant made it, leaves a folder it was given (--from) where it is, and the next build drops its
documents from the index."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, remembered_default
from .errors import AssistantError

DEFAULT = "default"
REGISTRY = "collections.json"
#: A name: letters (Chinese too), digits, "-" and "_", up to 40 characters, not starting with "-" or "_".
_NAME = re.compile(r"[^\W_][\w-]{0,39}")
#: Joins a collection's name to a document id (never in a default id: those hold word characters and "-").
ID_MARK = "~"


@dataclass(frozen=True)
class Collection:
    name: str
    corpus: Path
    managed: bool = False  # the folder was made by the assistant (moved aside when deleted)
    created: str | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "corpus": str(self.corpus), "managed": self.managed, "created": self.created}

    def doc_id(self, plain_id: str) -> str:
        """The id of a document of this collection whose id within its folder is `plain_id`."""
        return plain_id if self.name == DEFAULT else f"{self.name}{ID_MARK}{plain_id}"


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise AssistantError(f"collection name {name!r} is not allowed: use up to 40 letters (Chinese too), digits, "
                             f"'-' and '_', starting with a letter or digit (e.g. laws, 学校资料, 2024-inspection)")
    return name


def _registry(settings: Settings) -> Path:
    return Path(settings.home) / REGISTRY


def _read(settings: Settings) -> list[dict]:
    path = _registry(settings)
    if not path.exists():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8")).get("collections", [])
        return [row for row in rows if isinstance(row, dict) and row.get("name") and row.get("corpus")]
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise AssistantError(f"{path}: the list of collections cannot be read ({exc}); fix the JSON or move the "
                             f"file away (the collections' folders are not touched)") from exc


def _changing(settings: Settings):
    """Held while the list is read and rewritten, so two processes adding collections at once both land."""
    from filelock import FileLock

    Path(settings.home).mkdir(parents=True, exist_ok=True)
    return FileLock(str(Path(settings.home) / "collections.lock"), timeout=30)


def _write(settings: Settings, rows: list[dict] | None = None, **fields) -> None:
    """Rewrite the list (`rows`, when given) and other `fields` (the default folder), keeping the rest."""
    path = _registry(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    if rows is not None:
        data["collections"] = rows
    data.update(fields)
    tmp = path.with_name(f".{REGISTRY}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def all_collections(settings: Settings) -> list[Collection]:
    """`default` (the settings' corpus folder) first, then the created ones in the order made."""
    out = [Collection(DEFAULT, Path(settings.corpus_dir))]
    for row in _read(settings):
        if row["name"] != DEFAULT:
            out.append(Collection(row["name"], Path(row["corpus"]), bool(row.get("managed")), row.get("created")))
    return out


def names(settings: Settings) -> list[str]:
    return [c.name for c in all_collections(settings)]


def find(settings: Settings, name: str) -> Collection:
    for collection in all_collections(settings):
        if collection.name == name:
            return collection
    raise AssistantError(f"no collection {name!r}; there are: {', '.join(names(settings))} "
                         f"(`assistant collection create {name}` makes it)")


def check_known(settings: Settings, wanted) -> frozenset[str]:
    """The collection names `wanted`, each checked to exist (AssistantError naming the unknown one)."""
    known = names(settings)
    chosen = frozenset(str(n).strip() for n in (wanted or []) if str(n).strip())
    unknown = sorted(chosen - set(known))
    if unknown:
        raise AssistantError(f"collection: {', '.join(unknown)} is not a collection; there are: {', '.join(known)}")
    return chosen


def create(settings: Settings, name: str, folder: Path | None = None) -> Collection:
    """Add a collection: `folder` (an existing folder, read where it is) or a new empty folder under
    ASSISTANT_HOME/collections/<name>/corpus. The index is not rebuilt here (the caller does)."""
    name = check_name(name)
    with _changing(settings):
        return _create(settings, name, folder)


def _create(settings: Settings, name: str, folder: Path | None) -> Collection:
    if name in names(settings):
        raise AssistantError(f"there is already a collection {name!r}; pick another name or delete it first")
    managed = folder is None
    if folder is None:
        folder = Path(settings.home) / "collections" / name / "corpus"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise AssistantError(f"--from {folder}: not a folder; give the folder that holds the collection's files")
        for other in all_collections(settings):
            if Path(other.corpus).resolve() == folder:
                raise AssistantError(f"--from {folder}: that folder is already the collection {other.name!r}")
    collection = Collection(name, folder, managed, time.strftime("%Y-%m-%dT%H:%M:%S"))
    rows = _read(settings) + [collection.to_dict()]
    _write(settings, rows)
    return collection


def delete(settings: Settings, name: str) -> dict:
    """Remove a collection from the list; a folder the assistant made is moved to
    ASSISTANT_HOME/deleted/collections/ (kept, not destroyed), a folder it was given stays where
    it is. The index is not rebuilt here (the caller does). {"name", "corpus", "kept_at"}."""
    with _changing(settings):
        return _delete(settings, name)


def _delete(settings: Settings, name: str) -> dict:
    if name == DEFAULT:
        raise AssistantError("the default collection is the corpus folder (ASSISTANT_CORPUS) and cannot be deleted; "
                             "point ASSISTANT_CORPUS elsewhere instead")
    collection = find(settings, name)
    kept_at = str(collection.corpus)
    if collection.managed and collection.corpus.exists():
        trash = Path(settings.home) / "deleted" / "collections"
        trash.mkdir(parents=True, exist_ok=True)
        target = trash / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}-{name}"
        try:
            os.replace(collection.corpus.parent, target)  # the collection's folder (corpus/ inside it)
        except OSError as exc:
            raise AssistantError(f"collection {name!r}: its folder {collection.corpus.parent} cannot be moved to "
                                 f"{trash} ({exc.strerror or exc}); nothing was deleted") from exc
        kept_at = str(target / "corpus")
    _write(settings, [row for row in _read(settings) if row["name"] != name])
    return {"name": name, "corpus": str(collection.corpus), "kept_at": kept_at, "moved": collection.managed}


def remember_default(settings: Settings, folder: Path) -> bool:
    """Keep `folder` as the default collection's folder of this home (`index build --corpus`), so later
    builds (a collection added, an upload, an upgrade) read it too unless ASSISTANT_CORPUS names
    another; True when that changed what was kept."""
    folder = Path(folder).expanduser().resolve()
    if remembered_default(settings.home) == folder:
        return False
    with _changing(settings):
        _write(settings, default_corpus=str(folder))
    return True


def of_document(meta: dict) -> str:
    """The collection of a document's (or a skipped file's) metadata; `default` when it names none."""
    return meta.get("collection") or DEFAULT


def of_id(doc_id: str) -> str:
    """The collection a document id belongs to (its part before "~"; `default` without one)."""
    name, mark, _ = doc_id.partition(ID_MARK)
    return name if mark else DEFAULT
