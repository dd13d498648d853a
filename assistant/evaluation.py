"""Quality on a question set: retrieval (hit@1, hit@k, MRR, completeness) and answers.

Questions are JSON lines {"id", "lang", "q", "keys": [...], "also": [...], "answer": [...],
"absent": bool}. A passage is relevant when it contains one of `keys` (all whitespace removed on
both sides); completeness is the share of `also` strings found in the top-k passages (questions
without `also` are left out of that mean).

Answers (`evaluate_answers`, `assistant eval --mode answer`): an answerable question is answered
correctly when the answer is marked found and its text (not the cited passages) holds every
`answer` string, whitespace ignored; completely when it also holds every `also` string. An
`absent` question is answered correctly when the answer says the documents do not answer it.
Reported overall, by language and by kind of question (the question's `kind` when the set gives one,
else read from its wording: kind_of), with how often "sure" answers are right and how many right
answers are sure."""

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
        if not isinstance(row.get("answer", []), list) or not all(isinstance(a, str) for a in row.get("answer", [])):
            raise AssistantError(f"{path}:{number}: 'answer' must be a list of strings")
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


KINDS = ("figure", "list", "multi-part", "comparison", "who", "when", "where", "yesno", "definition", "article",
         "absent", "other")


def kind_of(question: dict) -> str:
    """The kind of a question: its `kind` field, else "absent", else what its wording asks for (an
    article, a definition, yes or no, who/when/where, a list, a figure; two or more of these: multi-part)."""
    if question.get("kind") in KINDS:
        return question["kind"]
    if question.get("absent"):
        return "absent"
    from .retrieval.intent import intent_of

    intent = intent_of(question["q"])
    if len(intent.parts) > 1:
        return "multi-part"
    for kind, name in (("article", "article"), ("definition", "definition"), ("yesno", "yesno"), ("who", "who"),
                       ("date", "when"), ("where", "where"), ("list", "list"), ("figure", "figure")):
        if kind in intent.kinds:
            return name
    return "other"


def score_answer(question: dict, answer: dict) -> dict:
    """One answer (the JSON of `ask`) judged against the question's `answer`, `also` and `absent`."""
    text = squash(answer.get("answer", ""))
    found = bool(answer.get("found"))
    absent = bool(question.get("absent"))
    needed = [squash(a) for a in question.get("answer", [])]
    also = [squash(a) for a in question.get("also", [])]
    missing = [a for a in needed if a not in text]
    if absent:
        correct = not found
    else:
        correct = found and not missing
    also_found = [a for a in also if a in text]
    retrieval = score_passages(question, [c["text"] for c in answer.get("citations", [])]) \
        if question.get("keys") else {"rank": None, "also_found": 0, "also_total": 0}
    return {"absent": absent, "found": found, "sure": found and bool(answer.get("sure")), "correct": correct,
            "complete": correct and (absent or len(also_found) == len(also)),
            "false_not_found": not absent and not found, "false_answer": absent and found,
            "missing": [a for a in question.get("answer", []) if squash(a) in missing],
            "also_found": len(also_found), "also_total": len(also),
            "length": len(answer.get("answer", "")), "rank": retrieval["rank"], "keyed": bool(question.get("keys"))}


def summarise_answers(rows: list[dict], k: int) -> dict:
    answerable = [r for r in rows if not r["absent"]]
    absent = [r for r in rows if r["absent"]]

    def share(items: list[dict], test) -> float | None:
        return round(sum(1 for r in items if test(r)) / len(items), 4) if items else None

    ranked = [r for r in answerable if r["keyed"]]
    return {
        "n": len(rows), "answerable": len(answerable), "absent": len(absent),
        "correct": share(answerable, lambda r: r["correct"]),
        "complete": share(answerable, lambda r: r["complete"]),
        "false_not_found": share(answerable, lambda r: r["false_not_found"]),
        "absent_refused": share(absent, lambda r: r["correct"]),
        "false_answer": share(absent, lambda r: r["false_answer"]),
        "overall": share(rows, lambda r: r["correct"]),
        "mean_length": round(sum(r["length"] for r in answerable) / len(answerable), 1) if answerable else None,
        "hit@1": share(ranked, lambda r: r["rank"] == 1),
        "hit@k": share(ranked, lambda r: r["rank"] is not None),
        "mrr": round(sum(1 / r["rank"] for r in ranked if r["rank"]) / len(ranked), 4) if ranked else None,
        # of the answers given as sure, the share that is right; of the right answers, the share given as sure
        "sure_right": share([r for r in rows if r.get("sure")], lambda r: r["correct"]),
        "sure_share": share([r for r in answerable if r["correct"]], lambda r: r.get("sure")),
        "k": k,
    }


def evaluate_answers(questions: list[dict], ask: Callable[[str, int], dict], k: int = 5) -> dict:
    """`ask(question, k)` returns the JSON of `ask` ({"answer", "found", "citations"}). Returns the
    summary (correct, complete, false not-found, absent refused, answer length, and the retrieval
    figures of the cited passages), by-language summaries and per-question detail."""
    if not any(q.get("answer") or q.get("absent") for q in questions):
        raise AssistantError("no question has an 'answer' list or 'absent': true; --mode answer needs them "
                             "(see ../shared/eval/README.md for the format)")
    rows = []
    for question in questions:
        answer = ask(question["q"], k)
        row = score_answer(question, answer)
        row.update({"id": question["id"], "lang": question.get("lang", ""), "kind": kind_of(question),
                    "q": question["q"], "answer_text": answer.get("answer", ""),
                    "top": [c.get("doc_id") for c in answer.get("citations", [])][:k]})
        rows.append(row)
    report = summarise_answers(rows, k)
    report["by_lang"] = {lang: summarise_answers([r for r in rows if r["lang"] == lang], k)
                         for lang in sorted({r["lang"] for r in rows})}
    report["by_kind"] = {kind: summarise_answers([r for r in rows if r["kind"] == kind], k)
                         for kind in KINDS if any(r["kind"] == kind for r in rows)}
    report["questions"] = rows
    return report
