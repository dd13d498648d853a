"""The head and foot of an official document (公文) or a school document: title, kind, document
number, issuing body and date, read from the lines above the body and below it.

The head is the run of lines before the first body line (a sentence, a line addressed to someone —
"各乡镇中心学校：" —, a numbered heading). In it:
- letterhead lines ("清溪县教育局文件") and issuing bodies on a line of their own ("东岭区教育体育局"):
  issuers, never the title; a title that starts with 关于 takes the issuer in front of it;
- the document number ("清政办发〔2023〕8号", also inside brackets or beside 签发人): metadata;
- a title wrapped over two or three lines: joined, up to the line that ends with a genre word
  (通知, 方案, 自评报告 …, data/genres.tsv); spaces the PDF layout put beside Chinese characters go;
- a date under the title, a dateline ("2019-07-08 10:33 来源:…"), a web page's table of 标题 /
  发布日期 / 发布机构 / 文号.
The foot is the signature: the last date line (Arabic or Chinese numerals, "二〇二三年九月十五日")
among the last lines, after 抄送 / 印发 / 联系人 lines and attachment lists are passed over, and the
bodies on the lines just above it (two for a joint document) or before it on the same line.

Kind: the genre word the title ends with gives it (a 通知 that issues a document takes that
document's kind), qualified by 整改 / 自查 / 迎检 where the genre allows; a page with a source line
(来源, 记者) and no genre is news. Dates are ISO ("2012-01-20", "2012-02" for a month)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from ..documents import Line, is_table_row
from ..language.numerals import cn_to_int
from ..regulations import DATE as FULL_DATE, regulation_kind
from ..structure import parse_marker

_CN_DIGIT = "〇○零一二三四五六七八九"
#: a date written out: 2012年1月20日, 二〇一二年一月二十日, 2012年2月 (a month); spaces inside allowed
DATE = re.compile(r"(?P<y>\d{4}|[" + _CN_DIGIT + r"]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                  r"(?:\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?")
ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)")
#: a document number: issuer's short name, year in brackets, number, 号 ("教督〔2012〕3号")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fffA-Za-z]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,4}\s*号")
#: a body's name ends with one of these (a school, a bureau, a government, an office)
BODY_ENDINGS = ("小学", "中学", "学校", "中心校", "学区", "一中", "二中", "初中", "学院", "幼儿园", "教育局", "教体局",
                "局", "厅", "部", "政府", "办公室", "委员会", "督导室", "督导团", "教育办", "中心")
_SENTENCE = re.compile(r"[。；;！？!?，,]")
_ADDRESSED = re.compile(r"[：:]\s*$")
_FOOT_SKIP = re.compile(r"^(抄送|抄报|印发|主题词|联系人|联系电话|电话|电子邮箱|邮箱|邮政编码|地址|传真|（联系人|\(联系人|[—\-－\s]+$|第?\s*\d+\s*页)")
_ATTACHMENT = re.compile(r"^附\s*件\s*\d*\s*[：:]?")
_SOURCE_LINE = re.compile(r"来源\s*[:：]|记者|供稿|稿源")
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]{1,20}[)）]\s*$")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff〔〕（）《》—])\s+|\s+(?=[\u4e00-\u9fff〔〕（）《》—])")
_META_KEYS = {"标题": "title", "发布日期": "date", "发文日期": "date", "成文日期": "date", "日期": "date",
              "发布机构": "organisation", "发文机关": "organisation", "文号": "number", "发文字号": "number"}
#: a form's field that dates it: 填报日期, 填表日期, 印发日期, 制表日期, 报送日期, 成文日期
_FORM_DATE = re.compile(r"(?:填报|填表|印发|制表|报送|成文)日期\s*[：:]\s*(?P<value>\S+)")
_TRANSMITS = re.compile(r"(?:印发|转发|发布|颁布)[^《]{0,12}《(?P<inner>[^》]+)》[^《》]{0,8}通知"
                        r"|(?:印发|转发)(?P<bare>[^《》]{4,60}?)的通知$")
#: what follows a genre word at a title's end without changing it: a piece's number ("工作总结3", "总结 篇二")
_PIECE_NUMBER = re.compile(r"\s*(?:\d{1,2}|篇[一二三四五六七八九十]{1,3})$")
#: a reporter's credit at the end of a news text: "（四川日报记者江芸涵）" → 四川日报
_REPORTER = re.compile(r"[(（](?:本报记者|(?P<who>[\u4e00-\u9fffA-Za-z]{2,12}?)记者)")
_SOURCE = re.compile(r"(?:来源|稿源)\s*[:：]\s*(?P<who>[\u4e00-\u9fffA-Za-z]{2,20}?)(?=$|\s|[)）]|供稿|作者|编辑|发布)")
HEAD_LINES = 10
FOOT_LINES = 10


@dataclass(frozen=True)
class Genres:
    """data/genres.tsv: genre word → kind, and qualifiers (word, kind, the genre kinds they qualify)."""

    genres: tuple[tuple[str, str], ...]
    qualifiers: tuple[tuple[str, str, frozenset[str]], ...]

    def ending(self, title: str) -> tuple[str, str] | None:
        """The genre word `title` ends with (a trailing bracket such as （2023—2025年） or （试行）
        aside) and its kind, the longest word first."""
        plain = _PIECE_NUMBER.sub("", _TRAILING_NOTE.sub("", title)).rstrip("》”\"' ")
        for word, kind in self.genres:
            if plain.endswith(word):
                return word, kind
        return None


@lru_cache(maxsize=1)
def genres() -> Genres:
    rows = []
    for raw in resources.files("assistant").joinpath("data", "genres.tsv").read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            rows.append(raw.split("\t"))
    found = sorted(((r[1], r[2]) for r in rows if r[0] == "genre"), key=lambda g: -len(g[0]))
    qualifiers = tuple((r[1], r[2], frozenset(r[3].split(","))) for r in rows if r[0] == "qualifier")
    return Genres(tuple(found), qualifiers)


def squash(text: str) -> str:
    """Spaces beside Chinese characters removed ("南湖区实验中学 2022年度" → "南湖区实验中学2022年度",
    "教 育 部" → "教育部"); spaces between Latin words kept."""
    return _CJK_SPACE.sub("", text).strip()


def iso_date(text: str) -> str | None:
    """The first date written in `text` as ISO: "2012年1月20日" and "二○一二年一月二十日" →
    "2012-01-20", "2012年2月" → "2012-02", "2023-06-28" → "2023-06-28"; None when there is none."""
    match = DATE.search(text)
    if match:
        year, month = cn_to_int(match.group("y")), cn_to_int(match.group("m"))
        day = cn_to_int(match.group("d")) if match.group("d") else None
    else:
        match = ISO_DATE.search(text)
        if not match:
            return None
        year, month, day = (int(match.group(k)) for k in ("y", "m", "d"))
    if not (1900 <= year <= 2200 and 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def is_date_line(text: str) -> bool:
    """The line is a date and nothing else ("2023年9月15日", "二〇二三年九月十五日", "2023-09-15")."""
    plain = squash(text)
    match = DATE.fullmatch(plain) or ISO_DATE.fullmatch(plain)
    return bool(match) and iso_date(plain) is not None


def is_body_name(text: str) -> bool:
    """A line that is a body's name: short, no punctuation, ends with a body ending or 文件."""
    plain = squash(text)
    return (2 <= len(plain) <= 30 and not _SENTENCE.search(plain) and "：" not in plain and ":" not in plain
            and (plain.endswith("文件") or plain.endswith(BODY_ENDINGS)) and genres().ending(plain) is None)


