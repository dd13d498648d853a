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

import base64
import json
import logging
import math
import os
import re
import time
import uuid
import zlib
from pathlib import Path

import numpy as np

from ...config import Settings
from ...documents import Chunk, Line, Section
from ...errors import BackendError, IndexCorruptError, IndexMissingError
from ...retrieval.bilingual import Bilingual
from ..dense import ivf_lists, ivf_probes
from ..store import FORMAT_VERSION, IndexData

#: Milvus's VARCHAR limit (bytes); blobs are cut into parts below it.
VARCHAR_MAX = 65_535
BLOB_PART = 60_000
#: BM25 candidates taken from the engine per question: three times the ranking's depth (60), so
#: ties at its cut are decided by position as the local index decides them.
LEXICAL_CANDIDATES = 180
#: Extra dense neighbours fetched and cut after sorting ties by position (as FAISS orders them).
DENSE_MARGIN = 20
#: Rows per query when an index is opened.
READ_BATCH = 4000
#: Rows per insert call (one gRPC message stays far below its 64 MB limit).
INSERT_BATCH = 1000
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

    @property
    def embedded(self) -> bool:
        return not self.uri.startswith(SERVER_SCHEMES)

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
            raise _backend_error(self.uri, "cannot read the alias", exc) from exc

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
            raise _backend_error(self.uri, f"cannot read {current}_records", exc) from exc

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
            documents = _jsonl(read_blob(client, records, "documents"))
            sections = [Section(**row) for row in _jsonl(read_blob(client, records, "sections"))]
            lines = {row["doc_id"]: [Line(*item) for item in row["lines"]]
                     for row in _jsonl(read_blob(client, records, "lines"))}
            vocab = json.loads(read_blob(client, records, "vocabulary"))
            bilingual_text = read_blob(client, records, "bilingual", missing_ok=True)
            bilingual = Bilingual.from_json(json.loads(bilingual_text)) if bilingual_text else None
            client.load_collection(current)
            chunks, token_ids = _read_chunks(client, current, records, manifest["chunks"])
        except (IndexCorruptError, BackendError):
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"the index in Milvus collection {current} cannot be read "
                                    f"({type(exc).__name__}: {exc}); run `assistant index build`") from exc
        except Exception as exc:  # noqa: BLE001
            raise _backend_error(self.uri, f"cannot read collection {current}", exc) from exc
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
        rows = self.client().query(name, filter=f'section_id == "{_quoted(section_id)}"',
                                   output_fields=["position", "record"], limit=16_384)
        blobs = name + "_records"
        return [_chunk_of(self.client(), blobs, row["record"])[0] for row in sorted(rows, key=lambda r: r["position"])]

    # ------------------------------------------------------------------ writing

    def save(self, data: IndexData, vectors: np.ndarray | None, progress=None) -> IndexData:
        """`progress(done, total)` is called as chunks are written."""
        client = self.client()
        _skip_string_check()
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
            _create_collections(client, name, records, dense)
            write_blob(client, records, "documents", _to_jsonl(data.documents))
            write_blob(client, records, "sections", _to_jsonl([s.to_dict() for s in data.sections]))
            write_blob(client, records, "lines", _to_jsonl(
                {"doc_id": doc_id, "lines": [[l.text, l.start, l.end, l.page, l.heading, l.page_end] for l in lines]}
                for doc_id, lines in data.lines.items()))
            write_blob(client, records, "vocabulary", json.dumps(_vocabulary(data.lexical), ensure_ascii=False))
            if data.bilingual is not None:
                write_blob(client, records, "bilingual", json.dumps(data.bilingual.to_json(), ensure_ascii=False,
                                                                    separators=(",", ":")))
            _insert_chunks(client, name, records, data.chunks, data.lexical, vectors, progress)
            client.flush(name)
            client.flush(records)
            write_blob(client, records, "manifest", json.dumps(manifest, ensure_ascii=False))  # last: complete
            client.flush(records)
            if previous is None:
                client.create_alias(name, self.alias)
            else:
                client.alter_alias(name, self.alias)
        except BaseException as exc:
            _drop(client, [name, records])
            if isinstance(exc, Exception) and not isinstance(exc, (BackendError, IndexCorruptError)):
                raise _backend_error(self.uri, f"the build into {name} failed; the previous index is still current",
                                     exc) from exc
            raise
        keep = {name, records} | ({previous, previous + "_records"} if previous else set())
        pattern = _build_pattern(self.alias)
        _drop(client, [c for c in client.list_collections() if pattern.fullmatch(c) and c not in keep])
        return self.load()


