"""The kind of quantity a figure question asks for (a count, money, a share, an area, an age, a
duration, a length or speed) and the kinds a sentence's figures have, from the measure words and
units of Chinese and English. "多少学生" asks for a count: "入学率100%" states a share, not an answer."""

from __future__ import annotations

import re

#: Question wording → the kind of quantity asked for, tried in order (the first match decides).
QUESTION_UNITS: list[tuple[str, re.Pattern]] = [
    ("phone", re.compile(r"电话|号码|手机号|热线|\bphone\b|\btelephone\b|\bhotline\b", re.I)),
    ("money", re.compile(r"多少钱|多少元|几元|多少万|经费|资金|费用|花了|花费|投入|投资|拨款|补助|补贴|工资|收费|罚款|"
                         r"\bhow much money\b|\bcost\b|\bspent\b|\bspend\b|\bfunding\b|\bfunds?\b|\bfine\b|\bsalary\b|"
                         r"\bsubsid|\binvest|\byuan\b|\bfees?\b|\bprices?\b|价格|价钱|菜价|票价", re.I)),
    ("share", re.compile(r"比例|百分|占比|几成|[^师生]率|\bpercentage\b|\bproportion\b|\bshare\b|\brate\b|\bper ?cent\b", re.I)),
    ("ratio", re.compile(r"师生比|生师比|比是|\bratio\b|管多少个|带多少个", re.I)),
    ("area", re.compile(r"面积|多大地方|占地|平方|多少亩|\barea\b|\bsquare\b|\bacres?\b", re.I)),
    ("age", re.compile(r"几岁|多少岁|多大年纪|年龄|年满|\bhow old\b|\bage\b|\baged\b", re.I)),
    ("speed", re.compile(r"时速|速度|多快|\bspeed\b|\bkm/h\b", re.I)),
    ("duration", re.compile(r"多久|多长时间|几个?小时|多少小时|几天|多少天|几年|多少年|几个月|期限|\bhow long\b|\bhours?\b|"
                            r"\bdays?\b|\byears?\b|\bmonths?\b|\bminutes?\b|\bperiod\b", re.I)),
    ("length", re.compile(r"多长|多远|多宽|多高|距离|\bhow (?:far|long|wide|high|tall)\b|\bdistance\b|\bmeters?\b", re.I)),
    ("count", re.compile(r"多少|几[个名所间人套册本辆台位项种次批班栋层张份条]|\bhow many\b|\bnumber of\b", re.I)),
]

_NUMBER = r"(?:[0-9\uff10-\uff19][0-9\uff10-\uff19.,]*|[〇零一二两三四五六七八九十百千万亿半]+)\s*"
#: A count is not "一" or "每" ("每个教学班配备一名教师" states no number of classes).
_COUNT = (r"(?:[0-9\uff10-\uff19][0-9\uff10-\uff19.,]*|(?<![每一])[〇零二两三四五六七八九十百千万亿]"
          r"[〇零一二两三四五六七八九十百千万亿]*|一[十百千万亿][〇零一二两三四五六七八九十百千万亿]*)\s*(?:多|余)?")
SENTENCE_UNITS: dict[str, re.Pattern] = {
    "money": re.compile(_NUMBER + r"(?:万元|亿元|元|块|万余元)|人民币"),
    "share": re.compile(r"\d\s*[%％]|百分之|" + _NUMBER + r"成(?![立绩功果长])"),
    "ratio": re.compile(r"\d+(?:\.\d+)?\s*[::比]\s*\d+(?:\.\d+)?"),
    "area": re.compile(_NUMBER + r"(?:平方米|平米|㎡|亩|公顷|平方公里)"),
    "age": re.compile(_NUMBER + r"(?:周岁|岁)"),
    "speed": re.compile(_NUMBER + r"(?:公里|千米)(?:/小时|每小时)?|时速"),
    "duration": re.compile(_NUMBER + r"(?:个?小时|分钟|天|日|个?星期|周|个?月|年|学年|学期|课时)"),
    "length": re.compile(_NUMBER + r"(?:米|公里|千米|厘米)"),
    "count": re.compile(_COUNT + r"(?:个|名|所|人|间|套|册|本|辆|台|位|项|种|次|人次|批|班|栋|幢|层|张|份|条|处|家|户|座|块)"),
}


def question_unit(text: str) -> str | None:
    """The kind of quantity the question asks for, or None when it does not say."""
    for unit, pattern in QUESTION_UNITS:
        if pattern.search(text):
            return unit
    return None


#: Numbers that state no figure: a slogan in quotation marks ("“三个优先”", "“两免一补”").
NOT_A_QUANTITY = re.compile(r"“[^”]{0,8}[〇零一二两三四五六七八九十百千万0-9][^”]{0,8}”")
#: A telephone number ("电话号码:6846567", "0635-6846567"): the answer to a question for one, no
#: quantity of any other kind.
PHONE = re.compile(r"(?:电话|号码|手机|热线|传真)\s*[::]?\s*[\d\-—()()]{5,}|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")


def units_of(sentence: str) -> set[str]:
    found = {"phone"} if PHONE.search(sentence) else set()
    sentence = PHONE.sub(" ", NOT_A_QUANTITY.sub(" ", sentence))
    return found | {unit for unit, pattern in SENTENCE_UNITS.items() if pattern.search(sentence)}


def unit_match(unit: str | None, sentence: str) -> bool:
    """Does the sentence state a figure of the asked kind? (A duration also answers a length of
    time asked as "多长"; an age is a duration in years.)"""
    if unit is None:
        return False
    found = units_of(sentence)
    if unit in found:
        return True
    return (unit == "length" and "duration" in found) or (unit == "age" and "duration" in found)