def _title_line(text: str) -> bool:
    plain = squash(text)
    if not plain or len(plain) > 60 or _SENTENCE.search(plain) or _ADDRESSED.search(plain):
        return False
    if is_date_line(plain) or DOC_NUMBER.search(plain) or " | " in text or _SOURCE_LINE.search(plain):
        return False
    return parse_marker(plain) is None


@dataclass
class Head:
    title: str | None = None
    lines: int = 0  # how many lines the title took (0: none found)
    number: str | None = None
    issuers: list[str] = field(default_factory=list)
    date: str | None = None
    organisation: str | None = None  # from a web page's table of facts
    source_line: bool = False


def _table_facts(text: str, head: Head) -> None:
    cells = [c.strip() for c in text.split(" | ")]
    pairs = []
    for cell in cells:  # "标题：…" in one cell, or "标 题 | …" in two
        key, sep, value = re.split(r"([:：])", cell, maxsplit=1) if re.search(r"[:：]", cell) else (cell, "", "")
        pairs.append((squash(key), value.strip(), bool(sep)))
    for i, (key, value, inline) in enumerate(pairs):
        name = _META_KEYS.get(key)
        if not name:
            continue
        if not value and i + 1 < len(pairs) and pairs[i + 1][0] and not _META_KEYS.get(pairs[i + 1][0]):
            value = cells[i + 1]
        value = value.strip()
        if not value:
            continue
        if name == "title" and head.title is None:
            head.title = squash(value)
        elif name == "date" and head.date is None:
            head.date = iso_date(value)
        elif name == "organisation" and head.organisation is None:
            head.organisation = squash(value)
        elif name == "number" and head.number is None:
            match = DOC_NUMBER.search(value)
            head.number = squash(match.group()) if match else None