# ---------------------------------------------------------------------- the stores a query uses

class MilvusLexical:
    """BM25 in Milvus with the interface of LexicalIndex: the vocabulary statistics live here (the
    ranking weighs question words by them), the scores come from the engine."""

    def __init__(self, client, collection: str, tokens: list[str], df: np.ndarray, token_ids: tuple, size: int,
                 candidates: int = LEXICAL_CANDIDATES):
        self.client, self.collection = client, collection
        self.vocab_dict = {token: number for number, token in enumerate(tokens)}
        self._tokens = tokens
        self._df = df
        self._doc_indptr, self._doc_token_ids = token_ids
        self.size = size
        self.candidates = candidates
        self.params = {"backend": "milvus"}

    def query_vector(self, tokens: list[str], weights: list[float] | None = None) -> dict[int, float]:
        """Token id → weight of the question: its count, or the sum of its weights (as
        LexicalIndex.scores adds one column per occurrence)."""
        vector: dict[int, float] = {}
        for number, token in enumerate(tokens):
            weight = 1.0 if weights is None else float(weights[number])
            if token in self.vocab_dict and weight > 0:
                key = self.vocab_dict[token]
                vector[key] = vector.get(key, 0.0) + weight
        return vector

    def scores(self, tokens: list[str], weights: list[float] | None = None) -> np.ndarray:
        """BM25 score of the best `candidates` chunks (others 0: the ranking takes its top 60)."""
        out = np.zeros(self.size, dtype=np.float32)
        vector = self.query_vector(tokens, weights)
        if not vector or self.size == 0:
            return out
        try:
            result = self.client.search(self.collection, data=[vector], anns_field="sparse",
                                        limit=min(self.candidates, self.size, 16_384), output_fields=["position"],
                                        search_params={"metric_type": "IP", "params": {"drop_ratio_search": 0.0}})
        except Exception as exc:  # noqa: BLE001
            raise _backend_error("Milvus", f"BM25 search in {self.collection} failed", exc) from exc
        for hit in result[0]:
            out[int(hit["position"])] = hit["distance"]
        return out

    def doc_freq(self, token: str) -> int:
        number = self.vocab_dict.get(token)
        return 0 if number is None else int(self._df[number])

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency: ln((N - df + 0.5) / (df + 0.5) + 1)."""
        df = self.doc_freq(token)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def doc_tokens(self, position: int) -> set[str]:
        start, end = self._doc_indptr[position], self._doc_indptr[position + 1]
        return {self._tokens[t] for t in self._doc_token_ids[start:end]} - {"∅"}

    def vocabulary(self) -> list[str]:
        return [t for t in self.vocab_dict if t != "∅" and t != ""]


class MilvusDense:
    """Nearest chunks by inner product on normalised embeddings, in Milvus (FLAT, or IVF_FLAT from
    `approximate_from` vectors with the local index's lists and probes)."""

    def __init__(self, client, collection: str, dim: int, size: int, kind: str, search: dict):
        self.client, self.collection = client, collection
        self.dim, self.size, self.kind = dim, size, kind
        self._params = {"metric_type": "IP", "params": dict(search)}

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and similarities of the `k` nearest vectors, best first (ties by position)."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        try:
            result = self.client.search(self.collection, data=[np.asarray(query, dtype=np.float32).ravel().tolist()],
                                        anns_field="dense", limit=min(k + DENSE_MARGIN, self.size, 16_384),
                                        output_fields=["position"], search_params=self._params)
        except Exception as exc:  # noqa: BLE001
            raise _backend_error("Milvus", f"dense search in {self.collection} failed", exc) from exc
        ids = np.array([int(hit["position"]) for hit in result[0]], dtype=np.int64)
        sims = np.array([hit["distance"] for hit in result[0]], dtype=np.float32)
        order = np.lexsort((ids, -sims))[:k]
        return ids[order], sims[order]


# ---------------------------------------------------------------------- helpers

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
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
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
            if attempt + 1 == attempts:
                raise _backend_error(uri, "does not answer", exc,
                                     hint="start the server or set ASSISTANT_MILVUS_URI") from exc
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


def _backend_error(uri: str, what: str, exc: BaseException, hint: str | None = None) -> BackendError:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return BackendError(f"Milvus at {uri}: {what} ({type(exc).__name__}: {detail})" + (f"; {hint}" if hint else ""))


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _create_collections(client, name: str, records: str, dense: dict | None) -> None:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("position", DataType.INT64, is_primary=True)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field("section_id", DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field("record", DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    index = client.prepare_index_params()
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    if dense is not None:
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dense["dim"])
        if dense["kind"] == "milvus-ivf":
            index.add_index("dense", index_type="IVF_FLAT", metric_type="IP", params=dense["build"])
        else:
            index.add_index("dense", index_type="FLAT", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=index)

    blobs = client.create_schema(auto_id=False, enable_dynamic_field=False)
    blobs.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
    blobs.add_field("body", DataType.VARCHAR, max_length=VARCHAR_MAX)
    blobs.add_field("vec", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
    blob_index = client.prepare_index_params()
    blob_index.add_index("vec", index_type="FLAT", metric_type="L2")
    client.create_collection(records, schema=blobs, index_params=blob_index)


def _skip_string_check() -> None:
    """pymilvus (3.0.2) checks a VARCHAR value of a row by looping over its characters in Python
    (1.7 ms for a 2,000-character record); every value written here is checked against the limit
    in bytes, as the server counts it, before it is sent (the server checks again)."""
    from pymilvus.client import entity_helper

    entity_helper.CHECK_STR_ARRAY = False


def _drop(client, names) -> None:
    for name in names:
        try:
            client.drop_collection(name)
        except Exception:  # noqa: BLE001 — best effort: a leftover is dropped by the next build
            pass


def write_blob(client, collection: str, name: str, text: str) -> None:
    """Store `text` under `name`: zlib, base64, cut into rows below the VARCHAR limit; the head row
    (written last) says how many parts there are."""
    packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")
    parts = [packed[i:i + BLOB_PART] for i in range(0, len(packed), BLOB_PART)] or [""]
    for start in range(0, len(parts), 50):
        client.insert(collection, [{"key": f"{name}#{number:06d}", "body": part, "vec": [0.0, 0.0]}
                                   for number, part in enumerate(parts[start:start + 50], start=start)])
    client.insert(collection, [{"key": name, "body": json.dumps({"parts": len(parts)}), "vec": [0.0, 0.0]}])


def read_blob(client, collection: str, name: str, missing_ok: bool = False) -> str | None:
    head = client.get(collection, ids=[name], output_fields=["body"])
    if not head:
        if missing_ok:
            return None
        raise IndexCorruptError(f"Milvus collection {collection} has no {name}; run `assistant index build`")
    count = json.loads(head[0]["body"])["parts"]
    keys = [f"{name}#{number:06d}" for number in range(count)]
    body = {}
    for start in range(0, count, 50):
        for row in client.get(collection, ids=keys[start:start + 50], output_fields=["key", "body"]):
            body[row["key"]] = row["body"]
    if len(body) != count:
        raise IndexCorruptError(f"Milvus collection {collection}: {name} has {len(body)} of {count} parts; "
                                f"run `assistant index build`")
    return zlib.decompress(base64.b64decode("".join(body[k] for k in keys))).decode("utf-8")


def _to_jsonl(rows) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _vocabulary(lexical) -> dict:
    """Tokens in id order with their document frequencies (the ranking's idf)."""
    tokens = [""] * len(lexical.vocab_dict)
    for token, number in lexical.vocab_dict.items():
        tokens[number] = token
    return {"tokens": tokens, "df": [int(n) for n in np.diff(np.asarray(lexical.indptr))]}


def _chunk_rows(lexical) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The BM25 matrix (token → chunks, CSC) turned chunk → (token ids, scores)."""
    indptr = np.asarray(lexical.indptr)
    indices = np.asarray(lexical.indices)
    token_ids = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.argsort(indices, kind="stable")
    doc_indptr = np.searchsorted(indices[order], np.arange(lexical.size + 1))
    return doc_indptr, token_ids[order], np.asarray(lexical.data)[order]


def _insert_chunks(client, name: str, records: str, chunks: list[Chunk], lexical, vectors: np.ndarray | None,
                   progress=None) -> None:
    """One row per chunk. The BM25 weights go in as rows of a scipy CSR matrix: pymilvus checks a
    dict's pairs one by one in Python (2.4 ms a row of 110 tokens, pymilvus 3.0.2), a CSR row in
    0.5 ms. (Lengths of VARCHAR values are checked here: see _skip_string_check.)"""
    from scipy.sparse import csr_matrix

    doc_indptr, token_ids, scores = _chunk_rows(lexical)
    matrix = csr_matrix((scores.astype(np.float32), token_ids.astype(np.int32), doc_indptr),
                        shape=(lexical.size, max(len(lexical.vocab_dict), 1)))
    batch: list[dict] = []
    for position, chunk in enumerate(chunks):
        start, end = doc_indptr[position], doc_indptr[position + 1]
        record = json.dumps({"c": chunk.to_dict(), "t": token_ids[start:end].tolist()}, ensure_ascii=False)
        if len(record.encode("utf-8")) > VARCHAR_MAX:  # a very long list item: its record goes to a blob
            write_blob(client, records, f"chunk-{position}", record)
            record = json.dumps({"blob": f"chunk-{position}"})
        for field, value in (("doc_id", chunk.doc_id), ("section_id", chunk.section_id or "")):
            if len(value.encode("utf-8")) > VARCHAR_MAX:
                raise BackendError(f"chunk {chunk.id}: its {field} is longer than Milvus's {VARCHAR_MAX} bytes")
        row = {"position": position, "doc_id": chunk.doc_id, "section_id": chunk.section_id or "",
               "record": record, "sparse": matrix[position]}
        if vectors is not None:
            row["dense"] = vectors[position].tolist()
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            client.insert(name, batch)
            batch = []
            if progress:
                progress(position + 1, len(chunks))
    if batch:
        client.insert(name, batch)
    if progress:
        progress(len(chunks), len(chunks))


def _chunk_of(client, records: str, record: str) -> tuple[Chunk, list[int]]:
    row = json.loads(record)
    if "blob" in row:
        row = json.loads(read_blob(client, records, row["blob"]))
    return Chunk.from_dict(row["c"]), row["t"]


def _read_chunks(client, collection: str, records: str, count: int) -> tuple[list[Chunk], tuple]:
    """Every chunk in position order, and chunk → token ids (CSR) for the ranking's coverage."""
    chunks: list[Chunk | None] = [None] * count
    tokens: list[list[int] | None] = [None] * count
    for start in range(0, count, READ_BATCH):  # ranges of the primary key (no iterator state on the server)
        rows = client.query(collection, filter=f"position >= {start} and position < {start + READ_BATCH}",
                            output_fields=["position", "record"], limit=READ_BATCH)
        for row in rows:
            position = int(row["position"])
            if not 0 <= position < count:
                raise IndexCorruptError(f"Milvus collection {collection} has a chunk at position {position} "
                                        f"but {count} chunks; run `assistant index build`")
            chunks[position], tokens[position] = _chunk_of(client, records, row["record"])
    missing = sum(1 for c in chunks if c is None)
    if missing:
        raise IndexCorruptError(f"Milvus collection {collection} lacks {missing} of {count} chunks; "
                                f"run `assistant index build`")
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=count)
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat = np.fromiter((t for row in tokens for t in row), dtype=np.int32, count=int(indptr[-1]))
    return chunks, (indptr, flat)
