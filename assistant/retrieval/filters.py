"""Which documents a question may be answered from: by kind, date, issuing body or school, and title.

Given as parameters (`assistant ask --kind rectification --since 2023`, the JSON field `filters` of
/ask and /search), or said in the question itself in a few plain forms:
- 只看整改方案 / 只查自查报告 / 仅看通知 / 只在工作总结里 … (a kind after 只看, 只查, 仅看, 只在, 只从, 限于);
- 2023年以后的总结, 2023年以来的自查报告, 2022年以前的方案 (a year directly before a kind's name);
- English: "in the self-inspection reports" (plural), "only the rectification plans", "summaries since 2023".
A kind's name (自查报告, 整改方案, 工作总结, 方案, 报告, 法规, "self-inspection reports", "plans"…) stands for the
kinds it covers (方案: plans, rectification and inspection-preparation plans; 报告: reports, self-inspection and
rectification reports); a form that names no kind is no filter. Dates compare as ISO prefixes: a
document dated 2023-05 is "since 2023" and "until 2023". A document without a date never matches a
date filter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..collection import of_document
from ..documents import KINDS

#: Chinese names of kinds of documents and the kinds each covers (a 报告 may be a self-inspection report)
KIND_NAMES_ZH = {"自查报告": ("self-inspection",), "自评报告": ("self-inspection",), "整改方案": ("rectification",),
                 "整改报告": ("rectification",), "迎检方案": ("inspection-prep",), "迎检工作方案": ("inspection-prep",),
                 "工作总结": ("summary",), "总结": ("summary",), "工作方案": ("plan", "rectification", "inspection-prep"),
                 "方案": ("plan", "rectification", "inspection-prep"), "计划": ("plan",), "规划": ("plan",),
                 "通知": ("notice",), "公示": ("notice",), "意见": ("opinion",), "反馈意见": ("opinion",),
                 "报告": ("report", "self-inspection", "rectification"), "法律": ("law",), "法规": ("law", "regulation"),
                 "条例": ("regulation",), "办法": ("regulation",), "标准": ("standard",), "新闻": ("news",),
                 "报道": ("news",)}
#: English names of kinds (singular; a plural s is allowed) and the kinds each covers
KIND_NAMES_EN = {"self-inspection report": ("self-inspection",), "self-evaluation report": ("self-inspection",),
                 "rectification plan": ("rectification",), "inspection preparation plan": ("inspection-prep",),
                 "work summary": ("summary",), "summary": ("summary",), "summarie": ("summary",),
                 "work plan": ("plan", "rectification", "inspection-prep"), "plan": ("plan", "rectification", "inspection-prep"),
                 "notice": ("notice",), "opinion": ("opinion",), "report": ("report", "self-inspection", "rectification"),
                 "law": ("law",), "regulation": ("law", "regulation"), "standard": ("standard",), "news": ("news",)}
_ZH_NAMES = "|".join(sorted(KIND_NAMES_ZH, key=len, reverse=True))
_EN_NAMES = "|".join(sorted(KIND_NAMES_EN, key=len, reverse=True))
_ZH_ONLY = re.compile(rf"(?:只看|只查|仅看|仅查|只在|只从|只用|限于)(?:[^，,。？?的]{{0,6}}的)?(?P<kind>{_ZH_NAMES})")
_ZH_YEAR = re.compile(rf"(?P<year>(?:19|20)\d{{2}})\s*年\s*(?P<side>以后|之后|以来|起|以前|之前)的?(?P<kind>{_ZH_NAMES})")
_EN_ONLY = re.compile(rf"\bonly (?:in )?(?:the |our )?(?P<kind>{_EN_NAMES})s?\b|\bin (?:the |our )(?P<kinds>{_EN_NAMES})s\b", re.I)
_EN_YEAR = re.compile(rf"\b(?P<kind>{_EN_NAMES})s? (?P<side>since|after|before|until) (?P<year>(?:19|20)\d{{2}})\b", re.I)


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    since: str | None = None  # ISO date or its prefix (2023, 2023-05)
    until: str | None = None
    organisation: str | None = None  # the issuing body or school contains this
    title: str | None = None  # the title contains this
    collections: frozenset[str] = frozenset()  # the collections (collection.py) it may come from
    said: tuple[str, ...] = field(default=(), compare=False)  # the words of the question that gave them

    def __bool__(self) -> bool:
        return bool(self.kinds or self.since or self.until or self.organisation or self.title or self.collections)

    def matches(self, meta: dict) -> bool:
        if self.collections and of_document(meta) not in self.collections:
            return False
        if self.kinds and meta.get("kind") not in self.kinds:
            return False
        date = meta.get("date") or ""
        if (self.since or self.until) and not date:
            return False
        if self.since and date[:len(self.since)] < self.since:
            return False
        if self.until and date[:len(self.until)] > self.until:
            return False
        if self.organisation and self.organisation not in (meta.get("organisation") or "") + (meta.get("title") or ""):
            return False
        if self.title and self.title not in (meta.get("title") or ""):
            return False
        return True

    def merged(self, other: "Filters") -> "Filters":
        """These, with what `other` sets where these set nothing."""
        return Filters(self.kinds or other.kinds, self.since or other.since, self.until or other.until,
                       self.organisation or other.organisation, self.title or other.title,
                       self.collections or other.collections, self.said + other.said)

    def describe(self, lang: str = "en") -> str:
        """The filters in words, in English or (lang "zh") Chinese, as answers and notes name them."""
        zh = lang == "zh"
        parts = []
        if self.collections:
            parts.append(("知识库 " if zh else "collection ") + "/".join(sorted(self.collections)))
        if self.kinds:
            parts.append(("类型 " if zh else "kind ") + "/".join(sorted(self.kinds)))
        if self.since:
            parts.append(f"{self.since} 起" if zh else f"from {self.since}")
        if self.until:
            parts.append(f"至 {self.until}" if zh else f"until {self.until}")
        if self.organisation:
            parts.append(f"单位含 {self.organisation}" if zh else f"issued by {self.organisation}")
        if self.title:
            parts.append(f"标题含 {self.title}" if zh else f"title containing {self.title}")
        return ("，" if zh else ", ").join(parts)

    @classmethod
    def given(cls, kinds=None, since: str | None = None, until: str | None = None, organisation: str | None = None,
              title: str | None = None, collections=None) -> "Filters":
        """Filters from parameters; an unknown kind or a date not written as YYYY[-MM[-DD]] is a ValueError
        naming the field. Collection names are not checked here: one that does not exist matches no
        document (the command line checks them first: collection.check_known)."""
        kinds = frozenset(k.strip() for k in (kinds or []) if k and k.strip())
        unknown = sorted(kinds - set(KINDS))
        if unknown:
            raise ValueError(f"kind: {', '.join(unknown)} is not a kind; use one of {', '.join(KINDS)}")
        for name, value in (("since", since), ("until", until)):
            if value and not re.fullmatch(r"(19|20)\d{2}(-\d{2}(-\d{2})?)?", value):
                raise ValueError(f"{name}: {value!r} is not a date; write it as 2023, 2023-09 or 2023-09-01")
        chosen = frozenset(str(c).strip() for c in (collections or []) if str(c).strip())
        return cls(kinds, since or None, until or None, (organisation or "").strip() or None, (title or "").strip() or None,
                   chosen)


def said_in(question: str) -> Filters:
    """The filters a question states in one of the plain forms of the module docstring (none otherwise)."""
    kinds: set[str] = set()
    since = until = None
    said: list[str] = []
    for match in _ZH_ONLY.finditer(question):
        kinds.update(KIND_NAMES_ZH[match.group("kind")])
        said.append(match.group(0))
    for match in _ZH_YEAR.finditer(question):
        kinds.update(KIND_NAMES_ZH[match.group("kind")])
        if match.group("side") in ("以后", "之后", "以来", "起"):
            since = match.group("year")
        else:
            until = str(int(match.group("year")) - 1)
        said.append(match.group(0))
    for match in _EN_ONLY.finditer(question):
        kinds.update(KIND_NAMES_EN[(match.group("kind") or match.group("kinds")).lower()])
        said.append(match.group(0))
    for match in _EN_YEAR.finditer(question):
        kinds.update(KIND_NAMES_EN[match.group("kind").lower()])
        if match.group("side").lower() in ("since", "after"):
            since = match.group("year") if match.group("side").lower() == "since" else str(int(match.group("year")) + 1)
        else:
            until = match.group("year") if match.group("side").lower() == "until" else str(int(match.group("year")) - 1)
        said.append(match.group(0))
    return Filters(frozenset(kinds), since, until, said=tuple(said))
