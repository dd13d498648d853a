"""Every law of a laws index, asked for by article, and laws the index lacks (issue 29's checks).

    ASSISTANT_HOME=/tmp/h-large ASSISTANT_CORPUS=../shared/realworld/large \\
        .venv/bin/python scripts/laws_check.py [--per-law 5] [--seed 7] [--json-out FILE]

For every law (the newest version of each, by law_key) it picks `--per-law` article numbers at random
(seeded) and asks two phrasings: "《title》第N条是怎么规定的?" and "short name第N条说了什么?" (the title
without 中华人民共和国 and its version). An answer is right when it is found, its first citation is that
law's newest version and that article, and every line of the article is in the answer (spaces aside).
Then for each name in eval/laws_elsewhere.txt (real laws; those the index holds are left out) it asks
"《name》第N条是怎么规定的?" and "name第N条说了什么?": right when the answer is "not found". It reports
the shares, the articles over 500 characters and whether each was quoted whole, and the warm p50/p95
of `ask`."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import load_settings  # noqa: E402
from assistant.language.numerals import int_to_cn  # noqa: E402
from assistant.regulations import law_key  # noqa: E402
from assistant.service import Assistant  # noqa: E402

_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACES.sub("", text)


def article_text(assistant: Assistant, doc_id: str, number: int) -> list[str]:
    """The article's own lines in the document (from its first chunk's first line to its last chunk's
    last: a later piece's repeated or shortened opening line is not part of the text)."""
    names = assistant.searcher.law_names()
    chunks = [assistant.index.chunks[p] for p in names.article_chunks(doc_id, number)]
    if not chunks:
        return []
    start, end = min(c.start_line for c in chunks), max(c.end_line for c in chunks)
    return [line.text for line in assistant.index.lines.get(doc_id, []) if start <= line.start <= end and line.text.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-law", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--absent", type=Path, default=ROOT / "eval" / "laws_elsewhere.txt")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N laws (a quick look)")
    args = parser.parse_args()
    assistant = Assistant.open(load_settings(), warn=lambda m: print(m, file=sys.stderr))
    names = assistant.searcher.law_names()
    rng = random.Random(args.seed)

    newest: dict[str, dict] = {}
    for document in assistant.index.documents:
        key = document.get("law_key")
        if not key or not names.articles.get(document["id"]):
            continue
        if key not in newest or (document.get("date") or "") > (newest[key].get("date") or ""):
            newest[key] = document
    laws = sorted(newest.values(), key=lambda d: d["source"])
    if args.limit:
        laws = laws[:args.limit]

    times: list[float] = []
    rows, long_rows = [], []

    def ask(question: str):
        started = time.perf_counter()
        answer = assistant.ask(question)
        times.append(time.perf_counter() - started)
        return answer

    for document in laws:
        numbers = sorted(names.articles[document["id"]])
        picked = rng.sample(numbers, min(args.per_law, len(numbers)))
        short = law_key(document["title"])
        for number in picked:
            lines = article_text(assistant, document["id"], number)
            length = sum(len(line) for line in lines)
            for form, question in (("title", f"《{document['title']}》第{int_to_cn(number)}条是怎么规定的?"),
                                   ("short", f"{short}第{int_to_cn(number)}条说了什么?")):
                answer = ask(question)
                citations = answer.citations()
                first = citations[0] if citations else {}
                text = squash(answer.text)
                whole = all(squash(line) in text for line in lines)
                right = (answer.found and first.get("doc_id") == document["id"]
                         and first.get("article") == f"第{int_to_cn(number)}条" and whole)
                rows.append({"law": document["title"], "article": number, "form": form, "right": right,
                             "found": answer.found, "first": first.get("doc_id"), "whole": whole, "chars": length})
                if length > 500:
                    long_rows.append({"law": document["title"], "article": number, "form": form, "whole": whole})

    held = {squash(law_key(d.get("title") or "")) for d in assistant.index.documents if d.get("law_key")}
    absent_rows = []
    if args.absent.exists():
        for name in args.absent.read_text(encoding="utf-8").split("\n"):
            name = name.strip()
            if not name or name.startswith("#") or squash(law_key(name)) in held:
                continue
            number = rng.randint(2, 40)
            for form, question in (("title", f"《{name}》第{int_to_cn(number)}条是怎么规定的?"),
                                   ("short", f"{law_key(name)}第{int_to_cn(number)}条说了什么?")):
                answer = ask(question)
                absent_rows.append({"law": name, "form": form, "right": not answer.found})

    times.sort()
    report = {
        "laws": len(laws), "questions": len(rows),
        "article_right": round(sum(r["right"] for r in rows) / max(1, len(rows)), 4),
        "by_form": {form: round(sum(r["right"] for r in rows if r["form"] == form)
                                / max(1, sum(1 for r in rows if r["form"] == form)), 4) for form in ("title", "short")},
        "long_articles": len(long_rows), "long_quoted_whole": sum(r["whole"] for r in long_rows),
        "absent_questions": len(absent_rows),
        "absent_refused": round(sum(r["right"] for r in absent_rows) / max(1, len(absent_rows)), 4),
        "ask_p50_ms": round(1000 * times[len(times) // 2], 1) if times else None,
        "ask_p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1) if times else None,
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    wrong = [r for r in rows if not r["right"]][:30]
    for r in wrong:
        print("wrong:", json.dumps(r, ensure_ascii=False))
    for r in [r for r in absent_rows if not r["right"]][:20]:
        print("answered although absent:", json.dumps(r, ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps({"report": report, "rows": rows, "absent": absent_rows},
                                            ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
