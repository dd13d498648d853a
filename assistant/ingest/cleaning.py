"""Cleaning rules for text collected from the web and from PDF extraction, written as data.

Each rule names what it removes and carries a real example from the corpus (the tests apply
every rule to its example). `clean_lines` applies them in order:
1. truncate: drop a marker line and everything after it ("相关文章" link lists, "上一篇/下一篇");
2. drop: remove one line of site boilerplate ("我要投稿", "WORD下载 PDF下载", "小编" intros);
3. inline: remove stray characters inside a line (anti-copy apostrophes);
4. repair PDF damage: page numbers glued into sentences, sentences and titles broken over lines.
Paged files (PDF) first lose their running headers and footers (`remove_running_lines`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..documents import Line, is_table_row
from ..language.segmentation import cut
from .masthead import is_body_name, iso_date


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    example: str
    replacement: str = ""


def _r(name: str, pattern: str, example: str, replacement: str = "") -> Rule:
    return Rule(name, re.compile(pattern), example, replacement)


#: A line matching one of these, and everything after it, is site furniture.
TRUNCATE_RULES = [
    _r("related-articles", r"^【[^】]{1,60}】\s*相关文章[\uff1a:]?$", "【学校均衡发展工作总结】相关文章:"),
    _r("related-articles-plain", r"^(相关文章|相关阅读|推荐阅读|猜你喜欢)[\uff1a:]?$", "相关文章:"),
    _r("prev-next", r"^上一篇[\uff1a:].{0,80}下一篇[\uff1a:]", "上一篇:一堂有趣的科学实验课下一篇:语文部编教材培训总结"),
    _r("preview-list", r"^\*{2,}.{0,20}范文\d*$", "***工作报告范文0"),
]

#: Whole lines of site boilerplate.
DROP_RULES = [
    _r("post-time", r"^(时间|发布时间|发布)[\uff1a:\s]\s*\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?.*$",
       "时间:2023-07-26 10:55:14 工作总结 我要投稿"),
    _r("post-views", r"^发布\s+\d{4}-\d{1,2}-\d{1,2}.*阅读\s*\d+$", "发布 2020-06-25 19:43:28 阅读 4412"),
    _r("bare-date", r"^\d{4}-\d{1,2}-\d{1,2}$", "2023-05-03"),
    _r("recommend", r"^[•·\-\s]*(相关推荐|热门推荐|精选推荐)$", "• 相关推荐"),
    _r("share-buttons", r"^(分享|手机扫码分享|扫码分享|我要投稿|投诉|Top|TOP|返回顶部|收藏|打印)$", "手机扫码分享"),
    _r("download-buttons", r"^((WORD|Word|PDF|DOC)下载|投诉|\s)+$", "WORD下载 PDF下载 投诉"),
    _r("editor-intro", r"^.{0,120}(以下是|下面是|这里是|本文是).{0,10}小编.{0,80}$",
       "总结是把一定阶段内的有关情况分析研究,做出有指导性的经验方法以及结论的书面材料,通过它可以正确认识以往学习和工作中的优缺点,因此我们要做好归纳,写好总结。总结怎么写才不会千篇一律呢?以下是小编帮大家整理的学校均衡发展工作总结,希望对大家有所帮助。"),
    _r("preview-item", r"^.{20,}(\.\.\.|…{1,2})$",
       "学区教研工作总结的进行能有效地帮助教师们提升教研工作的成效。以下是为大家精心整理的学区教研工作总结范本,欢迎大家阅读。时光荏苒,岁月如梭,转眼一个学期过去了,回顾这学期所从事的初二美术教学工作,基本上是比较顺利地完成任务。当然在工作中我享受到成功的喜悦,也在工作中发现一些存在的问题。我所享有的收获我..."),
]

#: Characters removed inside a line.
INLINE_RULES = [
    _r("anti-copy-apostrophe", r"(?<=[\u4e00-\u9fff])['‘’](?=[\u4e00-\u9fff“])", "的'工作方法"),
    _r("anti-copy-dot", r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])", "第一资源的.观念"),
    _r("anti-copy-dot-before-comma", r"(?<=[\u4e00-\u9fff])\.(?=[,\uff0c])", "学生都能得到均衡发展.,"),
    # a two-character label spaced out to line up with three-character ones ("组 长:" beside "副组长:");
    # the names after it keep their spacing
    _r("spaced-label", r"(?:^|(?<=[^\u4e00-\u9fff]))([\u4e00-\u9fff])[ \u3000]+([\u4e00-\u9fff])(?=[\uff1a:])",
       "组 长:张 婷", r"\1\2"),
]

#: A short line naming the author right after a post-time line (site byline).
BYLINE = re.compile(r"^[\u4e00-\u9fff]{1,4}$")

#: End of a sentence or paragraph: a line ending otherwise runs on into the next line.
_TERMINAL = tuple("。!?;:…”’》)】」\uff01\uff1f\uff1b\uff1a\uff09")
#: A line starting like this begins something new (a heading, a list item, a label).
_STARTS_NEW = re.compile(
    r"^([一二三四五六七八九十]{1,3}[、是]|[(\uff08][一二三四五六七八九十\d]{1,3}[)\uff09]|㈠|[①-⑳⑴-⒇]|\d{1,2}\s?[.、．]|"
    r"第[一二三四五六七八九十百千零两]+[编篇章节条]|附\s*[则件录]|(组\s*长|副组长|成\s*员|组员)[\uff1a:]|B\d{0,2}[\uff1a:]C)"
)
_PAGE_NUMBER = re.compile(r"^(\d{1,3})\s+(?=\S)(?![年月日%个人名元万册套间所台])")
#: A page label on a line of its own: "3", "- 3 -", "第3页", "第 1 页 共 2 页", "3/12", "Page 3 of 12".
PAGE_LABEL = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}\s*页?(\s*([/／]|共|of)\s*\d{1,4}\s*页?)?[-—–\s]*$"
                        r"|^[Pp]age\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$")
#: How many lines at the top and at the bottom of a page can be a running header or footer.
EDGE_LINES = 2
#: A line of a paged file this close to the file's full line length was wrapped by the layout.
FULL_LINE_SHARE = 0.85


def _first_match(rules: list[Rule], text: str) -> Rule | None:
    for rule in rules:
        if rule.pattern.search(text):
            return rule
    return None


def _joins_word(before: str, after: str) -> bool:
    """True when the break between `before` and `after` falls inside a word ("均衡发|展", "提|高")."""
    left, right = before[-4:], after[:4]
    position = 0
    for token in cut(left + right):
        end = position + len(token)
        if position < len(left) < end and len(token) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", token):
            return True
        position = end
    return False


#: "6、初中1:13.1" after "…师生比小学1:19.9": a number that opens a line like a list item but
#: continues the sentence before (a page number or a figure's last digit glued across the break).
_NUMBER_ITEM = re.compile(r"^(\d{1,2})\s?[、.．]")
_INLINE_ITEM = re.compile(r"(?:^|(?<=[\s;\uff1b。:\uff1a\u4e00-\u9fff]))(\d{1,2})\s?[、.．](?!\d)")
#: The last clause before a "。" that extraction put inside a word ("…农民实。" / "用技术培训…").
_LAST_CLAUSE = re.compile(r"(?:^|[,\uff0c、;\uff1b。:\uff1a])([\u4e00-\u9fff]{1,4})。$")


def _continues_list(number: int, numbers_seen: list[int]) -> bool:
    """Does a line opening with `number` continue (or start) a numbered list seen so far?"""
    return number == 1 or (number - 1) in numbers_seen[-3:]


def _broken_item(prev: str, text: str, numbers_seen: list[int]) -> bool:
    """A line that looks like item N but is not one: no item N-1 before it, and the line before ends
    mid-sentence with a figure or a word, in a body line (not a heading)."""
    match = _NUMBER_ITEM.match(text)
    inline = [int(n) for n in _INLINE_ITEM.findall(prev)]  # "3. 工具书… 4. 报刊杂志明细表" / "5. …"
    if not match or _continues_list(int(match.group(1)), numbers_seen + inline):
        return False
    return len(prev) >= 30 and not prev.endswith(_TERMINAL) and bool(re.search(r"[\d\u4e00-\u9fff]$", prev))


def _stray_full_stop(prev: str, text: str) -> bool:
    """"…农民实。" + "用技术培训…": a full stop after a short last clause, where the words run on."""
    match = _LAST_CLAUSE.search(prev)
    if not match or _STARTS_NEW.match(text):
        return False
    return _joins_word(prev[:-1], text)


def _runs_on(previous: Line, line: Line, page_number_removed: bool, wrapped: bool = False,
             numbers_seen: list[int] | None = None) -> bool:
    """Should `line` be joined to `previous` (one paragraph broken by extraction)? `wrapped`: the
    previous physical line of a paged file was full, so the layout broke it."""
    prev = previous.text
    if previous.heading is not None or line.heading is not None:
        return False  # a heading the source marks (Markdown #, Word styles) is a line of its own
    if _broken_item(prev, line.text, numbers_seen or []):
        return True
    if prev.endswith(_TERMINAL) or _STARTS_NEW.match(line.text):
        return False
    if prev.endswith((",", "\uff0c", "、")):
        return True
    if page_number_removed or wrapped:
        return True
    return len(prev) >= 15 and _joins_word(prev, line.text)


def _running_key(text: str) -> str:
    """Running headers and footers compared with digits and spaces ignored ("第 1 页" = "第 2 页")."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def remove_running_lines(lines: list[Line]) -> list[Line]:
    """Drop the running headers and footers of a paged file: lines among the first or last
    `EDGE_LINES` of at least half its pages (two at least), compared by `_running_key`, and page
    labels (`PAGE_LABEL`) at a page's top or bottom. Lines without a page are left alone."""
    pages: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.page is not None:
            pages.setdefault(line.page, []).append(i)
    if not pages:
        return lines
    edges: dict[int, str] = {}
    counts: Counter = Counter()
    for positions in pages.values():
        edge = set(positions[:EDGE_LINES] + positions[-EDGE_LINES:])
        edges.update({i: _running_key(lines[i].text) for i in edge})
        counts.update({edges[i] for i in edge})
    running = {key for key, count in counts.items() if count >= 2 and 2 * count >= len(pages)}
    drop = {i for i, key in edges.items() if key in running or PAGE_LABEL.match(lines[i].text)}
    return [line for i, line in enumerate(lines) if i not in drop]


