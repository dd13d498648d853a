"""What a Milvus build writes and an opened index reads: the two collections' schema, the records
as compressed blobs, and one row per chunk (its record, its BM25 weights, its embedding)."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np

from ...documents import Chunk
from ...errors import BackendError, IndexCorruptError

#: Milvus's VARCHAR limit (bytes); blobs are cut into parts below it.
VARCHAR_MAX = 65_535
BLOB_PART = 60_000
#: Rows per query when an index is opened.
READ_BATCH = 4000
#: Rows per insert call (one gRPC message stays far below its 64 MB limit).
INSERT_BATCH = 1000


def quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def create_collections(client, name: str, records: str, dense: dict | None) -> None:
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


def skip_string_check() -> None:
    """pymilvus (3.0.2) checks a VARCHAR value of a row by looping over its characters in Python
    (1.7 ms for a 2,000-character record); every value written here is checked against the limit
    in bytes, as the server counts it, before it is sent (the server checks again)."""
    from pymilvus.client import entity_helper

    entity_helper.CHECK_STR_ARRAY = False


def drop(client, names) -> None:
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


def to_jsonl(rows) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def vocabulary_of(lexical) -> dict:
    """Tokens in id order with their document frequencies (the ranking's idf)."""
    tokens = [""] * len(lexical.vocab_dict)
    for token, number in lexical.vocab_dict.items():
        tokens[number] = token
    return {"tokens": tokens, "df": [int(n) for n in np.diff(np.asarray(lexical.indptr))]}


def chunk_rows(lexical) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The BM25 matrix (token → chunks, CSC) turned chunk → (token ids, scores)."""
    indptr = np.asarray(lexical.indptr)
    indices = np.asarray(lexical.indices)
    token_ids = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.argsort(indices, kind="stable")
    doc_indptr = np.searchsorted(indices[order], np.arange(lexical.size + 1))
    return doc_indptr, token_ids[order], np.asarray(lexical.data)[order]


def insert_chunks(client, name: str, records: str, chunks: list[Chunk], lexical, vectors: np.ndarray | None,
                   progress=None) -> None:
    """One row per chunk. The BM25 weights go in as rows of a scipy CSR matrix: pymilvus checks a
    dict's pairs one by one in Python (2.4 ms a row of 110 tokens, pymilvus 3.0.2), a CSR row in
    0.5 ms. (Lengths of VARCHAR values are checked here: see skip_string_check.)"""
    from scipy.sparse import csr_matrix

    doc_indptr, token_ids, scores = chunk_rows(lexical)
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


def chunk_of(client, records: str, record: str) -> tuple[Chunk, list[int]]:
    row = json.loads(record)
    if "blob" in row:
        row = json.loads(read_blob(client, records, row["blob"]))
    return Chunk.from_dict(row["c"]), row["t"]


def read_chunks(client, collection: str, records: str, count: int) -> tuple[list[Chunk], tuple]:
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
            chunks[position], tokens[position] = chunk_of(client, records, row["record"])
    missing = sum(1 for c in chunks if c is None)
    if missing:
        raise IndexCorruptError(f"Milvus collection {collection} lacks {missing} of {count} chunks; "
                                f"run `assistant index build`")
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=count)
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat = np.fromiter((t for row in tokens for t in row), dtype=np.int32, count=int(indptr[-1]))
    return chunks, (indptr, flat)
