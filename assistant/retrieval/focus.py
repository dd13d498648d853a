"""The thing a question asks about: in "德新镇初中有多少个教学班?" the 教学班, in "曹集学校一个学生的公用
经费是多少钱?" the 公用经费, in "How many left-behind children …" the left-behind children. A passage
answers a figure question when it states a figure next to that thing; a passage that states other
figures about the same school does not.

Chinese: the content words right after the question word (多少个 **教学班**), else the ones right
before it (**公用经费** 是多少). English: the words after "how many / how much / what is the", carried
onto Chinese like any English question."""

from __future__ import annotations

import re

from ..language.segmentation import tagged
from .facts import WHOLE_FIGURE, has_date, has_figure
from .intent import MEASURE_WORDS
from .units import SENTENCE_UNITS

#: How close (in characters) a figure must stand to the thing asked about to be taken as its figure.
FOCUS_SPAN = 12

_ASK_WORDS = re.compile(r"^(多少|几|几个|几所|几名|几位|几间|几次|几天|几年|几岁|几点|多大|多长|多高|多远|多久|多重|哪一年|哪年|"
                        r"哪天|哪一天|哪一日|什么时候|何时|谁|哪位|哪些|什么|啥|哪里|哪儿)$")
#: Between the thing and the question word: links that say nothing ("公用经费 是 多少").
_LINKS = {"是", "有", "为", "的", "一共", "共", "总共", "共有", "现有", "要", "能", "大概", "大约", "约", "达到", "达",
          "都", "各", "分别", "一年", "每年", "平均", "一般", "最多", "最少", "最高", "至少", "不得", "不能", "不超过"}
#: Question words that carry their own unit: the thing asked about comes before them ("孩子满几岁").
_SELF_MEASURED = re.compile(r"^(几岁|几点|多大|多长|多高|多远|多久|多重|哪一年|哪年|哪天|哪一天|哪一日|什么时候|何时)$")
#: Words after 多少 that are the unit, not the thing ("拿出了多少钱", "多少人").
_UNIT_WORDS = {"钱", "元", "块", "人", "次", "岁", "天", "年", "名字", "时间", "东西"}
_CONTENT_FLAGS = ("n", "v", "a", "l", "j", "i", "nz", "eng", "x")
_EN_FOCUS = re.compile(r"\bhow (?:many|much)\s+(?!(?:did|do|does|is|are|was|were|has|have|can|will|money)\b)(?P<x>[a-z][a-z\s'-]{2,40}?)(?=\s+(?:are|is|do|does|did|were|was|has|have|"
                       r"had|can|must|should|will|in|at|of|for|by|on|per|to)\b|[?,.]|$)|"
                       r"\bwhat (?:is|was|are) the (?P<y>[a-z][a-z\s'-]{2,40}?)(?=\s+(?:of|at|in|for|on|by|that|which|and)\b|"
                       r"[?,.]|$)", re.I)


def _content(word: str, flag: str) -> bool:
    return (len(word) >= 2 and bool(re.search(r"[\u4e00-\u9fffA-Za-z]", word)) and word not in _LINKS
            and flag.startswith(_CONTENT_FLAGS) and not _ASK_WORDS.match(word))


def focus_zh(text: str) -> list[str]:
    """Content words around the first question word (after it when there are any, else before),
    the one next to the question word first."""
    words: list[tuple[str, str]] = []
    for word, flag in tagged(text):  # "多" + "大" is one question word (jieba cuts 有多大 as 有|多|大)
        if words and words[-1][0] == "多" and word in ("大", "长", "高", "远", "重", "宽", "久", "少"):
            words[-1] = ("多" + word, "m")
        else:
            words.append((word, flag))
    for i, (word, _) in enumerate(words):
        if not _ASK_WORDS.match(word):
            continue
        after = []
        for later, flag in ([] if _SELF_MEASURED.match(word) else words[i + 1:]):
            if later in _UNIT_WORDS:
                break
            if flag.startswith(("m", "q")) or later in _LINKS:
                if after:
                    break
                continue
            if not _content(later, flag):
                break
            after.append(later)
        if after:
            return after
        before = []
        for earlier, flag in reversed(words[:i]):
            if flag == "x" and not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", earlier):
                break  # punctuation: the clause starts here
            if _content(earlier, flag):
                before.insert(0, earlier)
                if len(before) == 2:
                    break
            elif before:
                break
        return before[::-1]  # the word next to the question word first
    return []


#: The rest of a list after the first thing of "how many students, classes and staff": more things
#: after commas, then "and"/"or" and the last one (each up to four words), before what ends a focus.
_NOT_A_THING = r"(?!(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|will)\b)"
_EN_LIST_REST = re.compile(rf"(?:\s*,\s*{_NOT_A_THING}[a-z][a-z'-]*(?:\s[a-z][a-z'-]*){{0,3}}?)*\s*,?\s*\b(?:and|or)\s+"
                           rf"{_NOT_A_THING}[a-z][a-z'-]*(?:\s[a-z][a-z'-]*){{0,3}}?(?=\s+(?:are|is|do|does|did|were|was|"
                           r"has|have|had|can|must|should|will|in|at|of|for|by|on|per|to)\b|[?.]|$)", re.I)


