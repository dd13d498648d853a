"""Check a question file of the labelled set: every `keys`, `answer` and `also` string must occur
(whitespace removed from both) in the text of one of the question's documents; fields and kinds are
checked too. Usage: python eval/check.py eval/questions/FILE.jsonl [...]

Documents are found under eval/documents/, corpus/ (the shipped corpus) or ../shared/realworld/laws/
by the path in a question's `docs`. Text is read independently of the assistant: python-docx
(paragraphs and table cells), pypdf (page text), HTML tags stripped, text files in UTF-8 or GB18030."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = {"eval": ROOT / "eval" / "documents", "corpus": ROOT / "corpus",
          "laws": ROOT.parent / "shared" / "realworld" / "laws"}
KINDS = {"figure", "list", "multi-part", "comparison", "who", "when", "where", "yesno", "definition", "article",
         "absent", "other"}
FIELDS = {"id", "lang", "q", "keys", "answer", "also", "absent", "docs", "kind", "collection"}


def text_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        for section in document.sections:
            parts.extend(p.text for p in section.footer.paragraphs)
        return "\n".join(parts)
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    if suffix in (".html", ".htm"):
        text = re.sub(r"<[^>]+>", " ", text)
    return text


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def resolve(doc: str) -> Path:
    place, _, rest = doc.partition("/")
    if place not in PLACES:
        raise ValueError(f"docs entry {doc!r} must start with eval/, corpus/ or laws/")
    return PLACES[place] / rest


def check(path: Path) -> int:
    problems = 0
    seen = set()
    cache: dict[Path, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"{where}: not JSON ({exc})")
            problems += 1
            continue
        missing = FIELDS - q.keys()
        if missing:
            print(f"{where}: missing fields {sorted(missing)}")
            problems += 1
            continue
        if q["id"] in seen:
            print(f"{where}: id {q['id']} repeated")
            problems += 1
        seen.add(q["id"])
        if q["kind"] not in KINDS:
            print(f"{where}: kind {q['kind']!r} is not one of {sorted(KINDS)}")
            problems += 1
        if q["lang"] not in ("zh", "en"):
            print(f"{where}: lang must be zh or en")
            problems += 1
        if q["absent"] != (q["kind"] == "absent"):
            print(f"{where}: absent is true exactly when kind is 'absent'")
            problems += 1
        if q["absent"]:
            if q["keys"] or q["answer"] or q["also"]:
                print(f"{where}: an absent question has empty keys, answer and also")
                problems += 1
            continue
        if not q["answer"] or not q["keys"] or not q["docs"]:
            print(f"{where}: an answerable question needs keys, answer and docs")
            problems += 1
            continue
        texts = []
        for doc in q["docs"]:
            try:
                file = resolve(doc)
                if file not in cache:
                    cache[file] = squash(text_of(file))
                texts.append(cache[file])
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"{where}: cannot read {doc}: {exc}")
                problems += 1
        joined = "\n".join(texts)
        if not any(squash(k) in joined for k in q["keys"]):
            print(f"{where}: no key occurs in its docs: {q['keys']}")
            problems += 1
        for field in ("answer", "also"):
            for s in q[field]:
                if squash(s) not in joined:
                    print(f"{where}: {field} string {s!r} does not occur in its docs")
                    problems += 1
    return problems


if __name__ == "__main__":
    total = sum(check(Path(p)) for p in sys.argv[1:])
    print("ok" if not total else f"{total} problems")
    sys.exit(1 if total else 0)
