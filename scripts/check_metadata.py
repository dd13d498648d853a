"""How well documents are described: title, kind, date, organisation and document number of every
file in eval/metadata/*.jsonl (written by hand from the documents, see eval/metadata/README.md)
against what the ingest pipeline reads from the file (its first document).

    .venv/bin/python scripts/check_metadata.py            # per field, by split; train mismatches listed
    .venv/bin/python scripts/check_metadata.py --json

Files of the dev and test splits (eval/documents.jsonl) are reported as figures only."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.errors import LoadError  # noqa: E402
from assistant.ingest.masthead import squash  # noqa: E402
from assistant.ingest.pipeline import load_documents  # noqa: E402
from assistant.ingest.splitting import stem_title  # noqa: E402

FIELDS = ("title", "kind", "date", "organisation", "number")
_WIDTH = str.maketrans("()[]:,", "（）［］：，")


def normal(value) -> str | None:
    if value is None:
        return None
    return re.sub(r"[“”\"'‘’]", "", squash(str(value)).translate(_WIDTH)) or None


def splits() -> dict[str, str]:
    out = {}
    for raw in (ROOT / "eval" / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        out[row["doc"].removeprefix("eval/")] = row["split"]
    return out


def compare(reference: dict, found: dict) -> dict[str, bool]:
    out = {}
    title = reference.get("title")
    stem = stem_title(reference["file"])
    out["title"] = normal(found["title"]) == normal(title) if title else normal(found["title"]) in (None, normal(stem))
    out["kind"] = found["kind"] == reference.get("kind")
    out["date"] = found["date"] == reference.get("date")
    out["organisation"] = normal(found["organisation"]) == normal(reference.get("organisation"))
    out["number"] = normal(found["number"]) == normal(reference.get("doc_number"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    split_of = splits()
    rows = []
    for path in sorted((ROOT / "eval" / "metadata").glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            reference = json.loads(raw)
            if reference.get("title") is None and reference.get("kind") is None and reference.get("date") is None:
                continue  # a file without text (a scan): nothing to read
            file = ROOT / "eval" / "documents" / reference["file"]
            try:
                documents, _ = load_documents(file, file.name)
            except LoadError as exc:
                rows.append({"file": reference["file"], "split": split_of.get(reference["file"], "?"),
                             "error": str(exc), "ok": {f: False for f in FIELDS}})
                continue
            first = documents[0]
            found = {"title": first.title, "kind": first.kind, "date": first.date,
                     "organisation": first.organisation, "number": getattr(first, "number", None)}
            rows.append({"file": reference["file"], "split": split_of.get(reference["file"], "?"),
                         "reference": reference, "found": found, "ok": compare(reference, found)})
    report = {}
    for split in ("all", "train", "dev", "test"):
        chosen = [r for r in rows if split == "all" or r["split"] == split]
        if chosen:
            report[split] = {"files": len(chosen), **{f: round(sum(r["ok"][f] for r in chosen) / len(chosen), 3)
                                                       for f in FIELDS},
                             "all_right": round(sum(all(r["ok"].values()) for r in chosen) / len(chosen), 3)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    for split, figures in report.items():
        print(f"{split:6} " + "  ".join(f"{k} {v}" for k, v in figures.items()))
    for row in rows:
        if row["split"] != "train" or all(row["ok"].values()):
            continue
        print(f"\n{row['file']}")
        if "error" in row:
            print(f"  error: {row['error']}")
            continue
        for name in FIELDS:
            if not row["ok"][name]:
                key = "doc_number" if name == "number" else name
                print(f"  {name}: found {row['found'][name]!r}, expected {row['reference'].get(key)!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
