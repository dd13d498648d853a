"""Assign every document of the labelled set to train, dev or test, once, and write
eval/documents.jsonl. Documents are split, not questions: the documents a question draws on (its
`docs`) are one group, and a group goes to one split whole, so no test document's text was ever read
through a train or dev question. The shipped corpus is train (the rules of earlier sessions were fitted
on it); the laws and the new documents go 50/25/25 by a hash of their group's first document name
(stable: a new document never moves an old one). Questions whose `docs` are empty go by a hash of
their id.

Usage: python eval/split.py            (writes eval/documents.jsonl; refuses to move a document that
                                        already has a split unless --reassign)"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LAWS = ROOT.parent / "shared" / "realworld" / "laws"
SHARES = (("train", 0.5), ("dev", 0.75), ("test", 1.0))


def bucket(name: str) -> str:
    value = int(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return next(split for split, upper in SHARES if value < upper)


def all_documents() -> list[str]:
    docs = [f"corpus/{p.name}" for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for folder in sorted((HERE / "documents").iterdir()):
        docs += [f"eval/{folder.name}/{p.name}" for p in sorted(folder.iterdir()) if p.is_file()]
    if LAWS.is_dir():
        docs += [f"laws/{p.name}" for p in sorted(LAWS.glob("*.md"))]
    return docs


def questions() -> list[dict]:
    out = []
    for path in sorted((HERE / "questions").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def groups(docs: list[str], qs: list[dict]) -> dict[str, str]:
    """Document → the first document (by name) of its group (union-find over the questions' docs)."""
    parent = {d: d for d in docs}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for q in qs:
        for a, b in zip(q["docs"], q["docs"][1:]):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {d: find(d) for d in docs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reassign", action="store_true")
    args = parser.parse_args()
    docs, qs = all_documents(), questions()
    unknown = sorted({d for q in qs for d in q["docs"]} - set(docs))
    if unknown:
        print(f"questions name documents that are not in the set: {unknown[:5]}", file=sys.stderr)
        return 1
    target = HERE / "documents.jsonl"
    old = {}
    if target.exists():
        old = {r["doc"]: r["split"] for r in map(json.loads, target.read_text(encoding="utf-8").splitlines())}
    root = groups(docs, qs)
    rows = []
    for doc in docs:
        split = "train" if doc.startswith("corpus/") else bucket(root[doc])
        if doc in old and old[doc] != split and not args.reassign:
            split = old[doc]  # never moves: its questions may have been read as a train or dev question
        rows.append({"doc": doc, "split": split, "collection": "laws" if doc.startswith("laws/") else "school",
                     "group": root[doc]})
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    split_of = {r["doc"]: r["split"] for r in rows}
    counts: dict[str, list[int]] = {}
    for q in qs:
        split = split_of[q["docs"][0]] if q["docs"] else bucket(q["id"])
        counts.setdefault(split, [0, 0])[0] += 1
    for r in rows:
        counts.setdefault(r["split"], [0, 0])[1] += 1
    for split, (nq, nd) in sorted(counts.items()):
        print(f"{split}: {nd} documents, {nq} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
