"""The Milvus backend: one index per build in two collections, an alias switched when it is complete.

    <alias>_b<date>_<time>_<hex>          one row per chunk: position (primary key), doc and section
                                          ids, the chunk record (JSON), its BM25 weights (sparse
                                          vector, inner product) and its embedding (dense vector)
    <alias>_b<date>_<time>_<hex>_records  the other records as compressed blobs: manifest,
                                          documents, sections, source lines, vocabulary, bilingual table
    alias <alias>  → the current build's chunk collection

A build writes both collections, then moves the alias in one call, so a query never sees half a
build and a build that dies leaves the previous one current (its leftovers are dropped by the next
build). The previous build is kept one more round, so a process that loaded it before the switch
still answers; older ones are dropped.

Lexical search is BM25 with the same numbers as the local index: each chunk's sparse vector holds
bm25s's own score of each of its tokens (token id → score), and a question is the sparse vector of
its token counts (or weights), so the inner product the engine computes is the score
LexicalIndex.scores sums. The vocabulary and document frequencies travel with the build; the
ranking reads them as it reads the local index's. Milvus's own BM25 function is not used: it
tokenizes with its analyzer (jieba without this project's dictionary) and cannot weigh the
expansion terms of an English question, so its rankings would differ from the local backend's.

URI: a file path → embedded milvus-lite (`pip install milvus-lite`); http(s)://host:19530 → a
Milvus server or cluster, 2.4 or later (sparse vectors)."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from pathlib import Path

import numpy as np

from ...config import Settings
from ...documents import Chunk, Line, Section
from ...errors import BackendError, IndexCorruptError, IndexMissingError
from ...language.bilingual import Bilingual
from ..dense import ivf_lists, ivf_probes
from ..store import FORMAT_VERSION, IndexData
from . import milvus_rows as rows
from .milvus_rows import chunk_of, create_collections, drop, jsonl, quoted, read_blob, read_chunks, skip_string_check, \
    to_jsonl, vocabulary_of, write_blob
from .milvus_stores import MilvusDense, MilvusLexical, backend_error

#: Seconds to wait for a server before saying it does not answer.
CONNECT_TIMEOUT = 10.0
MIN_SERVER = (2, 4)
SERVER_SCHEMES = ("http://", "https://", "tcp://", "grpc://", "unix:")


def _build_pattern(alias: str) -> re.Pattern:
    return re.compile(rf"{re.escape(alias)}_b\d{{8}}_\d{{6}}_[0-9a-f]{{6}}(_records)?")


class MilvusBackend:
    name = "milvus"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.alias = settings.milvus_collection
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", self.alias):
            raise BackendError(f"ASSISTANT_MILVUS_COLLECTION is {self.alias!r}; use letters, digits and _ "
                               f"(starting with a letter or _)")
        self.uri = settings.milvus_uri or str(settings.home / "milvus.db")
        self._client = None

    # ------------------------------------------------------------------ connection

    def client(self):
        if self._client is None:
            self._client = connect(self.uri, self.settings.milvus_token, self.settings.milvus_db)
        return self._client

    def location(self) -> str:
        return f"milvus:{self.uri} (alias {self.alias} → {self._current() or 'none'})"

    def dense_kind(self, count: int) -> str:
        return "milvus-ivf" if count >= max(self.settings.approximate_from, 2) else "milvus-flat"

    def _current(self) -> str | None:
        """The collection the alias points to, or None."""
        client = self.client()
        try:
            if self.alias not in client.list_aliases().get("aliases", []):
                return None
            return client.describe_alias(self.alias)["collection_name"]
        except Exception as exc:  # noqa: BLE001 — pymilvus raises its own types; said in one line
            raise backend_error(self.uri, "cannot read the alias", exc) from exc

    # ------------------------------------------------------------------ reading

    def exists(self) -> bool:
        return self.load_manifest() is not None

    def load_manifest(self) -> dict | None:
        current = self._current()
        if current is None:
            return None
        try:
            self.client().load_collection(current + "_records")
            return json.loads(read_blob(self.client(), current + "_records", "manifest"))
        except (IndexCorruptError, ValueError):
            return None
        except Exception as exc:  # noqa: BLE001
            raise backend_error(self.uri, f"cannot read {current}_records", exc) from exc

    def load(self) -> IndexData:
        current = self._current()
        if current is None:
            raise IndexMissingError(f"no index in Milvus at {self.uri} (no alias {self.alias}); "
                                    f"run `assistant index build`")
        client = self.client()
        records = current + "_records"
        try:
            client.load_collection(records)
            manifest = json.loads(read_blob(client, records, "manifest"))
            if manifest.get("format") != FORMAT_VERSION:
                raise IndexCorruptError(f"the index in {current} has format {manifest.get('format')}, expected "
                                        f"{FORMAT_VERSION}; run `assistant index build`")
            documents = jsonl(read_blob(client, records, "documents"))
            sections = [Section(**row) for row in jsonl(read_blob(client, records, "sections"))]
            lines = {row["doc_id"]: [Line(*item) for item in row["lines"]]
                     for row in jsonl(read_blob(client, records, "lines"))}
            vocab = json.loads(read_blob(client, records, "vocabulary"))
            bilingual_text = read_blob(client, records, "bilingual", missing_ok=True)
            bilingual = Bilingual.from_json(json.loads(bilingual_text)) if bilingual_text else None
            client.load_collection(current)
            chunks, token_ids = read_chunks(client, current, records, manifest["chunks"])
        except (IndexCorruptError, BackendError):
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"the index in Milvus collection {current} cannot be read "
                                    f"({type(exc).__name__}: {exc}); run `assistant index build`") from exc
        except Exception as exc:  # noqa: BLE001
            raise backend_error(self.uri, f"cannot read collection {current}", exc) from exc
        lexical = MilvusLexical(client, current, vocab["tokens"], np.asarray(vocab["df"], dtype=np.int64),
                                token_ids, len(chunks))
        dense = None
        if manifest.get("embedding_dim") and manifest.get("milvus", {}).get("dense"):
            params = manifest["milvus"]["dense"]
            dense = MilvusDense(client, current, int(manifest["embedding_dim"]), len(chunks), params["kind"],
                                params.get("search", {}))
        return IndexData(documents, sections, chunks, lexical, dense, manifest, lines, bilingual)

    def section_chunks(self, data: IndexData, section_id: str) -> list[Chunk]:
        name = data.manifest["milvus"]["collection"]
        found = self.client().query(name, filter=f'section_id == "{quoted(section_id)}"',
                                    output_fields=["position", "record"], limit=16_384)
        blobs = name + "_records"
        return [chunk_of(self.client(), blobs, row["record"])[0] for row in sorted(found, key=lambda r: r["position"])]

    # ------------------------------------------------------------------ writing

    def save(self, data: IndexData, vectors: np.ndarray | None, progress=None) -> IndexData:
        """`progress(done, total)` is called as chunks are written."""
        client = self.client()
        skip_string_check()
        previous = self._current()
        name = f"{self.alias}_b{time.strftime('%Y%m%d_%H%M%S')}_{uuid.uuid4().hex[:6]}"
        records = name + "_records"
        dense = None
        if vectors is not None and len(vectors):
            kind = self.dense_kind(len(vectors))
            lists = ivf_lists(len(vectors))
            dense = {"kind": kind, "dim": int(vectors.shape[1]),
                     "build": {"nlist": lists} if kind == "milvus-ivf" else {},
                     "search": {"nprobe": ivf_probes(lists)} if kind == "milvus-ivf" else {}}
        manifest = dict(data.manifest, format=FORMAT_VERSION,
                        milvus={"collection": name, "alias": self.alias, "uri": self.uri, "dense": dense,
                                "server_version": server_version(client)})
        try:
            create_collections(client, name, records, dense)
            write_blob(client, records, "documents", to_jsonl(data.documents))
            write_blob(client, records, "sections", to_jsonl([s.to_dict() for s in data.sections]))
            write_blob(client, records, "lines", to_jsonl(
                {"doc_id": doc_id, "lines": [[l.text, l.start, l.end, l.page, l.heading, l.page_end] for l in lines]}
                for doc_id, lines in data.lines.items()))
            write_blob(client, records, "vocabulary", json.dumps(vocabulary_of(data.lexical), ensure_ascii=False))
            if data.bilingual is not None:
                write_blob(client, records, "bilingual", json.dumps(data.bilingual.to_json(), ensure_ascii=False,
                                                                    separators=(",", ":")))
            rows.insert_chunks(client, name, records, data.chunks, data.lexical, vectors, progress)
            client.flush(name)
            client.flush(records)
            write_blob(client, records, "manifest", json.dumps(manifest, ensure_ascii=False))  # last: complete
            client.flush(records)
            if previous is None:
                client.create_alias(name, self.alias)
            else:
                client.alter_alias(name, self.alias)
        except BaseException as exc:
            drop(client, [name, records])
            if isinstance(exc, Exception) and not isinstance(exc, (BackendError, IndexCorruptError)):
                raise backend_error(self.uri, f"the build into {name} failed; the previous index is still current",
                                     exc) from exc
            raise
        keep = {name, records} | ({previous, previous + "_records"} if previous else set())
        pattern = _build_pattern(self.alias)
        drop(client, [c for c in client.list_collections() if pattern.fullmatch(c) and c not in keep])
        return self.load()


# ---------------------------------------------------------------------- the stores a query uses


# ---------------------------------------------------------------------- connecting

def connect(uri: str, token: str | None = None, db_name: str | None = None):
    """A MilvusClient for `uri`, or a BackendError saying what to fix."""
    # gRPC's C core prints its own lines to stderr (a refused keepalive, a reconnect); errors the
    # user must act on are said in one line here instead. GRPC_VERBOSITY set by the user wins.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise BackendError("ASSISTANT_BACKEND=milvus needs pymilvus (and milvus-lite for a file URI): "
                           "pip install pymilvus milvus-lite") from exc
    if not uri.startswith(SERVER_SCHEMES):
        path = Path(uri).expanduser()
        if path.suffix != ".db":
            raise BackendError(f"ASSISTANT_MILVUS_URI {uri!r} is neither http://host:port nor a file ending in .db "
                               f"(embedded milvus-lite)")
        try:
            import milvus_lite  # noqa: F401
        except ImportError as exc:
            raise BackendError(f"ASSISTANT_MILVUS_URI {uri!r} is a file, which needs milvus-lite: "
                               f"pip install milvus-lite (or point it at http://host:19530)") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        uri = str(path.resolve())
    # pymilvus logs every failed call with its traceback; the assistant says it in one line instead
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    options = {"uri": uri, "timeout": CONNECT_TIMEOUT}
    if token:
        options["token"] = token
    if db_name:
        options["db_name"] = db_name
    # milvus-lite refuses the first new channel to its server once another client of this process
    # has idled for half a minute (GOAWAY "too_many_pings"); the second attempt connects.
    attempts = 1 if uri.startswith(SERVER_SCHEMES) else 3
    for attempt in range(attempts):
        try:
            client = MilvusClient(**options)
            break
        except Exception as exc:  # noqa: BLE001
            locked = "Open local milvus failed" in str(exc)  # another process holds the database's lock
            if attempt + 1 == attempts or locked:
                hint = ("start the server or set ASSISTANT_MILVUS_URI" if uri.startswith(SERVER_SCHEMES) else
                        "a milvus-lite database opens in one process at a time: stop the other one "
                        "(e.g. `assistant serve`) or use a Milvus server")
                raise backend_error(uri, "cannot be opened" if locked else "does not answer", exc, hint=hint) from exc
    version = server_version(client)
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
    if len(numbers) == 2 and numbers < MIN_SERVER:
        raise BackendError(f"Milvus at {uri} is version {version}; the assistant needs 2.4 or later "
                           f"(sparse vectors, which hold the BM25 index)")
    return client


def server_version(client) -> str:
    try:
        return str(client.get_server_version())
    except Exception:  # noqa: BLE001 — an embedded store may not report one
        return "unknown"
