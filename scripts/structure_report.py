"""Structure figures of a built index, for regulations and for school documents alike.

    python scripts/structure_report.py --home /tmp/lawhome [--corpus DIR] [--limit 480] [--json]

Reads the current index under ASSISTANT_HOME (--home) and reports: chunks; the share of chunks
whose section path holds an article (第X条); articles cut although they fit (see below); the
deepest section path; titles that keep a Markdown "#"; chunks holding "INFO END"; documents by
kind, and how many have a date and an organisation.

Articles are counted from the corpus files themselves (--corpus, default the index's corpus), so
the count does not depend on the parser being measured: an article runs from a line that starts
"第X条" to the line before the next such line, the next Markdown heading, 第X章/第X节 line or the
end of the file. It "fits" when its length (the characters of its lines, as the chunker counts
them: spaces inside a line count, line breaks do not) is at most --limit, and it is "cut" when no
chunk's text (whitespace removed) contains its text (whitespace removed) whole.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零两〇]+条(?:之[一二三四五六七八九十]+)?[\s\u3000]")
BREAK = re.compile(r"^(#|第[一二三四五六七八九十百千零两〇]+[编章节][\s\u3000]|<!--)")
ITEM = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def articles_of(path: Path) -> list[tuple[str, int]]:
    """Each article: (its text with whitespace removed, its length as chunks count it: the
    characters of its lines, spaces inside a line included, line breaks not)."""
    out: list[tuple[str, int]] = []
    current: list[str] | None = None

    def close() -> None:
        if current:
            out.append(("".join(squash(line) for line in current), sum(len(line) for line in current)))

    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.replace("\u3000", " ").replace("\u200b", "").strip()
        if not line:
            continue
        if ARTICLE.match(line):
            close()
            current = [line]
        elif BREAK.match(line) or (current is not None and len(line) <= 12 and not re.search(r"[。；;：:，,]", line)):
            close()
            current = None
        elif current is not None:
            current.append(line)
    close()
    return out


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def report(home: Path, corpus: Path | None, limit: int) -> dict:
    index = (home / "index" / "current").resolve()
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    corpus = corpus or Path(manifest["corpus"])
    chunks = _read_jsonl(index / "chunks.jsonl")
    documents = _read_jsonl(index / "documents.jsonl")
    source_of = {d["id"]: d["source"] for d in documents}
    texts_by_source: dict[str, list[str]] = {}
    for chunk in chunks:
        texts_by_source.setdefault(source_of[chunk["doc_id"]], []).append(squash(chunk["text"]))
    article_chunks = sum(any(ARTICLE.match(p + " ") or re.match(r"^第.+条$", p) for p in c["section_path"])
                         for c in chunks)
    total_articles = fitting = cut_fitting = cut_long = 0
    cut_examples: list[str] = []
    for source, texts in sorted(texts_by_source.items()):
        path = corpus / source
        if not path.exists():
            continue
        for article, length in articles_of(path):
            total_articles += 1
            whole = any(article in text for text in texts)
            if length <= limit:
                fitting += 1
                if not whole:
                    cut_fitting += 1
                    if len(cut_examples) < 5:
                        cut_examples.append(f"{source}: {article[:30]}… ({length} chars)")
            elif not whole:
                cut_long += 1
    depths = [len(c["section_path"]) for c in chunks]
    sections = _read_jsonl(index / "sections.jsonl")
    item_chunks = sum(any(ITEM.match(p) for p in c["section_path"]) for c in chunks)
    deepest = max(chunks, key=lambda c: len(c["section_path"])) if chunks else None
    return {
        "index": str(index), "corpus": str(corpus), "limit": limit,
        "documents": len(documents), "chunks": len(chunks),
        "chunks_with_article_in_path": article_chunks,
        "share_with_article_in_path": round(article_chunks / len(chunks), 3) if chunks else 0.0,
        "articles": total_articles, "articles_that_fit": fitting, "articles_cut_that_fit": cut_fitting,
        "articles_longer_than_limit_cut": cut_long, "cut_examples": cut_examples,
        "max_path_depth": max(depths, default=0),
        "deepest_path": deepest["section_path"] if deepest else [],
        "share_with_item_in_path": round(item_chunks / len(chunks), 3) if chunks else 0.0,
        "max_section_depth": max((len(s["path"]) for s in sections), default=0),
        "chunks_with_deeper_path_than_4": sum(d > 4 for d in depths),
        "titles_with_hash": sum(d["title"].lstrip().startswith("#") for d in documents),
        "chunks_with_info_end": sum("INFO END" in c["text"] for c in chunks),
        "kinds": dict(Counter(d["kind"] for d in documents)),
        "documents_with_date": sum(bool(d.get("date")) for d in documents),
        "documents_with_organisation": sum(bool(d.get("organisation")) for d in documents),
        "organisations": sorted({d.get("organisation") or "-" for d in documents}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="ASSISTANT_HOME of the built index")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=480)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = report(args.home, args.corpus, args.limit)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
