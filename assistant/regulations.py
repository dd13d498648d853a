"""Metadata of laws and regulations: kind, issuing body, dates, version and the law it belongs to.

A document is regulation-shaped when it is written in articles (at least two lines open with
第X条). Its metadata comes from the title, the header block (the lines of adoption and revision
that precede the text: "1986年4月12日 第六届全国人民代表大会第四次会议通过", "2012年9月9日 中华人民共和国
国务院令第624号公布", "2012年10月1日 施行") and the source file's name:

- kind (from the title's last word, which names the genre): …法 → law; 条例, 办法, 规定, 细则, 规则,
  规程 → regulation; 标准 → standard. A title ending in 法 is a law only when the document is
  written in articles or the title starts with 中华人民共和国 ("…教学方法" is not a law);
- history: one event per date in the header, {"date", "action", "body"}, action one of adopted
  (通过), promulgated (公布, 发布), approved (批准), revised (修订), amended (修正), effective (施行);
- organisation: the body that enacted it (the first adopted or promulgated event that names one:
  全国人民代表大会, 国务院, 上海市人民代表大会常务委员会; jointly issued rules name each body);
- dates: adopted, promulgated, approved (the first of each: the original enactment), effective
  (the last the header states, else the text's "自…起施行"), revised and amended (lists, in order),
  version (the version's date);
- date (the version's date): the date in the file name ("义务教育法(2018-12-29).md"), else the last
  adoption, promulgation or revision in the header;
- law_key: the title without 中华人民共和国 and without a version suffix ("（2018年修正）"), the same
  for two versions of one law.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .documents import Line
from .language.numerals import cn_to_int
from .structure import parse_marker

_CN_DIGIT = "〇○零一二三四五六七八九"
DATE = re.compile(r"(?P<y>\d{4}|[" + _CN_DIGIT + r"]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                  r"\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
_FILE_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VERSION_SUFFIX = re.compile(r"\s*[(（][^()（）]*(?:\d{4}|修订|修正|年版)[^()（）]*[)）]\s*$")
_ACTIONS = [("amended", "修正"), ("revised", "修订"), ("adopted", "通过"), ("promulgated", "公布"),
            ("promulgated", "发布"), ("approved", "批准"), ("effective", "施行")]

_REGULATION_ENDINGS = ("办法", "条例", "规定", "细则", "规则", "规程", "通则", "规范")
_CN = "一二三四五六七八九十百零"
_SESSION = re.compile(rf"(?P<place>[\u4e00-\u9fff]{{0,12}}?)第[{_CN}\d]+届(?P<body>[\u4e00-\u9fff]+?)"
                      rf"第[{_CN}\d]+次(?:全体)?会议")
_DECREE = re.compile(rf"(?:^|[、，,\s])(?P<body>[\u4e00-\u9fff]{{2,24}}?)令第\s*[{_CN}\d]+\s*号")
_STANDING = re.compile(r"(?P<body>[\u4e00-\u9fff]{2,20}?)第\s*\d+\s*次常务会议")
_PLAIN = re.compile(r"^(?P<body>[\u4e00-\u9fff]{2,20}?)(?:批准|发布|公布|通过)")
_DECISION = re.compile(r"《(?P<body>[\u4e00-\u9fff]{2,24}?)关于")
_BODY_WORDS = ("人民代表大会", "常务委员会", "国务院", "委员会", "政府", "部", "局", "厅", "办公室")
_EFFECTIVE = re.compile(r"自(?:(?P<date>" + DATE.pattern + r")|(?P<on>公布|发布))(?:之日)?起施行")


def iso_date(match: re.Match) -> str | None:
    year, month, day = (cn_to_int(match.group(k)) for k in ("y", "m", "d"))
    if not (1900 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def is_regulation_shaped(lines: list[Line]) -> bool:
    """Written in articles: at least two lines open with 第X条 followed by a space."""
    count = 0
    for line in lines:
        marker = parse_marker(line.text)
        if marker is not None and marker.style == "article" and marker.spaced:
            count += 1
            if count >= 2:
                return True
    return False


def _plain_title(title: str) -> str:
    while _VERSION_SUFFIX.search(title):
        title = _VERSION_SUFFIX.sub("", title)
    return title.strip()


def regulation_kind(title: str, in_articles: bool = False) -> str | None:
    """law / regulation / standard from the title's genre word, or None (see the module docstring)."""
    plain = _plain_title(title)
    if plain.endswith(_REGULATION_ENDINGS):
        return "regulation"
    if plain.endswith("标准"):
        return "standard"
    if plain.endswith("法") and (in_articles or plain.startswith("中华人民共和国")):
        return "law"
    return None


