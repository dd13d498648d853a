"""Checks on an answer a language model wrote from numbered passages, sentence by sentence, as the
text arrives (so a streamed answer shows only checked sentences):

- every [n] marker must point to a passage that was sent (1..N);
- every figure the sentence states (amounts, shares, ratios, years, counts written in Chinese
  numerals with a unit, article numbers) must occur in a passage the sentence cites: its own
  markers, or, for a sentence without any, those of the next sentence of the same paragraph that
  has some (the "cite at the end of the paragraph" style); a figure that cites nothing fails.

A sentence that fails is dropped (the repair); `Checked.usable` says whether what is left still
answers from the passages (some sentence cites a passage, and at most half were dropped)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..language.numerals import cn_to_int, int_to_cn

#: [1], [1, 2], [1][2], 【1】, [^1]: the ways models write a citation marker.
MARKER = re.compile(r"\[\^?\s*(\d{1,3}(?:\s*[,，、;；]\s*\d{1,3})*)\s*\]|【\s*(\d{1,3})\s*】")
_TERMINATORS = "。!?！？;；"
_CLOSERS = "”’\"'」』)）*"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
#: Units after a Chinese numeral that make it a figure (三所学校, 七小时, 五万元); 个/年/项 are left
#: out: 三个优先, 九年义务教育, 两项 are names and phrases as often as figures.
_CN_UNITS = ("名", "所", "人", "间", "辆", "台", "位", "岁", "周岁", "小时", "分钟", "元", "亩", "平方米", "公里",
             "千米", "米", "倍", "课时", "学时", "学分", "班", "册", "套", "座", "栋", "户")
_CN_FIGURE = re.compile(rf"([{_CN_DIGITS}]+)(?={'|'.join(_CN_UNITS)})")
_LIST_NUMBER = re.compile(r"^\s*(?:[-*•>#]+\s*)*(?:\d{1,2}[.、)）](?!\d)|[(（]\d{1,2}[)）]|[(（][一二三四五六七八九十]{1,3}[)）]|"
                          r"[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]{1,3}[,，、])\s*")
#: Indicator codes (A2, B6:C9, C7-C15) are names, not figures.
_CODE = re.compile(r"(?<![A-Za-z])[A-D]\d{1,2}(?:\s*[-—–~:：]\s*[A-D]?\d{1,2})*(?!\d)")
_ORDINAL = re.compile(r"\b\d{1,3}(?:st|nd|rd|th)\b")
_ARTICLE = re.compile(rf"第\s*([\d{_CN_DIGITS}]+)\s*条|\b[Aa]rticles?\s+(\d{{1,3}})\b")
_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*[:比]\s*(\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|percent|per cent|万|亿)?")


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC: ０-９, ：, ％), whitespace and thousands separators removed,
    Markdown emphasis dropped."""
    text = unicodedata.normalize("NFKC", text).replace("**", "")
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def markers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites, in order."""
    out = []
    for match in MARKER.finditer(sentence):
        for number in re.split(r"[,，、;；]", match.group(1) or match.group(2)):
            out.append(int(number))
    return list(dict.fromkeys(out))


def tidy_markers(sentence: str) -> str:
    """Every marker written as [n] ([1, 2] → [1][2], 【1】 → [1]), the form the chat page links."""
    return MARKER.sub(lambda m: "".join(f"[{n}]" for n in re.split(r"[,，、;；]\s*", (m.group(1) or m.group(2)).strip())), sentence)


@dataclass(frozen=True)
class Figure:
    """A figure as the answer writes it, and the patterns any one of which a passage must hold."""

    shown: str
    forms: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        return any(re.search(form, text) for form in self.forms)


def _digits(value: str) -> str:
    return rf"(?<![\d.]){re.escape(value)}(?!\d|\.\d)"


def _chinese(n: int) -> list[str]:
    words = {int_to_cn(n)}
    if n == 2:
        words.add("两")
    if 10 <= n < 20:
        words.add("一" + int_to_cn(n))
    return [rf"(?<![{_CN_DIGITS}]){w}(?![{_CN_DIGITS}])" for w in words]


def _number_forms(value: str, scale: str | None) -> tuple[str, ...]:
    forms = [_digits(value)]
    number = float(value)
    if scale in ("万", "亿"):
        forms = [_digits(value) + scale]
        whole = number * (10_000 if scale == "万" else 100_000_000)
        if whole.is_integer():
            forms.append(_digits(str(int(whole))))
    elif scale == "%":
        forms = [_digits(value) + "%"]
        if number.is_integer():
            forms.append("百分之" + int_to_cn(int(number)) + rf"(?![{_CN_DIGITS}])")
    elif number.is_integer():
        n = int(number)
        if n <= 9999:
            forms.extend(_chinese(n))
        if n >= 10_000 and n % 100 == 0:
            forms.append(_digits(f"{n / 10_000:g}") + "万")
    return tuple(forms)


def figures(sentence: str) -> list[Figure]:
    """The figures a sentence states (markers, list numbers, indicator codes and ordinals left out)."""
    text = unicodedata.normalize("NFKC", MARKER.sub(" ", sentence)).replace("**", "")
    text = _LIST_NUMBER.sub("", text)
    text = _ORDINAL.sub(" ", _CODE.sub(" ", text))
    out: list[Figure] = []
    for match in _ARTICLE.finditer(text):
        raw = match.group(1) or match.group(2)
        n = int(raw) if raw.isdigit() else cn_to_int(raw)
        if n:
            out.append(Figure(match.group(0), (f"第{int_to_cn(n)}条", f"第{n}条")))
    text = _ARTICLE.sub(" ", text)
    for match in _RATIO.finditer(text):
        a, b = match.group(1), match.group(2)
        out.append(Figure(match.group(0), (_digits(a) + "[:比]" + re.escape(b) + r"(?!\d|\.\d)",)))
    text = _RATIO.sub(" ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    for match in _NUMBER.finditer(text):
        value, suffix = match.group(1), match.group(2)
        scale = "%" if suffix in ("%", "percent", "per cent") else suffix
        out.append(Figure(match.group(0).strip(), _number_forms(value, scale)))
    for match in _CN_FIGURE.finditer(_NUMBER.sub(" ", text)):
        n = cn_to_int(match.group(1))
        if n:
            raw = match.group(1)
            out.append(Figure(raw, (rf"(?<![{_CN_DIGITS}]){raw}(?![{_CN_DIGITS}])", _digits(str(n)))))
    return out


@dataclass
class Dropped:
    text: str
    reason: str

    def to_dict(self) -> dict:
        return {"text": self.text, "reason": self.reason}


@dataclass
class Checked:
    text: str
    kept: int = 0
    cited_sentences: int = 0
    dropped: list[Dropped] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """Something cited is left, and no more than half of the sentences were dropped."""
        return self.cited_sentences > 0 and len(self.dropped) <= self.kept

    def why_unusable(self) -> str:
        if self.cited_sentences == 0:
            return "it cites no passage that was sent" if not self.dropped else \
                f"none of its sentences passed ({self.dropped[0].reason})"
        return f"{len(self.dropped)} of {len(self.dropped) + self.kept} sentences failed ({self.dropped[0].reason})"


@dataclass
class _Sentence:
    text: str
    numbers: list[int]
    figures: list[Figure]


class Checker:
    """Fed the answer piece by piece (`feed`), gives back the checked text that may be shown;
    `close()` gives the rest and `result()` the whole."""

    def __init__(self, passages: list[str]):
        self.passages = [normalise(p) for p in passages]
        self.buffer = ""
        self.pending: list[_Sentence] = []  # waiting for the paragraph's next cited sentence
        self.shown: list[str] = []
        self.kept = 0
        self.cited_sentences = 0
        self.dropped: list[Dropped] = []
        self.cited: list[int] = []
        self.line_sentences = self.line_kept = 0  # sentences of the current line, and those kept

    # --- input -----------------------------------------------------------------------------------

    def feed(self, piece: str) -> str:
        self.buffer += piece
        return self._drain(final=False)

    def close(self) -> str:
        return self._drain(final=True)

    def result(self) -> Checked:
        text = re.sub(r"\n{3,}", "\n\n", "".join(self.shown)).strip()
        return Checked(text, self.kept, self.cited_sentences, self.dropped, sorted(set(self.cited)))

    # --- sentences -------------------------------------------------------------------------------

    def _boundary(self, final: bool) -> tuple[int, bool] | None:
        """End of the first whole sentence in the buffer and whether a paragraph ends there; None
        when the buffer may still grow into the sentence (a marker may follow its full stop)."""
        text = self.buffer
        for i, char in enumerate(text):
            if char == "\n":
                return i, True
            stop = char in _TERMINATORS
            if char == "." and (i + 1 < len(text) and text[i + 1] in " \t\n" or i + 1 == len(text)):
                stop = not re.fullmatch(r"\s*(?:[-*•]\s*)?\d{1,3}", text[:i].rsplit("\n", 1)[-1])
            if not stop:
                continue
            j = i + 1
            while j < len(text) and text[j] in _CLOSERS:
                j += 1
            while True:
                k = j
                while k < len(text) and text[k] in " \t":
                    k += 1
                match = MARKER.match(text, k)
                if match:
                    j = match.end()
                    continue
                if k == len(text) or (text[k] in "[【" and "]" not in text[k:] and "】" not in text[k:]):
                    if not final:
                        return None
                break
            return j, False
        return (len(text), True) if final and text else None

    def _drain(self, final: bool) -> str:
        start = len(self.shown)
        while self.buffer:
            found = self._boundary(final)
            if found is None:
                break
            end, paragraph = found
            sentence, self.buffer = self.buffer[:end], self.buffer[end:]
            if sentence.strip():
                self.line_sentences += 1
                self.shown.append(self._sentence(sentence))
            if paragraph:
                self.shown.append(self._paragraph_end())
                self.buffer = self.buffer[1:] if self.buffer.startswith("\n") else self.buffer
                self.shown.append(self._newline())
                self.line_sentences = self.line_kept = 0
        if final:
            self.shown.append(self._paragraph_end())
        return "".join(self.shown[start:])

    def _sentence(self, raw: str) -> str:
        sentence = _Sentence(tidy_markers(raw), markers(raw), figures(raw))
        if not sentence.numbers:
            if sentence.figures or self.pending:
                self.pending.append(sentence)
                return ""
            self.kept += 1
            self.line_kept += 1
            return sentence.text
        out = "".join(self._judge(s, sentence.numbers) for s in self.pending)
        self.pending = []
        return out + self._judge(sentence, sentence.numbers)

    def _paragraph_end(self) -> str:
        out = "".join(self._judge(s, []) for s in self.pending)
        self.pending = []
        return out

    def _newline(self) -> str:
        so_far = "".join(self.shown)
        if not so_far.strip() or (self.line_sentences and not self.line_kept):
            return ""  # nothing shown yet, or every sentence of the line was dropped
        trailing = len(so_far) - len(so_far.rstrip("\n"))
        return "\n" if trailing < 2 else ""

    def _judge(self, sentence: _Sentence, numbers: list[int]) -> str:
        reason = self._fault(sentence, numbers)
        if reason:
            self.dropped.append(Dropped(sentence.text.strip(), reason))
            return ""
        self.kept += 1
        self.line_kept += 1
        if sentence.numbers:
            self.cited_sentences += 1
            self.cited.extend(sentence.numbers)
        return sentence.text

    def _fault(self, sentence: _Sentence, numbers: list[int]) -> str | None:
        count = len(self.passages)
        bad = [n for n in sentence.numbers if not 1 <= n <= count]
        if bad:
            return f"cites [{bad[0]}], but only {count} passages were sent"
        if not sentence.figures:
            return None
        if not numbers:
            return f"states {sentence.figures[0].shown} without citing a passage"
        cited = [self.passages[n - 1] for n in numbers if 1 <= n <= count]
        for figure in sentence.figures:
            if not any(figure.found_in(text) for text in cited):
                refs = "".join(f"[{n}]" for n in numbers)
                return f"states {figure.shown}, which {refs} does not contain"
        return None


def check(text: str, passages: list[str]) -> Checked:
    """The whole answer checked at once (the same rules as streaming)."""
    checker = Checker(passages)
    checker.feed(text)
    checker.close()
    return checker.result()
