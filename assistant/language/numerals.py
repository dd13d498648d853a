"""Chinese numerals both ways: 46 ↔ 四十六, 102 ↔ 一百零二, 1050 ↔ 一千零五十 (headings 一、…,
ordinals 第四十六, articles 第二百六十条, Word list numbers, years written 二〇一八)."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
#: digit characters → value; 两 (两千) and 〇/○ (二〇一八) are common variants
_DIGIT_VALUES = {**{c: i for i, c in enumerate(_DIGITS)}, "〇": 0, "○": 0, "两": 2, "兩": 2}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def _below_10000(n: int, leading: bool) -> str:
    """1..9999 in one 万 group. `leading`: the group opens the numeral, so 10..19 read 十…
    (十二, not 一十二); inside a numeral they read 一十… (一百一十, 一万零一十)."""
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        if unit == 10 and digit == 1 and not out and leading:
            out += "十"
        else:
            out += _DIGITS[digit] + name
    return out


def int_to_cn(n: int) -> str:
    """1→一, 10→十, 12→十二, 20→二十, 105→一百零五, 110→一百一十, 1050→一千零五十, 2000→二千,
    10010→一万零一十 (as Word's chineseCounting and official texts write them). 0 → 零;
    negative numbers are returned as digits."""
    if n < 0:
        return str(n)
    if n == 0:
        return "零"
    groups = []  # 万 groups, lowest first
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    out = ""
    names = ["", "万", "亿", "万亿"]
    for position in range(len(groups) - 1, -1, -1):
        group = groups[position]
        if group == 0:
            continue
        if out and (group < 1000 or groups[position + 1] == 0):
            out += "零"  # a gap before this group: 一万零五, 一亿零五万
        out += _below_10000(group, leading=not out) + names[position]
    return out


def cn_to_int(text: str) -> int:
    """一→1, 十→10, 十二→12, 一百零二→102, 两千→2000, 一千零五十→1050, 二百六十→260,
    三万五千→35000; a string of digits without units reads digit by digit (二〇一八→2018), and
    Arabic digits are read as they are ("12"→12). Anything else (empty, other characters) → 0."""
    text = text.strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    if all(c in _DIGIT_VALUES for c in text):
        if len(text) == 1:
            return _DIGIT_VALUES[text]
        return int("".join(str(_DIGIT_VALUES[c]) for c in text))
    total, group, digit = 0, 0, None
    for char in text:
        if char in _DIGIT_VALUES:
            if digit is not None and _DIGIT_VALUES[char] != 0:
                return 0  # two digits in a row inside a numeral with units ("一二百")
            digit = _DIGIT_VALUES[char] if _DIGIT_VALUES[char] else None
        elif char in _SMALL_UNITS:
            group += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        elif char in _BIG_UNITS:
            unit = _BIG_UNITS[char]
            group += digit or 0
            # 亿 multiplies everything before it; 万 only what follows the last 亿
            if unit > 10_000:
                total = (total + group) * unit
            else:
                total += group * unit
            group, digit = 0, None
        else:
            return 0
    return total + group + (digit or 0)
