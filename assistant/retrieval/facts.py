"""What kind of fact a sentence states: a figure, a date, a person's name after a label, a rule
(不得 / 应当 / 可以). Used by ranking (a figure question prefers a passage that states one) and by
the answer (which sentences answer, whether the answer is found)."""

from __future__ import annotations

import re
from functools import lru_cache

from .units import NOT_A_QUANTITY

#: What a Chinese numeral must stand before to be a figure ("三所", "五千人", not "一是").
FIGURE_UNITS = (r"(?:个|名|所|人|间|套|册|本|天|日|次|年|辆|台|位|岁|周岁|点|项|种|小时|时|分钟|周|月|元|万|亿|亩|"
                r"平方米|公里|千米|米|倍|节|课时|成|层|栋|班|批|份|张|学时|学分|学年|学期)")
_FIGURE = re.compile(r"[0-9\uff10-\uff19]|百分之|[〇零一二两三四五六七八九十百千万亿半]+\s*" + FIGURE_UNITS)
#: Each figure whole, one match per figure (14, 12.5, 1:19.9, 百分之九十, 三所): where figures stand.
WHOLE_FIGURE = re.compile(r"[0-9\uff10-\uff19][0-9\uff10-\uff19.,:：%％]*|百分之[〇零一二两三四五六七八九十百千]+|"
                          r"[〇零一二两三四五六七八九十百千万亿半]+\s*(?=" + FIGURE_UNITS + ")")
#: Numbering that is not a figure: list numbers, indicator codes, article and chapter numbers.
_NOT_A_FIGURE = re.compile(r"^\s*[(（]?[0-9一二三四五六七八九十]{1,3}[)）、.．]|[A-Z]\d+(?:[-:][A-Z]?\d+)*|"
                           r"第\s*[零〇一二两三四五六七八九十百千\d]+\s*[编章节条款项篇]")
_DATE = re.compile(r"(?:19|20)\d\d\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日|"
                   r"[〇零一二三四五六七八九]{4}年|(?:19|20)\d\d[-/.]\d{1,2}|每年|学期|寒假|暑假|春季|秋季|周[一二三四五六日]")
_SIGNATURE_DATE = re.compile(r"^[^,,。;;]{0,30}?(?:19|20)\d\d\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*$")
_NAME_LABEL = re.compile(r"(组长|副组长|成员|组员|负责人|主任|校长|书记|局长|联系人|牵头人)\s*[::]\s*\S|"
                         # a title and a two- or three-character name: "学区长吴权利和副学区长王良峰同志"
                         r"(?:组长|校长|学区长|主任|书记|局长|园长|老师|教师)[\u4e00-\u9fff]{2,3}(?=同志|和|、|,|\uff0c|\s|[(（])|"
                         r"[\u4e00-\u9fff]{2,3}同志")
_PLACE = re.compile(r"位于|地处|坐落|座落|地址|毗邻|[\u4e00-\u9fff]{1,8}(?:省|市|县|区|镇|乡|村|街道|路|街)(?:[东西南北]|以[东西南北]|境内|中心|处)")
_DEFINITION = re.compile(r"所称|是指|指的是|系指|以下(?:简)?称|称为|定义为")
_RULE = re.compile(r"不得|禁止|严禁|应当|必须|可以|不能|不准|不应|有权|免收|免费|不收")


#: Years written as years: a range (2012-2014) or with 年 (2014年, 2014年5月12日): a date, not an amount.
_YEARS = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)\d{2}\s*年?(?:度)?|"
                    r"(?:19|20)\d{2}\s*年(?:度)?(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?")


def has_figure(sentence: str) -> bool:
    """Does the sentence state a figure? List numbers, indicator codes, article numbers and years do
    not count ("2012-2014学校绩效工资发放单" states no amount of pay; dates are has_date's)."""
    return bool(_FIGURE.search(_YEARS.sub("", _NOT_A_FIGURE.sub("", NOT_A_QUANTITY.sub(" ", sentence)))))


def has_date(sentence: str) -> bool:
    return bool(_DATE.search(sentence))


def has_name_label(sentence: str) -> bool:
    """"组长:张翼技", "负责人:…": a line that names people."""
    return bool(_NAME_LABEL.search(sentence))


def has_place(sentence: str) -> bool:
    """"位于流坡坞镇南五公里处": a sentence that says where something is."""
    return bool(_PLACE.search(sentence))


def has_rule(sentence: str) -> bool:
    return bool(_RULE.search(sentence))


def is_signature(sentence: str) -> bool:
    """A unit-and-date line ("昭阳街道中心小学 2016年10月") that closes a document."""
    return bool(_SIGNATURE_DATE.match(sentence.strip()))


def states(kind: str, sentence: str) -> bool:
    """Does the sentence state what a question of this kind asks for?"""
    if kind == "figure":
        return has_figure(sentence)
    if kind == "date":
        return has_date(sentence)
    if kind == "who":
        return has_name_label(sentence)
    if kind == "yesno":
        return has_rule(sentence)
    if kind == "where":
        return has_place(sentence)
    if kind == "definition":
        return bool(_DEFINITION.search(sentence))
    return True


@lru_cache(maxsize=65536)
def has_person(text: str) -> bool:
    """A name label, or a person's name as jieba tags one (nr, two or three characters). Remembered by
    text: tagging runs jieba's HMM (about 1 ms a sentence), and every unit of the first five passages is
    asked, so the same passages' sentences would be tagged again for each question about them."""
    if has_name_label(text):
        return True
    from ..language.segmentation import tagged

    return any(flag == "nr" and 2 <= len(word) <= 3 for word, flag in tagged(text))