def law_key(title: str) -> str:
    """"中华人民共和国未成年人保护法（2020年修订）" → "未成年人保护法"."""
    return _plain_title(title).replace("中华人民共和国", "").strip() or title


def _is_body(name: str) -> bool:
    return name.endswith(_BODY_WORDS)


def _tidy_body(name: str) -> str:
    name = name.replace("中华人民共和国", "", 1) if name.startswith("中华人民共和国") and len(name) > 7 else name
    return re.sub(r"^(根据|经|由|在)", "", name)


def body_of(text: str) -> str | None:
    """The body a header segment names: a congress or standing committee (its session numbers
    dropped), a decree's issuer (several for a joint decree), a council meeting, or the author
    of a decision ("《国务院关于修改…的决定》")."""
    match = _SESSION.search(text)
    if match:
        name = _tidy_body(match.group("place") + match.group("body"))
        if _is_body(name):
            return name
    decrees = [_tidy_body(m.group("body")) for m in _DECREE.finditer(text)]
    decrees = [d for d in decrees if _is_body(d)]
    if decrees:
        return "、".join(dict.fromkeys(decrees))
    for pattern in (_STANDING, _PLAIN, _DECISION):
        match = pattern.search(text)
        if match and _is_body(_tidy_body(match.group("body"))):
            return _tidy_body(match.group("body"))
    return None


def parse_header(texts: list[str]) -> list[dict]:
    """One event per date in the header lines, in order: {"date", "action", "body"}."""
    events = []
    for text in texts:
        matches = list(DATE.finditer(text))
        for n, match in enumerate(matches):
            end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
            segment = text[match.end():end].strip(" 　）)（(")
            date = iso_date(match)
            if date is None:
                continue
            action = next((name for name, word in _ACTIONS if word in segment), None)
            events.append({"date": date, "action": action, "body": body_of(segment)})
    return events


def split_header(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """(header lines, body lines) of a regulation without a marked header block: the lines after
    the title, before the first heading or article, that state a date and an adoption, revision,
    promulgation or commencement ("（2006年6月29日第十届全国人民代表大会常务委员会第二十二次会议修订）")."""
    header: list[Line] = []
    for i, line in enumerate(lines[1:], start=1):
        marker = parse_marker(line.text)
        if marker is not None and marker.structural:
            break
        if DATE.search(line.text) and any(word in line.text for _, word in _ACTIONS):
            header.append(line)
        elif header or i > 3:
            break
    ids = {id(line) for line in header}
    return header, [line for line in lines if id(line) not in ids]


@dataclass
class RegulationMeta:
    kind: str | None
    organisation: str | None
    date: str | None
    dates: dict = field(default_factory=dict)
    law_key: str = ""
    history: list[dict] = field(default_factory=list)


def describe(title: str, lines: list[Line], header: list[str], source: str) -> RegulationMeta:
    """Kind, issuing body, dates and law key of a regulation-shaped document."""
    history = parse_header(header)

    def first(action: str) -> str | None:
        return next((e["date"] for e in history if e["action"] == action), None)

    dates: dict = {key: first(key) for key in ("adopted", "promulgated", "approved")}
    effective = [e["date"] for e in history if e["action"] == "effective"]
    dates["effective"] = effective[-1] if effective else _effective_in_text(lines, history)
    dates["revised"] = [e["date"] for e in history if e["action"] == "revised"]
    dates["amended"] = [e["date"] for e in history if e["action"] == "amended"]
    named = re.search(_FILE_DATE, re.sub(r"\.[^.]+$", "", source.rsplit("/", 1)[-1]))
    version = None
    if named:
        year, month, day = (int(g) for g in named.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            version = f"{year:04d}-{month:02d}-{day:02d}"
    if version is None:
        enacted = [e["date"] for e in history if e["action"] not in ("effective", None)]
        version = max(enacted) if enacted else None
    dates["version"] = version
    enacting = [e for e in history if e["action"] in ("adopted", "promulgated") and e["body"]]
    organisation = (enacting or [e for e in history if e["body"]] or [{"body": None}])[0]["body"]
    return RegulationMeta(regulation_kind(title, True), organisation, version, dates, law_key(title), history)


def _effective_in_text(lines: list[Line], history: list[dict]) -> str | None:
    """The commencement the text states ("本法自2006年9月1日起施行"; "自发布之日起施行": the
    promulgation's date); the last such clause counts."""
    for line in reversed(lines):
        match = _EFFECTIVE.search(line.text)
        if not match:
            continue
        if match.group("on"):
            promulgated = [e["date"] for e in history if e["action"] == "promulgated"]
            return promulgated[-1] if promulgated else None
        inner = DATE.search(match.group("date"))
        return iso_date(inner) if inner else None
    return None