def clean_lines(lines: list[Line], repair_breaks: bool = True) -> list[Line]:
    """Apply the rules above to one file's lines, keeping each line's source span. `repair_breaks`
    is off for formats whose line breaks are the author's own paragraphs (Word)."""
    lines = remove_running_lines(lines)
    kept: list[Line] = []
    after_post_time = False
    for line in lines:
        text = line.text
        if _first_match(TRUNCATE_RULES, text):
            break
        rule = _first_match(DROP_RULES, text)
        if rule is not None and rule.name == "bare-date" and kept and is_body_name(kept[-1].text):
            rule = None  # "南岸区翠屏路小学 / 2023-12-15": a signature's date, not the page's
        if rule is not None:
            after_post_time = rule.name in ("post-time", "post-views")
            continue
        if after_post_time and BYLINE.match(text):
            continue
        after_post_time = False
        for inline in INLINE_RULES:
            text = inline.pattern.sub(inline.replacement, text)
        kept.append(replace(line, text=text))
    return repair_pdf_damage(kept) if repair_breaks else kept


def page_date(lines: list[Line]) -> str | None:
    """The date a web page was posted (the first line a post-time or bare-date rule drops), as ISO:
    the date of a file that holds one document and states none of its own, never of a
    compilation's parts."""
    for line in lines[:40]:
        rule = _first_match(DROP_RULES, line.text)
        if rule is not None and rule.name in ("post-time", "post-views", "bare-date"):
            return iso_date(line.text)
    return None


