"""Indicator codes of the balanced-development assessment (A1–A4, B1–B20, C1–C34) found in text."""

from __future__ import annotations

import re

_RANGE = re.compile(r"(?<![A-Za-z0-9])([ABC])\s*(\d{1,2})\s*[-—–~～至到]+\s*(?:\1)?\s*(\d{1,2})(?!\d)")
_SINGLE = re.compile(r"(?<![A-Za-z0-9])([ABC])\s?(\d{1,2})(?!\d)")
_LIMITS = {"A": 4, "B": 20, "C": 34}


def extract_codes(text: str) -> list[str]:
    """Indicator codes in reading order, ranges expanded: "责任指标:C7-C9 B6:C9" → C7, C8, C9, B6."""
    codes: list[str] = []

    def add(letter: str, number: int) -> None:
        code = f"{letter}{number}"
        if 1 <= number <= _LIMITS[letter] and code not in codes:
            codes.append(code)

    for match in _RANGE.finditer(text):
        letter, lo, hi = match.group(1), int(match.group(2)), int(match.group(3))
        if lo <= hi <= lo + 34:
            for number in range(lo, hi + 1):
                add(letter, number)
    for match in _SINGLE.finditer(text):
        add(match.group(1), int(match.group(2)))
    return codes
