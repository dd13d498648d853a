"""One indexed document as the chat page links to it: its lines with their source line numbers and
the cited span marked, as HTML (scrolled to the span by the `#cited` anchor) or as JSON. Every piece
of document text is escaped; the page loads only the package's own style sheet."""

from __future__ import annotations

from html import escape

from ..documents import Line

KIND_NAMES = {"summary": "工作总结", "plan": "工作方案", "self-inspection": "自查报告", "rectification": "整改方案",
              "inspection-prep": "迎检工作方案", "standard": "标准/规定", "other": "其他"}


def marked(line: Line, start: int | None, end: int | None) -> bool:
    """Does the line overlap the cited source lines start..end?"""
    if start is None:
        return False
    end = start if end is None else end
    return line.start <= end and line.end >= start


def document_json(meta: dict, lines: list[Line], start: int | None, end: int | None) -> dict:
    return {**{k: meta.get(k) for k in ("id", "title", "kind", "source", "date", "organisation", "chunks")},
            "start": start, "end": end,
            "lines": [{"start": l.start, "end": l.end, "page": l.page, "text": l.text, "marked": marked(l, start, end)}
                      for l in lines]}


def _number(line: Line) -> str:
    return str(line.start) if line.end == line.start else f"{line.start}–{line.end}"


def document_html(meta: dict, lines: list[Line], start: int | None, end: int | None) -> str:
    title = escape(meta.get("title") or meta.get("id") or "")
    kind = meta.get("kind") or "other"
    facts = [KIND_NAMES.get(kind, kind), meta.get("source") or ""]
    if meta.get("organisation"):
        facts.append(meta["organisation"])
    if meta.get("date"):
        facts.append(meta["date"])
    if lines:
        facts.append(f"第{lines[0].start}–{lines[-1].end}行")
    rows, anchored, count = [], False, 0
    for line in lines:
        hit = marked(line, start, end)
        count += hit
        anchor = ""
        if hit and not anchored:
            anchor, anchored = '<span id="cited" class="anchor"></span>', True
        page = f'<span class="pg">p.{line.page}</span>' if line.page is not None else ""
        rows.append(f'<li id="L{line.start}" class="line{" cited" if hit else ""}">{anchor}'
                    f'<span class="ln">{_number(line)}</span>{page}<span class="tx">{escape(line.text)}</span></li>')
    if start is None:
        note = ""
    elif count:
        span = str(start) if end in (None, start) else f"{start}–{end}"
        note = (f'<p class="note">引用的段落(源文件第{span}行)已标出。'
                f'<a href="#cited">跳到引用处</a></p>')
    else:
        note = f'<p class="note warn">源文件第{start}行不在这篇文档中。</p>'
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
</head>
<body class="document-page">
<header class="doc-header">
<a class="back" href="/">← 返回问答</a>
<h1>{title}</h1>
<p class="meta">{escape(" · ".join(f for f in facts if f))}</p>
{note}
</header>
<main>
<ol class="doc-lines">
{chr(10).join(rows)}
</ol>
</main>
</body>
</html>
"""