def _full_line_length(lines: list[Line]) -> int | None:
    """Length of a full line in a paged file (90th percentile of its lines, a table's records left out:
    they are not lines of the page's layout, and a page with a table would otherwise have no full
    line); None when unpaged."""
    lengths = sorted(len(line.text) for line in lines if line.page is not None and not is_table_row(line.text))
    if len(lengths) < 6:
        return None
    return lengths[int(0.9 * (len(lengths) - 1))]


def repair_pdf_damage(lines: list[Line]) -> list[Line]:
    """Remove page numbers glued to line starts (they count 1, 2, 3… through a file without pages)
    and join lines that one paragraph or title was broken into; in a paged file, a line as long
    as a full line (`FULL_LINE_SHARE`) that ends mid-sentence runs on into the next, and a
    paragraph joined over a page break keeps its last page (`Line.page_end`)."""
    out: list[Line] = []
    next_page = 1
    full = _full_line_length(lines)
    previous_length = 0
    numbers_seen: list[int] = []  # numbers that opened lines as list items, in order
    for line in lines:
        text, removed = line.text, False
        match = _PAGE_NUMBER.match(text) if line.page is None else None
        if match and int(match.group(1)) in (next_page, next_page + 1):
            next_page = int(match.group(1)) + 1
            text, removed = text[match.end():], True
        current = replace(line, text=text)
        wrapped = full is not None and line.page is not None and previous_length >= FULL_LINE_SHARE * full
        stray = bool(out) and out[-1].heading is None and line.heading is None and _stray_full_stop(out[-1].text, text)
        table = is_table_row(text) or is_table_row(out[-1].text) if out else False
        if out and not table and (stray or _runs_on(out[-1], current, removed, wrapped, numbers_seen)):
            joined = out[-1]
            last_page = line.page_end or line.page
            page_end = last_page if last_page is not None and last_page != joined.page else joined.page_end
            kept = joined.text[:-1] if stray else joined.text
            out[-1] = replace(joined, text=kept + text, end=line.end, page_end=page_end)
        else:
            item = _NUMBER_ITEM.match(text)
            if item:
                numbers_seen.append(int(item.group(1)))
            out.append(current)
        previous_length = len(line.text)
    return out