def focus_en(text: str) -> str | None:
    """The English words naming the thing asked about, or None; a list of things ("students, classes
    and staff") whole, for things_en to part."""
    match = _EN_FOCUS.search(text)
    if not match:
        return None
    phrase = (match.group("x") or match.group("y")).strip()
    end = match.end("x") if match.group("x") else match.end("y")
    rest = _EN_LIST_REST.match(text, end) if text[end:end + 1] == "," else None
    return (phrase + rest.group(0)).strip() if rest else phrase


def spellings(words) -> list[str]:
    """The whole-word spelling of each alternative of the focus words."""
    return [max(alternative, key=len) for word in words for alternative in word.alternatives if alternative]


_MEASURE = re.compile(rf"^[{MEASURE_WORDS}]$")
#: Words that join two things asked about ("多少所小学和教学点", "schools and teaching points").
_AND_ZH = {"和", "与", "及", "以及", "、", "还有", "跟", "同"}
_AND_EN = re.compile(r"\s*(?:,\s*)?\b(?:and|or)\b\s*|\s*,\s*", re.I)


def things_zh(text: str) -> list[str]:
    """The things a Chinese figure question asks about when it joins two or more after its question
    word ("有多少所小学和教学点": 小学, 教学点), the first word of each; [] for one thing."""
    words = [(w, f) for w, f in tagged(text)]
    for i, (word, _) in enumerate(words):
        if not _ASK_WORDS.match(word):
            continue
        things, expecting = [], True
        for later, flag in words[i + 1:]:
            if later in _AND_ZH and things:
                expecting = True
                continue
            if flag.startswith(("m", "q")) or later in _LINKS or later in _UNIT_WORDS or _MEASURE.match(later):
                if things and not expecting:
                    break
                continue
            if len(later) < 2 or not re.search(r"[\u4e00-\u9fff]", later) or _ASK_WORDS.match(later):
                break
            if expecting:
                things.append(later)
                expecting = False
        return things if len(things) > 1 and not expecting else []
    return []


def things_en(phrase: str | None) -> list[str]:
    """The parts of an English focus phrase that joins things ("schools and teaching points"); []
    for one thing."""
    if not phrase:
        return []
    parts = [p for p in _AND_EN.split(phrase) if p.strip()]
    return parts if len(parts) > 1 else []


def _own_figures(things, text: str, pattern) -> float:
    """Of the things asked about that the text names, the share that each have a figure of their
    own within FOCUS_SPAN characters (the nearest figure not already taken by another thing):
    "学校14所…教学点3所" answers both, "14所学校(含教学点)" one of the two it names. A thing the text
    does not name counts for nothing either way (the text may call it otherwise: 教职工 for 老师)."""
    spots = [(m.start(), m.end()) for m in pattern.finditer(text)]
    taken: set[int] = set()
    answered = named = 0
    for thing in things:
        best = None
        found = [m for name in spellings([thing]) for m in re.finditer(re.escape(name), text)]
        named += bool(found)
        for match in found:
            for k, (start, end) in enumerate(spots):
                gap = max(start - match.end(), match.start() - end, 0)
                if k not in taken and gap <= FOCUS_SPAN and (best is None or gap < best[0]):
                    best = (gap, k)
        if best is not None:
            taken.add(best[1])
            answered += 1
    return answered / named if named else 0.0


def focus_evidence(focus_words, intent, text: str, context: str = "", things=()) -> tuple[float, float]:
    """(is the thing asked about in the text or its headings (`context`), does a figure of the asked
    kind stand within FOCUS_SPAN characters of it); 0.5 each when the question names no such thing,
    and 0.5 for the second when it asks for no figure. With `things` (a question that asks for the
    figures of two or more things), the second is the share of them with a figure of their own."""
    if not focus_words:
        return 0.5, 0.5
    if len(things) > 1 and intent.wants_figure:
        present = any(s in text or s in context for s in spellings(things))
        return (1.0 if present else 0.0), _own_figures(things, text, SENTENCE_UNITS.get(intent.unit) or WHOLE_FIGURE)
    names = spellings(focus_words[:1])  # the word next to the question word says what is asked
    present = any(s in text or s in context for s in names)
    if not intent.wants_figure:
        return (1.0 if present else 0.0), 0.5
    if near_figure(names, text, SENTENCE_UNITS.get(intent.unit) if intent.unit else None):
        return 1.0, 1.0
    return (1.0 if present else 0.0), 0.0


def near_figure(names: list[str], text: str, pattern=None) -> bool:
    """Does a figure (of `pattern`'s kind of quantity; else any figure or date) stand within FOCUS_SPAN
    characters of one of the names?"""
    for name in names:
        for match in re.finditer(re.escape(name), text):
            around = text[max(0, match.start() - FOCUS_SPAN):match.end() + FOCUS_SPAN]
            if pattern.search(around) if pattern is not None else (has_figure(around) or has_date(around)):
                return True
    return False
