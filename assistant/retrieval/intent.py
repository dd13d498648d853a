"""What a question asks for: a figure, a date, a person, a place, a list, yes or no, an article
number; its parts when it asks two things at once; the names and years it is specific about.

Ranking uses it (a passage that states a figure ranks higher for a figure question), the answer
uses it (which sentences answer, whether the answer is found). The patterns are the question
words of Chinese and English, not the vocabulary of any corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..language.numerals import cn_to_int
from .units import question_unit

#: Measure words after a numeral or question word (几所, 多少名).
MEASURE_WORDS = _MEASURE = "个名所间人套册本天次年辆台位岁点项条种小节张份元亩块栋层班批周月处家户座"
PATTERNS: dict[str, re.Pattern] = {
    "figure": re.compile(
        rf"多少|(?<!哪)几[{_MEASURE}]|几十|多大|多高|多长|多远|多久|多重|多宽|多少钱|比例|比率|占比|百分之几|几成|"
        r"\bhow (?:many|much|large|big|long|old|often|far|high|wide)\b|\bwhat (?:(?:is|are|was|were) the (?:[\w()\u4e00-\u9fff-]+ ){0,4})?(?:percentage|proportion|share|ratio|"
        r"rate|amount|number|age|fine|speed|size|limit|price|cost|fee|salary)\b|\bhow much does\b|\b(?:minimum|maximum) (?:age|number|speed)\b", re.I),
    "date": re.compile(r"什么时候|何时|哪一?年|哪一?天|几月|几号|哪个月|哪一日|日期|^\s*(?:and\s+)?when\b|[,;]\s*(?:and\s+)?when\b|"
                       r"\band when\b|\bwhen (?:did|does|do|is|was|were|will|must|should|can)\b|\bwhat (?:year|date|day|month)\b|"
                       r"\bwhich (?:year|date|day|month)\b|\bsince when\b", re.I),
    "who": re.compile(r"谁|哪位|哪些人|是哪个人|组长|负责人|牵头|带头|名单|^\s*(?:and\s+)?(?:who|whom|whose)\b|"
                      r"[,;]\s*(?:and\s+)?who\b|\band who\b|\bwhich (?:person|people)\b|"
                      r"\bwho (?:leads|heads|is in charge)\b|\bleader\b", re.I),
    "where": re.compile(r"哪里|哪儿|什么地方|什么位置|位于哪|(?<![差错难好强弱])在哪(?![个些])|^\s*where\b|"
                        r"[,;]\s*(?:and\s+)?where\b|\bwhere (?:is|are|was|were|do|does|did)\b", re.I),
    "list": re.compile(r"哪些|有什么|有啥|都有|都是|列出|一条条|一一|分别|包括什么|包括哪|几方面|几个方面|措施|做法|职责|任务|材料|资料|"
                       r"哪[两二三四五六七八九十几]+[个条项点种方面类件]|是指什么|指的是什么|具体.{0,4}(?:干|做)|干啥|干什么|"
                       r"权利|义务|情形|条件|\bwhat (?:are|were|must|should)\b|\bwhich\b.*\b(?:are|were)\b|\blist\b|"
                       r"\b(?:measures|steps|problems|duties|tasks|materials|rights|obligations|conditions|requirements)\b",
                       re.I),
    "yesno": re.compile(r"能不能|能否|可不可以|可否|是否|有没有|是不是|要不要|需不需要|该不该|会不会|允许|准许|行不行|"
                        r"[可能得]以?[\u4e00-\u9fff]{0,12}吗|吗[??]?$|"
                        r"^(?:can|may|must|should|is|are|do|does|did|will|has|have)\b|\ballowed\b|\bpermitted\b|\bforbidden\b|"
                        r"\bprohibited\b", re.I),
    # what a term means or what counts as it: laws answer with a definition ("本法所称不良行为，是指…")
    "definition": re.compile(r"什么是|是指什么|指的是什么|指什么|是什么意思|什么叫|何为|何谓|定义|"
                             r"(?<![计预核打清结盘总估换])算不算|(?<![计预核打清结盘总估换])算是?[\u4e00-\u9fff]{1,10}吗|"
                             r"属于[\u4e00-\u9fff]{1,10}吗|\bdefin(?:e|es|ed|ition)\b|\bwhat (?:is|are) meant by\b|"
                             r"\bwhat does .{1,40} mean\b|\bcounts? as\b|\bregarded as\b|\bqualif(?:y|ies) as\b", re.I),
    "article": re.compile(r"哪一?条|第几条|哪个条款|哪些条|哪款|\bwhich (?:article|provision|clause)s?\b|"
                          r"\bwhat (?:article|provision)\b", re.I),
}
#: A question that ranks or compares the rows of a table ("哪个片区交流比例最低", "which indicator has the largest
#: coefficient", "哪所学校更多"): the superlative and comparative degree of an adjective, in both languages. Its
#: answer is read against the other rows, so a table row it quotes brings its table (answer/selection.py).
_RANKS = re.compile(r"最(?:高|低|大|小|多|少|长|短|早|晚|快|慢|远|近|好|差|严重|突出)|更(?:高|低|大|小|多|少|远|近|好|差)|"
                    r"排名|排第|倒数第?|\b(?:highest|lowest|largest|smallest|biggest|greatest|most|least|fewest|"
                    r"best|worst|higher|lower|larger|smaller|fewer|rank(?:s|ed|ing)?)\b", re.I)
#: Sub-questions answered each from its own passage, at most (the rest of a longer list is left out).
MAX_PARTS = 6
#: The kinds of fact a question can ask for that a sentence states or not (facts.states): ranking and
#: sentence selection look for them. FACT_KINDS are those the answerability model was fitted on.
FACT_KINDS = ("figure", "date", "who", "where", "yesno")
ASKED_KINDS = FACT_KINDS + ("definition",)
#: A year as a question or a sentence writes it (1950–2099).
YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_ARTICLE_REF = re.compile(r"第\s*([零〇一二两三四五六七八九十百千\d]+)\s*条")
_ARTICLE_EN = re.compile(r"\barticle\s+(\d{1,4})\b", re.I)
_PART_SPLIT = re.compile(r"[?\uff1f;\uff1b。!\uff01]|[,\uff0c、](?=[^,\uff0c、]{2,})|"
                         r",?\s+and\s+(?=(?:how|what|who|which|when|where|is|are|does|did|can)\b)", re.I)
#: A clause asks something of its own when it has a question word, or ends in 呢 ("巩固率呢?").
_ASKS = re.compile(r"呢$|是什么|是啥|^(?:and\s+)?(?:what|which|who|when|where|how|is|are|does|do|did|can)\b", re.I)


@dataclass
class Intent:
    kinds: set[str] = field(default_factory=set)
    years: list[str] = field(default_factory=list)
    articles: list[int] = field(default_factory=list)  # article numbers the question names (第十一条, Article 11)
    parts: list[str] = field(default_factory=list)  # sub-questions, when it asks two things at once
    unit: str | None = None  # the kind of quantity a figure question asks for (units.py)
    ranks: bool = False  # it ranks or compares rows ("哪个…最低", "which … the largest"): _RANKS

    @property
    def wants_figure(self) -> bool:
        return "figure" in self.kinds or "date" in self.kinds

    def to_dict(self) -> dict:
        return {"kinds": sorted(self.kinds), "years": self.years, "articles": self.articles, "parts": self.parts,
                "unit": self.unit, "ranks": self.ranks}


def kinds_of(text: str) -> set[str]:
    kinds = {name for name, pattern in PATTERNS.items() if pattern.search(text)}
    if "figure" in kinds and "list" in kinds and not re.search(r"哪些|都有|列出|一条条|\blist\b", text):
        kinds.discard("list")  # "多少…任务" asks for a figure, not a list
    return kinds


def article_numbers(text: str) -> list[int]:
    numbers = []
    for match in _ARTICLE_REF.finditer(text):
        raw = match.group(1)
        number = int(raw) if raw.isdigit() else cn_to_int(raw)
        if number and number not in numbers:
            numbers.append(number)
    for match in _ARTICLE_EN.finditer(text):
        number = int(match.group(1))
        if number not in numbers:
            numbers.append(number)
    return numbers


def split_parts(text: str) -> list[str]:
    """The sub-questions of "有多少学生、多少老师?" or "组长是谁?组里还有谁?" — clauses that each carry
    a question word of their own; one part when the question asks one thing."""
    clauses = [c.strip() for c in _PART_SPLIT.split(text) if c and c.strip()]
    asking = [c for c in clauses if kinds_of(c) or _ASKS.search(c)]
    # each part is answered on its own: a pasted text of 166 "questions" is not 166 searches
    return asking[:MAX_PARTS] if len(asking) > 1 else [text]


def intent_of(text: str) -> Intent:
    kinds = kinds_of(text)
    unit = question_unit(text) if "figure" in kinds else None
    return Intent(kinds, list(dict.fromkeys(YEAR.findall(text))), article_numbers(text), split_parts(text), unit,
                  bool(_RANKS.search(text)))