def read_head(texts: list[str]) -> Head:
    """The head of a document whose first lines are `texts` (see the module docstring)."""
    head = Head()
    i, limit = 0, min(len(texts), HEAD_LINES)
    issuer_above, title_at = -1, -1  # the line after the last issuer line; where the title starts
    while i < limit:
        text = texts[i]
        plain = squash(text)
        number = DOC_NUMBER.search(plain)
        if " | " in text:
            _table_facts(text, head)
            head.source_line = head.source_line or head.organisation is not None  # a web page's 发布机构
        elif number and len(plain) - len(number.group()) <= 16:
            head.number = head.number or squash(number.group()).strip("()（）")
        elif is_date_line(plain):
            head.date = head.date or iso_date(plain)
        elif _SOURCE_LINE.search(plain) and len(plain) <= 60:
            head.source_line = True
            head.date = head.date or iso_date(plain)
        elif head.title is not None and re.fullmatch(r"[（(][^()（）]{1,30}[)）]", plain):
            pass  # a line in brackets under the title: （2023—2024学年初）, （试行）, （征求意见稿）
        elif _FORM_DATE.search(text) and not _ADDRESSED.search(plain):
            # a form's line of fields ("填报单位：…  统计时点：2023年9月30日  填报日期：2023-10-12"): the date
            # it was filled in or issued is the document's
            head.date = head.date or iso_date(_FORM_DATE.search(text).group("value"))
        elif is_body_name(plain):
            if head.title is None:
                head.issuers.append(plain[:-2] if plain.endswith("文件") else plain)
                issuer_above = i + 1
            elif head.organisation is None:
                head.organisation = plain  # the body under the title (a report's author)
        elif head.title is None and _title_line(text):
            parts, used = [plain], 1
            while genres().ending("".join(parts)) is None and used < 3 \
                    and i + used < limit and _title_line(texts[i + used]) and not is_body_name(texts[i + used]) \
                    and len(plain) >= 12:
                parts.append(squash(texts[i + used]))
                used += 1
            joined = "".join(parts)
            if genres().ending(joined) is None and used > 1:
                # no genre word where the lines end: join only two lines the layout clearly wrapped
                # (the first long, the second short), else the first line alone
                if len(parts[0]) >= 14 and len(parts[1]) <= len(parts[0]) and not parts[1].startswith(("（", "(")):
                    joined, used = parts[0] + parts[1], 2
                else:
                    joined, used = parts[0], 1
            head.title, head.lines, title_at = joined, used, i
            i += used
            continue
        else:
            break
        i += 1
    if head.title and head.title.startswith("关于") and issuer_above == title_at:
        head.title = head.issuers[-1] + head.title  # the issuer printed on the line above 关于…
    return head


@dataclass
class Foot:
    date: str | None = None
    organisations: list[str] = field(default_factory=list)
    source: str | None = None  # a news page's source ("来源:教育部" → 教育部)
    source_line: bool = False


def source_of(texts: list[str]) -> tuple[bool, str | None]:
    """Whether these lines hold a news page's source line, and the source it names."""
    for text in texts:
        plain = squash(text)
        if len(plain) <= 80 and _SOURCE_LINE.search(plain) or re.search(r"[(（][^()（）]{0,12}(?:来源|记者)", plain):
            match = _SOURCE.search(plain) or _REPORTER.search(plain)
            return True, match.group("who") if match else None
    return False, None


