"""Names of places and schools a question uses ("曹集学校", "德新镇", "Lizhuang Primary School"): the
ranking prefers the documents that use them, and the answer is not found in a document that does
not (a question about 李庄小学 is not answered from 昭阳街道中心小学's plan)."""

from __future__ import annotations

import re

from ..segmentation import tagged
from .query import Query

_NAME_FLAGS = {"nr", "ns", "nt", "nz", "nrt", "nrfg", "nsf"}
_PLACE_WORDS = ("学校", "小学", "中学", "初中", "二中", "一中", "中心", "学区", "镇", "乡", "县", "区", "村", "市", "省", "街道",
                "幼儿园")
_PLACE_TYPE = (r"(?:Primary|Middle|Central|Junior|Senior|High|School|County|Town|Township|Village|District|City|Province|"
               r"Subdistrict|Street|Kindergarten|No|The|In|At|Of|Which|What|How|Who)\b")
_PINYIN_PLACE = re.compile(r"\b(?!" + _PLACE_TYPE + r")([A-Z][a-z]{2,})\s+(?i:Primary|Middle|Central|Junior|Senior|High|School|County|"
                           r"Town|Township|Village|District|City|Province|Subdistrict|Street|Kindergarten)\b")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


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
        if flag in _NAME_FLAGS and len(word) >= 2 and (word.endswith(_PLACE_WORDS) or following.startswith(_PLACE_WORDS)):
            found.append(word)
    if query.lang != "zh":
        for word in _PINYIN_PLACE.findall(query.text):
            key = word.lower()
            if key in set(query.unmatched) or not (pinyin or {}).get(key):
                found.append(word)  # a place the corpus has no name for
            else:
                found.extend(name for name in pinyin[key] if name not in found)
    return list(dict.fromkeys(found))
