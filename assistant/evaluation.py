"""Retrieval quality on a question set: hit@1, hit@k, MRR and completeness.

Questions are JSON lines {"id", "lang", "q", "keys": [...], "also": [...]}. A passage is
relevant when it contains one of `keys` (all whitespace removed on both sides); completeness
is the share of `also` strings found in the top-k passages (questions without `also` are left
out of that mean)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from .errors import AssistantError

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def read_questions(path: Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise AssistantError(f"{path}: no such file; pass a JSON-lines question file")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise AssistantError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("q"), str) or not isinstance(row.get("keys"), list):
            raise AssistantError(f"{path}:{number}: each line needs a string 'q' and a list 'keys'")
        row.setdefault("id", f"line{number}")
        row.setdefault("lang", "")
        row.setdefault("also", [])
        questions.append(row)
    if not questions:
        raise AssistantError(f"{path}: no questions in the file")
    return questions


def score_passages(question: dict, passages: list[str]) -> dict:
    keys = [squash(k) for k in question["keys"]]
    squashed = [squash(p) for p in passages]
    rank = next((i for i, text in enumerate(squashed, start=1) if any(k in text for k in keys)), None)
    also = [squash(a) for a in question.get("also", [])]
    found = [a for a in also if any(a in text for text in squashed)]
    return {"rank": rank, "also_found": len(found), "also_total": len(also)}


def summarise(rows: list[dict], k: int) -> dict:
    n = len(rows)
    with_also = [r for r in rows if r["also_total"]]
    return {
        "n": n,
        "hit@1": round(sum(1 for r in rows if r["rank"] == 1) / n, 4) if n else 0.0,
        "hit@k": round(sum(1 for r in rows if r["rank"]) / n, 4) if n else 0.0,
        "mrr": round(sum(1 / r["rank"] for r in rows if r["rank"]) / n, 4) if n else 0.0,
        "completeness": round(sum(r["also_found"] / r["also_total"] for r in with_also) / len(with_also), 4)
        if with_also else None,
        "k": k,
    }


def evaluate(questions: list[dict], retrieve: Callable[[str, int], list[dict]], k: int = 5) -> dict:
    """`retrieve(question, k)` returns passages as dicts with a "text" field (search results or
    answer citations). Returns the summary, by-language summaries and per-question detail."""
    rows = []
    for question in questions:
        results = retrieve(question["q"], k)[:k]
        row = score_passages(question, [r["text"] for r in results])
        row.update({"id": question["id"], "lang": question.get("lang", ""), "q": question["q"],
                    "top": [r.get("chunk_id") or r.get("doc_id") for r in results]})
        rows.append(row)
    report = summarise(rows, k)
    report["by_lang"] = {lang: summarise([r for r in rows if r["lang"] == lang], k)
                         for lang in sorted({r["lang"] for r in rows})}
    report["questions"] = rows
    return report
