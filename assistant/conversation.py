"""Follow-up questions in a conversation: turn "那A3组呢?" or "who leads it?" into a question
that stands on its own, using the earlier questions and the section the last answer came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval.query import language_of
from .language.segmentation import cut
from .structure import parse_marker


@dataclass
class Turn:
    question: str  # as the user typed it
    resolved: str  # as it was searched
    topic: str | None = None  # heading of the section the answer came from, e.g. "A3教师队伍组"
    title: str | None = None  # title of that document


_ZH_ELLIPSIS = re.compile(r"^(那么|那|还有|再说说|再问一下)?\s*(?P<x>.{1,24}?)\s*(呢|怎么样|怎样|如何|又如何|的呢|又是怎样的)\s*[??]?$")
_EN_ELLIPSIS = re.compile(r"^(and what about|and how about|what about|how about|same for|and for|and)\s+(?P<x>.+?)\s*\??$", re.I)
_ZH_PRONOUN = re.compile(r"(它们?|他们|她们|该组|该小组|这个组|这个小组|该校|这所学校|其|这个|那个|上述|该)")
_EN_PRONOUN = re.compile(r"\b(it|its|they|them|their|this group|that group|this school|that school|the group|the school)\b", re.I)
_CODE_GROUP_ZH = re.compile(r"[A-Ca-c]\d{1,2}[\u4e00-\u9fff]{0,10}?组|[A-Ca-c]\d{1,2}")
_CODE_GROUP_EN = re.compile(r"\b[A-Ca-c]\d{1,2}\b[\w\s'-]{0,40}?\bgroup\b|\b[A-Ca-c]\d{1,2}\b", re.I)
_ARTICLE_ONLY = re.compile(r"第\s*[零〇一二两三四五六七八九十百千\d]+\s*条|\barticle\s+\d+", re.I)
_NAMES_LAW = re.compile(r"《|[\u4e00-\u9fff](?:法|条例|办法|规定|细则|规则)(?:的)?第|\b(?:law|regulations?|act|measures)\b",
                        re.I)
_LAW_TITLE = re.compile(r"(法|条例|办法|规定|细则|规则)$")
_HAS_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Ca-c]\d{1,2}(?!\d)")
_ENTITY_SUFFIX = ("中心小学", "中心学校", "初级中学", "中学", "小学", "初中", "学校", "学区", "组", "镇", "乡", "县", "区", "室")
_ZH_ENTITY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,16}?(?:" + "|".join(_ENTITY_SUFFIX) + ")")
#: After the subject: a link word, the thing asked about, the question word, perhaps the thing
#: after it ("的|师生比|是多少|?", "有||多少|教学班和学生?").
_ASKED = re.compile(r"(?P<link>的|现有|共有|有|的总)?(?P<before>[\u4e00-\u9fffA-Za-z0-9]{0,12}?)"
                    r"(?P<ask>(是|有|为|达到|共|一共)?(多少|几|哪些|什么|怎样|如何|多大|多长|多高|是谁|谁))"
                    r"(?P<after>[\u4e00-\u9fffA-Za-z0-9]{0,12})(?P<end>[??]?)")
#: Verbs are not things asked about: "要准备哪些材料" keeps its shape.
_ASK_VERBS = ("准备", "负责", "做", "开展", "采取", "采用", "完成", "要", "需要", "应", "有")
_PREDICATE = re.compile(r"(现有|共有|有|要|需要|应|是|在|的|怎么|如何|多少|哪些|什么|负责|准备|采用|遇到|发放)")


def _strip_marker(heading: str) -> str:
    marker = parse_marker(heading)
    if marker and marker.style != "indicator":
        return heading[len(marker.label):].strip() or heading
    return heading


def _is_entity(text: str) -> bool:
    """A school, place or group ("曹集学校", "A3组"), as opposed to something asked about one ("生均图书")."""
    return bool(_HAS_CODE.search(text)) or text.endswith(_ENTITY_SUFFIX)


def subject_of(question: str) -> str | None:
    """The longest school, place or group name the question starts with ("德新镇初级中学"), ending
    where a word ends ("A2保障机制组组长" starts with A2保障机制组, not A2保障机制组组)."""
    ends, position = set(), 0
    for word in cut(question):
        position += len(word)
        ends.add(position)
    group = re.match(r"[A-Ca-c]\d{1,2}[\u4e00-\u9fff]{0,10}?组(?=组|副|成员|的|要|负责|是|有|[??])", question)
    if group:  # "A2保障机制组组长": the segmenter glues 组组长, the group's name still ends at its 组
        ends.add(group.end())
    for end in range(min(len(question), 20), 1, -1):
        head = question[:end]
        if end in ends and head.endswith(_ENTITY_SUFFIX) and re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", head):
            return head
    return None


def _replace_attribute_zh(previous: str, attribute: str) -> str | None:
    """"曹集学校的师生比是多少?" + "生均图书" → "曹集学校的生均图书是多少?"; "…中心小学有多少教学班?" + "图书" →
    "…中心小学有多少图书?"; "A2保障机制组要准备哪些材料?" + "职责" → "A2保障机制组的职责": the thing asked
    about is replaced, the subject and the question word kept. None without a subject."""
    subject = subject_of(previous)
    if subject is None:
        return None
    shape = _ASKED.fullmatch(previous[len(subject):])
    if shape:
        link, before, ask, after, end = (shape.group(k) or "" for k in ("link", "before", "ask", "after", "end"))
        if before and not any(verb in before for verb in _ASK_VERBS):
            return subject + link + attribute + ask + after + end
        if not before and len(after) >= 2:  # 多少人: 人 is a measure word, not the thing asked about
            return subject + link + ask + attribute + end
    return f"{subject}的{attribute}"


def _replace_entity_zh(previous: str, entity: str) -> str:
    """Put `entity` where the earlier question named its subject (or, for something asked about a
    subject, where it named that)."""
    if _HAS_CODE.search(entity) and _HAS_CODE.search(previous):
        return _CODE_GROUP_ZH.sub(entity, previous, count=1)
    if not _is_entity(entity):
        replaced = _replace_attribute_zh(previous, entity)
        if replaced:
            return replaced
    for suffix in _ENTITY_SUFFIX:
        if entity.endswith(suffix):
            for match in _ZH_ENTITY.finditer(previous):
                if match.group(0).endswith(suffix):
                    return previous[:match.start()] + entity + previous[match.end():]
    cut = _PREDICATE.search(previous)
    if cut and cut.start() > 0:
        return entity + previous[cut.start():]
    return f"{entity} {previous}"


_WRITTEN_LAW = re.compile(r"《([^《》]{2,40})》|([\u4e00-\u9fff]{2,30}?(?:法|条例|办法|规定|细则|规则))(?=第|的|规定|中|里|$)")


def law_written_in(question: str) -> str | None:
    """The law an earlier question named as it wrote it ("《教师法》第七条…", "示范学校安全管理条例第一条…")."""
    match = _WRITTEN_LAW.search(question)
    return (match.group(1) or match.group(2)) if match else None


def resolve(question: str, history: list[Turn]) -> str:
    """The question as a standalone one; unchanged when it already stands alone."""
    question = question.strip()
    if not history:
        return question
    last = history[-1]
    lang = language_of(question)
    law = last.title if last.title and _LAW_TITLE.search(re.sub(r"[(（][^()（）]*[)）]$", "", last.title)) else None
    law = law or law_written_in(last.resolved)  # a history given as plain questions carries no title
    if _ARTICLE_ONLY.search(question) and not _NAMES_LAW.search(question) and law:
        bare = re.fullmatch(r"(?:那|那么)?\s*(第\s*[零〇一二两三四五六七八九十百千\d]+\s*条)\s*(?:呢|怎么说|说了什么)?\s*[??]?", question)
        if bare:  # "第二十九条呢?" after a question about 义务教育法
            return f"《{law}》{bare.group(1)}规定了什么?"
        return f"《{law}》{question}"
    if lang == "zh":
        match = _ZH_ELLIPSIS.match(question)
        if match and len(question) <= 24:
            return _replace_entity_zh(last.resolved, match.group("x").strip())
        if _ZH_PRONOUN.search(question):
            # what "它/该组/该校" stands for: the section the last answer came from, else what the last
            # question was about (a history given as plain questions carries no section)
            about = _strip_marker(last.topic) if last.topic else subject_of(last.resolved)
            if about:
                return f"{about} {_ZH_PRONOUN.sub('', question, count=1)}"
        if len(question) <= 8 and not _ZH_ENTITY.search(question) and not _HAS_CODE.search(question):
            subject = subject_of(last.resolved)  # "存在哪些问题?" after a question about 曹集学校
            if subject:
                return subject + question
            if last.topic:
                return f"{_strip_marker(last.topic)} {question}"
        return question
    return _resolve_en(question, last)


# English follow-ups: the same three moves as the Chinese ones (another subject, another thing
# asked about the same subject, a question that leaves its subject out), over English phrases.
_EN_HEADS = frozenset("school schools group team town township county district subdistrict village kindergarten "
                      "university college office bureau committee centre center province city law".split())
_EN_MODIFIERS = frozenset("middle primary junior senior high central secondary town township county village "
                          "district subdistrict national provincial municipal street no no. number".split())
_EN_QUESTION_WORDS = frozenset("how what which who whom whose when where why does do did is are was were can "
                               "could should must may will would and".split())
_EN_ASKED = re.compile(r"^(?P<lead>(?:how many|how much|what|which|who)\s+(?:(?:is|are|was|were)\s+)?(?:the\s+)?)"
                       r"(?P<asked>.+?)(?P<rest>\s+(?:does|do|did|is|are|was|were|has|have|had|at|of|in|for|"
                       r"must|should|can|will)\b.*)$", re.I)
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.I)


def english_entity(text: str) -> tuple[int, int] | None:
    """Where a school, place or group is named in an English question ("Dexin town junior middle
    school", "Juwan No. 2 Middle School", "the A2 guarantee-mechanism group"): the span of its
    longest name, from its first modifier (a capitalised word, a number, No., middle...) to its
    head word (school, group, town...); None when it names none."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]
    best = None
    for index, (_, end, raw) in enumerate(tokens):
        word = re.sub(r"('s|’s)?[?.,;:!\"')]*$", "", raw)
        if word.lower() not in _EN_HEADS:
            continue
        first = index
        while first > 0:
            previous = tokens[first - 1][2].strip("\"'(")
            bare = previous.lower().rstrip(".")
            modifier = (bare in _EN_MODIFIERS or re.fullmatch(r"\d+(st|nd|rd|th)?|[a-c]\d{1,2}", bare)
                        or (previous[:1].isupper() and bare not in _EN_QUESTION_WORDS)
                        or (first - 1 > 0 and "-" in previous and _HAS_CODE.search(tokens[first - 2][2])))
            if not modifier:
                break
            first -= 1
        if first < index:  # a bare "school" names nothing
            span = (tokens[first][0], tokens[index][0] + len(word))
            if best is None or span[1] - span[0] > best[1] - best[0]:
                best = span
    return best


def _resolve_en(question: str, last: Turn) -> str:
    previous = last.resolved
    match = _EN_ELLIPSIS.match(question)
    if match:
        written = match.group("x").strip()
        entity = _ARTICLE.sub("", written)
        if _HAS_CODE.search(entity) and _HAS_CODE.search(previous):
            if language_of(previous) == "zh":  # "And the A1 group?" after "A2保障机制组要准备哪些材料?"
                code = _HAS_CODE.search(entity).group(0).upper()
                return _replace_entity_zh(previous, code + "组" if re.search(r"\bgroup\b", entity, re.I) else code)
            replacement = entity if re.search(r"\bgroup\b", entity, re.I) else f"{entity} group"
            return _CODE_GROUP_EN.sub(replacement, previous, count=1)
        named = english_entity(entity)
        old = english_entity(previous) if language_of(previous) == "en" else None
        if named and old:  # "what about Caoji School?": the other school, the same question
            return previous[:old[0]] + written + previous[old[1]:]
        if not named and old and language_of(previous) == "en":  # "and the teachers?": same school
            shape = _EN_ASKED.match(previous)
            if shape and shape.start("rest") <= old[0]:
                return shape.group("lead") + entity + shape.group("rest")
        return f"{previous} {entity}"
    own = english_entity(question)
    if _EN_PRONOUN.search(question):
        old = english_entity(previous) if language_of(previous) == "en" else None
        if old and own is None:  # "who leads it?" → "who leads the A2 guarantee-mechanism group?"
            named = _ARTICLE.sub("", previous[old[0]:old[1]])
            return _EN_PRONOUN.sub(lambda m: f"the {named}" if m.group(0).lower() in ("it", "they", "them")
                                   else f"the {named}'s", question, count=1)
        about = _strip_marker(last.topic) if last.topic else (subject_of(previous) if language_of(previous) == "zh"
                                                              else None)
        if about:
            return f"{question} {about}"
        return question
    if own is None and not _HAS_CODE.search(question) and len(re.findall(r"[A-Za-z]+", question)) <= 6:
        old = english_entity(previous) if language_of(previous) == "en" else None
        subject = previous[old[0]:old[1]] if old else subject_of(previous)
        if subject:  # "what problems remain?" after a question about Caoji School
            return f"{question.rstrip('?？ ')} ({_ARTICLE.sub('', subject)})?"
    return question
