#!/usr/bin/env python3
"""Load test of a running `assistant serve` on this machine (127.0.0.1 only; a bounded number of requests).

    assistant serve --port 8000 &
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8000 --clients 8 --requests 500

Each of `--clients` threads sends requests until `--requests` have been sent: POST /ask (some with a
conversation history), GET /search and, every `--draft-every` requests, POST /draft. Questions come from
tests/data/heldout.jsonl (or --questions FILE, JSON lines with "q"). Every distinct request is first sent
once on its own to record its answer; under load each response must be the same (a race that corrupts
shared state shows up as a mismatch). Reports requests/s, p50/p95/p99 latency overall and per endpoint,
status codes, errors and mismatches; exits 1 when any request failed or differed."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
FALLBACK_QUESTIONS = ["A2保障机制组要准备哪些材料?", "曹集学校的师生比是多少?", "What must the A2 guarantee-mechanism group file?",
                      "学生每天在校学习时间不超过几小时?", "学校食堂的菜价是多少?"]


def read_questions(path: Path | None) -> list[str]:
    path = path or ROOT / "tests" / "data" / "heldout.jsonl"
    if not path.exists():
        return FALLBACK_QUESTIONS
    questions = [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return questions or FALLBACK_QUESTIONS


def plan(questions: list[str], total: int, draft_every: int) -> list[tuple[str, str, dict]]:
    """(name, method+path, request kwargs) for each request, in a fixed, repeating mix."""
    requests = []
    drafts = [{"kind": kind, "school": "青山镇中心小学"} for kind in ("summary", "rectification", "plan")]
    for i in range(total):
        question = questions[i % len(questions)]
        if draft_every and i % draft_every == draft_every - 1:
            requests.append(("draft", "POST /draft", {"json": drafts[(i // draft_every) % len(drafts)]}))
        elif i % 5 == 3:
            requests.append(("search", "GET /search", {"params": {"q": question, "top_k": 5}}))
        elif i % 5 == 4:
            follow = "那A3组呢?" if i % 2 else "who leads it?"
            requests.append(("ask+history", "POST /ask", {"json": {"question": follow, "history": ["A2保障机制组要准备哪些材料?"]}}))
        else:
            requests.append(("ask", "POST /ask", {"json": {"question": question, "top_k": 5}}))
    return requests


def key_of(target: str, kwargs: dict) -> str:
    return target + " " + json.dumps(kwargs, ensure_ascii=False, sort_keys=True)


def send(client: httpx.Client, target: str, kwargs: dict) -> tuple[int, object, float]:
    method, path = target.split(" ", 1)
    started = time.perf_counter()
    response = client.request(method, path, **kwargs)
    elapsed = time.perf_counter() - started
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(latencies: list[float]) -> dict:
    return {"n": len(latencies), "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
            "p95_ms": round(1000 * percentile(latencies, 0.95), 1), "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
            "max_ms": round(1000 * max(latencies, default=0.0), 1),
            "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else 0.0}


def run(url: str, clients: int, total: int, questions: list[str], draft_every: int, timeout: float) -> dict:
    requests = plan(questions, total, draft_every)
    with httpx.Client(base_url=url, timeout=timeout) as client:
        health = client.get("/health").json()
        expected: dict[str, tuple[int, object]] = {}
        for _, target, kwargs in requests:  # each distinct request once, alone: the answer to expect
            key = key_of(target, kwargs)
            if key not in expected:
                status, body, _ = send(client, target, kwargs)
                expected[key] = (status, body)
    lock = threading.Lock()
    cursor = iter(range(total))
    results: list[tuple[str, int, float, bool, str]] = []  # name, status, seconds, same, error
    local = threading.local()

    def worker() -> None:
        local.client = httpx.Client(base_url=url, timeout=timeout)
        try:
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                name, target, kwargs = requests[i]
                try:
                    status, body, elapsed = send(local.client, target, kwargs)
                    error = "" if status < 400 else f"HTTP {status}: {body}"
                    same = (status, body) == expected[key_of(target, kwargs)]
                except httpx.HTTPError as exc:
                    status, elapsed, same, error = 0, 0.0, False, f"{type(exc).__name__}: {exc}"
                with lock:
                    results.append((name, status, elapsed, same, error))
        finally:
            local.client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    seconds = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for _, status, _, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    errors = [r[4] for r in results if r[4]]
    latencies = [r[2] for r in results if not r[4]]
    by_endpoint = {name: summary([r[2] for r in results if r[0] == name and not r[4]])
                   for name in dict.fromkeys(r[0] for r in results)}
    return {"url": url, "clients": clients, "requests": len(results), "seconds": round(seconds, 2),
            "requests_per_s": round(len(results) / seconds, 1) if seconds else 0.0, "latency": summary(latencies),
            "by_endpoint": by_endpoint, "statuses": statuses, "errors": len(errors), "error_samples": errors[:5],
            "mismatches": sum(1 for r in results if not r[3] and not r[4]),
            "distinct_requests": len(expected), "server": {k: health.get(k) for k in ("documents", "chunks", "embedding_model")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server (127.0.0.1 only)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (1-64)")
    parser.add_argument("--requests", type=int, default=500, help="requests in all (1-10000)")
    parser.add_argument("--draft-every", type=int, default=50, help="one POST /draft every N requests (0: none)")
    parser.add_argument("--questions", type=Path, help="JSON lines with a 'q' per line (default: tests/data/heldout.jsonl)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    host = urlparse(args.url).hostname
    if host not in LOCAL_HOSTS:
        parser.error(f"--url must point at this machine (127.0.0.1, localhost or ::1), not {host!r}")
    if not 1 <= args.clients <= 64 or not 1 <= args.requests <= 10000:
        parser.error("--clients must be 1-64 and --requests 1-10000")
    try:
        report = run(args.url.rstrip("/"), args.clients, args.requests, read_questions(args.questions),
                     max(0, args.draft_every), args.timeout)
    except httpx.HTTPError as exc:
        print(f"error: cannot reach {args.url} ({exc}); start it with `assistant serve`", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        lat = report["latency"]
        print(f"{report['requests']} requests from {report['clients']} clients in {report['seconds']} s: "
              f"{report['requests_per_s']} requests/s; latency p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, "
              f"p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms")
        for name, stats in report["by_endpoint"].items():
            print(f"  {name:12} n={stats['n']:4}  p50 {stats['p50_ms']:7.1f} ms  p95 {stats['p95_ms']:7.1f} ms")
        print(f"statuses {report['statuses']}; errors {report['errors']}; responses differing from the "
              f"same request sent alone: {report['mismatches']} (of {report['distinct_requests']} distinct requests)")
        for sample in report["error_samples"]:
            print(f"  {sample[:200]}")
    return 1 if report["errors"] or report["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
