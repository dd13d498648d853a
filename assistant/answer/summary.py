"""Questions that ask for a summary across documents ("请总结一下各学校关爱留守儿童的做法", "帮我写一段关于
师资队伍建设的总结", "Summarise how the schools …"; Question.summary): the passages are gathered one per document (one
per school, in the ranking's order) instead of the best few of one document. A language model,
when configured, writes the summary from them (synthesis.py); without one the answer is the list
of those passages, each cited."""

from __future__ import annotations

import re

from ..retrieval.search import Hit

#: Characters of each passage quoted in the list.
EXCERPT_CHARS = 160
LISTING = {
    "zh": {"head": "资料中有{count}份文档谈到这个问题,下面分别列出各文档中最相关的段落:",
           "item": "\n[{n}]《{title}》{section}:{text}"},
    "en": {"head": "{count} documents address this; the most relevant passage of each is listed below (in the "
                   "original Chinese):", "item": "\n[{n}] “{title}”{section}: {text}"},
}


def one_per_document(hits: list[Hit], limit: int) -> list[Hit]:
    """The best hit of each document, in rank order, at most `limit`."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        if hit.chunk.doc_id in seen:
            continue
        seen.add(hit.chunk.doc_id)
        out.append(hit)
        if len(out) >= limit:
            break
    return out


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The passage's start, cut at a sentence end where one falls in the second half."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    stops = [m.end() for m in re.finditer(r"[。;；!?！？]", head)]
    return head[: stops[-1]] + "…" if stops and stops[-1] >= limit // 2 else head + "…"


def listing(passages, lang: str) -> str:
    say = LISTING["zh" if lang == "zh" else "en"]
    documents = len({p.doc_id for p in passages})
    body = say["head"].format(count=documents)
    for n, passage in enumerate(passages, start=1):
        heading = passage.section_path[-1] if passage.section_path else ""
        section = (f"“{heading}”" if lang == "zh" else f", “{heading}”") if heading else ""
        body += say["item"].format(n=n, title=passage.title, section=section, text=excerpt(passage.text))
    return body
