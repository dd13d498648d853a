"""Names of places and schools a question uses ("曹集学校", "德新镇", "Lizhuang Primary School"): the
ranking prefers the documents that use them, and the answer is not found in a document that does
not (a question about 李庄小学 is not answered from 昭阳街道中心小学's plan)."""

from __future__ import annotations

import re

from ..language.segmentation import NAME_FLAGS, tagged
from .query import Query

#: Words a place's or a school's name ends with (曹集学校, 德新镇, 李庄小学).
PLACE_WORDS = ("学校", "小学", "中学", "初中", "二中", "一中", "中心", "学区", "镇", "乡", "县", "区", "村", "市", "省", "街道",
                "幼儿园")
_PLACE_TYPE = (r"(?:Primary|Middle|Central|Junior|Senior|High|School|County|Town|Township|Village|District|City|Province|"
               r"Subdistrict|Street|Kindergarten|No|The|In|At|Of|Which|What|How|Who)\b")
_PINYIN_PLACE = re.compile(r"\b(?!" + _PLACE_TYPE + r")([A-Z][a-z]{2,})\s+(?i:Primary|Middle|Central|Junior|Senior|High|School|County|"
                           r"Town|Township|Village|District|City|Province|Subdistrict|Street|Kindergarten)\b")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CAPITALISED = re.compile(r"(?<=[\w,;:] )(?!" + _PLACE_TYPE + r")([A-Z][a-z]{2,})\b")


#: One syllable of Hanyu Pinyin without tones (an initial, a final): a name written in pinyin is a run of
#: them; an English word mostly is not ("road", "lake").
_SYLLABLE = (r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|"
             r"ou|an|en|in|un|ui|ue|ia|ie|iu|ua|uo|a|o|e|i|u)|ang|ai|an|ao|eng|ei|en|er|ou|a|o|e)")
_PINYIN = re.compile(rf"(?:{_SYLLABLE})+")


def is_pinyin(word: str) -> bool:
    """Can the word be read as syllables of pinyin ("lizhuang", "cuiping"; not "road")?"""
    return bool(_PINYIN.fullmatch(word.lower()))


def _is_place(word: str) -> bool:
    pairs = tagged(word)
    return len(pairs) == 1 and pairs[0][1] in ("ns", "nsf")


def names_in(query: Query, pinyin: dict[str, list[str]] | None = None) -> list[str]:
    """Names of places and schools the question uses: a proper noun (jieba's tags) that is or comes
    before a place or school word ("曹集学校", "德新镇", "李庄小学"); in English a capitalised word that
    before "School", "County", "Township"… (a place in pinyin): the corpus's names for it where
    `pinyin` (pinyin → the corpus's words) has them, else the English word itself."""
    found = []
    chinese = query.text if query.lang == "zh" else " ".join(_CJK_RUN.findall(query.text))
    words = tagged(chinese) if chinese.strip() else []
    for i, (word, flag) in enumerate(words):
        following = words[i + 1][0] if i + 1 < len(words) else ""
        if flag in NAME_FLAGS and len(word) >= 2 and (word.endswith(PLACE_WORDS) or following.startswith(PLACE_WORDS)):
            found.append(word)
    for i in range(len(words) - 2):  # two places joined ("上海和浙江分别…"): both are names
        (first, f1), (link, _), (second, f2) = words[i:i + 3]
        if link in ("和", "与", "及", "、", "跟", "同") and f1 == f2 == "ns" and len(first) >= 2 and len(second) >= 2:
            found += [w for w in (first, second) if w not in found]
    if query.lang != "zh":
        # a capitalised word inside the sentence that the corpus writes as a place ("In Shanghai and
        # Zhejiang": 上海, 浙江, tagged as places by jieba)
        for word in _CAPITALISED.findall(query.text):
            places = [name for name in (pinyin or {}).get(word.lower(), []) if _is_place(name)]
            found.extend(name for name in places if name not in found)
        for word in _PINYIN_PLACE.findall(query.text):
            key = word.lower()
            if key in set(query.unmatched) or not (pinyin or {}).get(key):
                if is_pinyin(key):  # "Lizhuang Primary School"; not "Road" of "Cuiping Road Primary School"
                    found.append(word)  # a place the corpus has no name for
            else:
                found.extend(name for name in pinyin[key] if name not in found)
    return list(dict.fromkeys(found))


def name_groups(names: list[str]) -> list[list[str]]:
    """The places and schools a question names, one group per place: spellings of one name (上海 and
    上海市, 浙江 and 浙江省) go together, in the question's order."""
    groups: list[list[str]] = []
    for name in names:
        for group in groups:
            if any(name in other or other in name for other in group):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def names_any(group: list[str], text: str) -> bool:
    return any(name in text for name in group)