def read_foot(texts: list[str]) -> Foot:
    """The signature among the last lines `texts`: the last date line and the bodies above it; a
    document without one at its end (a notice that issues a plan printed after it) signs where
    a body's line is followed by a date line."""
    foot = _signature(texts)
    if foot.date is None:
        for j in range(1, len(texts)):
            if is_date_line(texts[j]) and is_body_name(texts[j - 1]):
                foot = _signature(texts[:j + 1])
                break
    foot.source_line, foot.source = source_of(texts[:3] + texts[-3:])
    return foot


def _signature(texts: list[str]) -> Foot:
    foot = Foot()
    tail = texts[-FOOT_LINES:]
    for j in range(len(tail) - 1, -1, -1):
        plain = squash(tail[j])
        if not plain or _FOOT_SKIP.match(plain):
            continue
        if is_date_line(plain):
            foot.date = iso_date(plain)
            k = j - 1
            while k >= 0 and len(foot.organisations) < 3 and is_body_name(tail[k]):
                foot.organisations.insert(0, squash(tail[k]))
                k -= 1
            return foot
        match = DATE.search(plain) or ISO_DATE.search(plain)
        if match and match.end() == len(plain) and is_body_name(plain[:match.start()].strip()):
            foot.date = iso_date(match.group())
            foot.organisations = [squash(plain[:match.start()])]
            return foot
        if "印发" in plain and (DATE.search(plain) or ISO_DATE.search(plain)):
            continue  # "…办公室 2023年3月8日印发": the printing, not the signing
        if _ATTACHMENT.match(plain) or re.match(r"^\d+\s*[.．、]", plain):
            continue  # an attachment list under the signature
        if j < len(tail) - 4:
            break
    return foot


def kind_of(title: str, in_articles: bool = False, news: bool = False) -> str:
    """The kind a title names (see the module docstring); `news`: the page has a source line."""
    kind = regulation_kind(title, in_articles)
    if kind:
        return kind
    transmitted = _TRANSMITS.search(title)
    if transmitted:
        return kind_of(transmitted.group("inner") or transmitted.group("bare"), in_articles)
    ending = genres().ending(title)
    if ending is None:
        return "news" if news else "other"
    kind = ending[1]
    for word, qualified, allowed in genres().qualifiers:
        if kind in allowed and word in title:
            return qualified
    return kind


def _is_item(text: str) -> bool:
    plain = squash(text)
    return bool(re.match(r"^\d{1,2}\s*[.．、]", plain)) and len(plain) <= 60 and not re.search(r"[。；;]", plain)


def mark_foot(lines: list[Line]) -> list[Line]:
    """`lines` with the foot's lines marked (Line.role): the signature — the last date line among the
    last lines, the bodies above it, the 抄送 / 印发 lines after it — as "signature"; the list under
    a 附件： line among the last lines (the line and its numbered items) as "attachments"."""
    texts = [line.text for line in lines]
    start = max(0, len(lines) - FOOT_LINES)
    roles: dict[int, str] = {}
    date_at = None
    for j in range(len(lines) - 1, start - 1, -1):
        plain = squash(texts[j])
        if _FOOT_SKIP.match(plain) or ("印发" in plain and (DATE.search(plain) or ISO_DATE.search(plain))):
            continue
        match = DATE.search(plain) or ISO_DATE.search(plain)
        if is_date_line(plain) or (match and match.end() == len(plain) and is_body_name(plain[:match.start()])):
            date_at = j
            break
        if _ATTACHMENT.match(plain) or _is_item(plain):
            continue
        if j < len(lines) - 4:
            break
    first = len(lines)
    if date_at is not None and not is_table_row(texts[date_at]):
        first = date_at
        while first - 1 >= 0 and date_at - first < 3 and is_body_name(texts[first - 1]):
            first -= 1
        for j in range(first, len(lines)):
            plain = squash(texts[j])
            if j <= date_at or _FOOT_SKIP.match(plain) or "印发" in plain:
                roles[j] = "signature"
    for a in range(max(0, first - FOOT_LINES), len(lines)):
        if roles.get(a) or not _ATTACHMENT.match(squash(texts[a])):
            continue
        k = a + 1
        while k < len(lines) and k not in roles and _is_item(texts[k]):
            k += 1
        rest = squash(texts[a])[_ATTACHMENT.match(squash(texts[a])).end():]
        if k > a + 1 or (rest and len(rest) <= 60):
            roles.update({n: "attachments" for n in range(a, k)})
        break
    return [replace(line, role=roles[n]) if n in roles else line for n, line in enumerate(lines)]
