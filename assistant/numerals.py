"""Chinese numerals both ways: 46 ↔ 四十六 (headings 一、…, ordinals 第四十六, Word list numbers)."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"


def int_to_cn(n: int) -> str:
    """1→一, 10→十, 12→十二, 20→二十, 105→一百零五, 110→一百一十 (as Word's chineseCounting writes them)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + int_to_cn(rest) if rest < 10 else ("一" if rest < 20 else "") + int_to_cn(rest))
    return int_to_cn(n // 100) + "百" + tail


def cn_to_int(text: str) -> int:
    """一→1, 十→10, 十二→12, 二十→20, 二十三→23 (heading numbers up to 99)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)
    return _DIGITS.index(text) if text and text in _DIGITS else 0
