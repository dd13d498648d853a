"""The school's own figures: a facts file (JSON or YAML) mapping placeholder names to values,
`{"学生数": 650, "教职工数": 54}`, and filling 【学生数】-style placeholders with them.

YAML facts are read as text exactly as typed: no implicit types, so `师生比: 1:14.8` stays 1:14.8
(YAML 1.1 reads it as the base-60 number 74.8), `2023-09-01` and `12.50` stay as written; and
nesting is bounded (MAX_FACTS_DEPTH), so a hostile paste is a one-line error, not a RecursionError."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import yaml

from ..errors import DraftError
from .template import PLACEHOLDER

MAX_FACTS_BYTES = 1_000_000
#: Facts are a flat mapping (depth 2 with its values); deeper nesting is refused before it is built.
MAX_FACTS_DEPTH = 20
# text pasted from Word or a web page carries control characters YAML refuses: Word's line and
# page breaks (\v, \f) and other C0/C1 controls; breaks become new lines, the rest are dropped
_BREAKS = re.compile(r"[\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_pasted(text: str) -> str:
    """Facts text as YAML can read it: breaks as new lines, other control characters (and lone
    surrogates, which no file can hold) removed."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


class _TooDeep(Exception):
    pass


class _FactsLoader(yaml.BaseLoader):
    """YAML with every scalar read as the text typed (BaseLoader: no resolvers for numbers, dates,
    booleans or base-60), and a bound on nesting checked as the document is composed."""

    _depth = 0

    def compose_node(self, parent, index):  # depth: the mappings and lists around the node, and itself
        if self._depth >= MAX_FACTS_DEPTH and not self.check_event(yaml.ScalarEvent, yaml.AliasEvent):
            raise _TooDeep()
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _too_deep(where: str) -> DraftError:
    return DraftError(f"{where} is nested more than {MAX_FACTS_DEPTH} levels deep; write one "
                      f"`name: value` line per figure, e.g. 学生数: 650")


def _load_yaml(text: str):
    loader = _FactsLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _value(value, name: str, where: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise DraftError(f"{where}: the value of {name!r} must be a number or text (got {value!r})")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DraftError(f"{where}: the value of {name!r} must be a finite number")
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    text = str(value).strip()
    if not text or "\n" in text or len(text) > 200:
        raise DraftError(f"{where}: the value of {name!r} must be one line of 1–200 characters")
    if "【" in text or "】" in text:
        raise DraftError(f"{where}: the value of {name!r} must not contain 【】 (it would read as a placeholder)")
    return text


def normalise_facts(data, where: str = "facts") -> dict[str, str]:
    """{name: value} with names stripped of 【】 and values as text (12.50 → "12.5", 650 → "650")."""
    if not isinstance(data, dict):
        raise DraftError(f"{where}: expected a mapping of placeholder names to values, "
                         f'e.g. {{"学生数": 650, "教职工数": 54}}')
    facts: dict[str, str] = {}
    for key, value in data.items():
        name = str(key).strip().strip("【】").strip()
        if not name:
            raise DraftError(f"{where}: an empty placeholder name")
        facts[name] = _value(value, name, where)
    return facts


def read_facts(path: Path) -> dict[str, str]:
    """A facts file → {name: value}. A missing, unreadable or malformed file is one DraftError that
    names the file."""
    path = Path(path)
    if not path.is_file():
        raise DraftError(f"facts file {path} does not exist" if not path.exists() else f"facts file {path} is not a file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"facts file {path} cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_FACTS_BYTES:
        raise DraftError(f"facts file {path} is larger than {MAX_FACTS_BYTES // 1000} kB; it should hold a few figures")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DraftError(f"facts file {path} is neither UTF-8 nor GB18030 text") from exc
    return parse_facts_text(text, f"facts file {path}", json_only=path.suffix.lower() == ".json")


def parse_facts_text(text: str, where: str = "facts", json_only: bool = False) -> dict[str, str]:
    """Facts written as JSON or YAML text (a file's content, or text pasted into the drafting
    page: `学生数: 650`) → {name: value}; a DraftError names `where` and the line at fault."""
    if json_only:
        try:
            data = json.loads(clean_pasted(text))
        except json.JSONDecodeError as exc:
            raise DraftError(f"{where} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        except RecursionError:
            raise _too_deep(where) from None
        return normalise_facts(data, where)
    text = clean_pasted(text)
    try:  # YAML reads JSON too
        data = _load_yaml(text)
    except _TooDeep:
        raise _too_deep(where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DraftError(f"{where} is not valid YAML ({line}{problem})") from exc
    return normalise_facts(data, where)


#: A figure: Arabic digits or Chinese numerals (一千元, 3万元).
_FIGURE = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]")


def _repeated_unit(value: str, after: str) -> int:
    """How many characters of `after` (the template text right after a placeholder) repeat the unit
    the value already ends with: 720元 before 元 → 1, 3.5万元 before 万元 → 2; 0 when they do not, or
    when the value is no figure with a unit."""
    for size in range(min(4, len(value) - 1), 0, -1):
        unit = value[-size:]
        if after.startswith(unit) and not re.search(r"[0-9０-９]", unit) and _FIGURE.search(value[:-size]):
            return size
    return 0


def fill(text: str, facts: dict[str, str]) -> str:
    """Replace exactly the placeholders named in `facts`; leave every other 【…】 as it is. A value
    typed with the unit the template writes after the placeholder (720元 in 【生均公用经费】元) keeps
    one unit, not two."""
    parts, pos = [], 0
    for match in PLACEHOLDER.finditer(text):
        value = facts.get(match.group(1))
        if value is None:
            continue
        parts += [text[pos:match.start()], value]
        pos = match.end()
        pos += _repeated_unit(value, text[pos:pos + 4])
    parts.append(text[pos:])
    return "".join(parts)
