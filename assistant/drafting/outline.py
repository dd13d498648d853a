"""An outline of a new document: the template's sections for one school, each with suggested
points, 【placeholders】 (filled from the school's facts where given) and cited example passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DraftError
from ..language.numerals import int_to_cn
from .examples import ExampleFinder, Request, Seen
from .facts import fill, normalise_facts
from .template import PLACEHOLDER, Selected, Template, resolve_focus, resolve_kind, select_sections

MAX_SCHOOL_CHARS = 60
FOCUS_EXAMPLES = 3


@dataclass
class OutlineSection:
    title: str
    number: str  # "一、", "(二)", "3." or "" for unnumbered parts (开头语, 落款)
    level: int
    points: list[str]
    examples: list[dict] = field(default_factory=list)
    sections: list["OutlineSection"] = field(default_factory=list)
    signature: bool = False
    table: dict | None = None  # {"columns": [...], "rows": [[...], ...]} for the writer to fill in

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    def walk(self):
        yield self
        for child in self.sections:
            yield from child.walk()

    def placeholders(self) -> list[str]:
        return list(dict.fromkeys(name for point in self.points for name in PLACEHOLDER.findall(point)))

    def to_dict(self) -> dict:
        return {"title": self.title, "number": self.number, "heading": self.heading, "level": self.level,
                "points": self.points, "placeholders": self.placeholders(), "table": self.table,
                "examples": self.examples, "sections": [child.to_dict() for child in self.sections]}


@dataclass
class Outline:
    kind: str
    kind_name: str
    school: str
    title: str
    about: str
    follows: list[dict]
    focus: list[str]
    sections: list[OutlineSection]
    filled: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def walk(self):
        for section in self.sections:
            yield from section.walk()

    def placeholders(self) -> list[str]:
        """Placeholders still to fill, in reading order."""
        names = PLACEHOLDER.findall(self.title)
        for section in self.walk():
            names.extend(section.placeholders())
        return list(dict.fromkeys(names))

    def examples(self) -> list[dict]:
        return [example for section in self.walk() for example in section.examples]

    def fill(self, facts: dict[str, str]) -> list[str]:
        """Put the school's figures in; returns the fact names that match no placeholder."""
        present = set(self.placeholders())
        used = {name: value for name, value in facts.items() if name in present}
        self.title = fill(self.title, used)
        for section in self.walk():
            section.points = [fill(point, used) for point in section.points]
        self.filled.update(used)
        return [name for name in facts if name not in present]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "kind_name": self.kind_name, "school": self.school, "title": self.title,
                "about": self.about, "follows": self.follows, "focus": self.focus, "filled": self.filled,
                "placeholders": self.placeholders(), "warnings": self.warnings,
                "sections": [section.to_dict() for section in self.sections]}


def check_school(school: str) -> str:
    if not isinstance(school, str) or not school.strip():
        raise DraftError("the school name is empty; pass --school, e.g. --school 青山镇中心小学")
    school = school.strip()
    if len(school) > MAX_SCHOOL_CHARS or "\n" in school or PLACEHOLDER.search(school):
        raise DraftError(f"the school name must be one line of at most {MAX_SCHOOL_CHARS} characters "
                         f"without 【】 (got {len(school)} characters)")
    return school


def _number(level: int, n: int) -> str:
    if level == 1:
        return f"{int_to_cn(n)}、"
    if level == 2:
        return f"({int_to_cn(n)})"
    return f"{n}."


def _build(selected: list[Selected], level: int, school: str, plan: list[tuple[OutlineSection, Selected]]
           ) -> list[OutlineSection]:
    out: list[OutlineSection] = []
    count = 0
    for item in selected:
        spec = item.spec
        number = ""
        if spec.numbered:
            count += 1
            number = _number(level, count)
        section = OutlineSection(spec.title, number, level, [p.replace("{school}", school) for p in spec.points],
                                 signature=spec.signature)
        if spec.table is not None:
            section.table = {"columns": list(spec.table.columns), "rows": spec.table.rows()}
        section.sections = _build(item.children, level + 1, school, plan)
        if not section.sections:
            plan.append((section, item))
        out.append(section)
    return out


def unknown_facts_warning(unknown: list[str], outline: Outline) -> str:
    import difflib

    names = outline.placeholders() + list(outline.filled)
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hints.append(f"{name} (did you mean {close[0]}?)" if close else name)
    return (f"warning: {len(unknown)} fact(s) match no placeholder of this outline and were not used: "
            f"{', '.join(hints)}")


def build_outline(finder: ExampleFinder | None, kind: str | Template, school: str, facts: dict | None = None,
                  focus: list[str] | None = None) -> Outline:
    """The outline for one school. `finder` None gives an outline without examples."""
    template = kind if isinstance(kind, Template) else resolve_kind(kind)
    school = check_school(school)
    focus_areas = resolve_focus(focus)
    facts = normalise_facts(facts or {}, "facts")
    plan: list[tuple[OutlineSection, Selected]] = []
    sections = _build(select_sections(template.sections, focus_areas), 1, school, plan)
    outline = Outline(template.kind, template.name, school, template.title.replace("{school}", school),
                      template.about, [dict(f) for f in template.follows], focus_areas, sections)
    if finder is not None:
        seen = Seen()
        focus_words = " ".join(focus_areas)
        requests = []
        for section, item in plan:
            spec = item.spec
            wanted = FOCUS_EXAMPLES if item.focused and spec.examples else spec.examples
            query = spec.query if spec.covers or not focus_words else f"{spec.query} {focus_words}"
            if wanted:
                requests.append((section, Request(query, spec.match, spec.must, wanted)))
        chosen = finder.choose_all([request for _, request in requests], template.kinds, seen)
        for (section, _), passages in zip(requests, chosen):
            section.examples = [p.citation(0) for p in passages]
        for n, example in enumerate(outline.examples(), start=1):
            example["n"] = n
    unknown = outline.fill(facts)
    if unknown:
        outline.warnings.append(unknown_facts_warning(unknown, outline))
    return outline


def excerpt(text: str, limit: int = 220) -> str:
    """The start of a passage, cut at a sentence end near `limit` characters, for Markdown and Word."""
    flat = re.sub(r"\s*\n\s*", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = max(flat.rfind(mark, 0, limit) for mark in "。;;!?!?")
    if cut < limit // 2:
        cut = limit - 1
    return flat[:cut + 1] + "……"


def where(example: dict) -> str:
    lines = f"{example['start_line']}–{example['end_line']}" if example["end_line"] != example["start_line"] \
        else f"{example['start_line']}"
    place = f"{example['source']} 第{lines}行"
    if example.get("page"):
        place += f",第{example['page']}页"
    section = f" › {example['section']}" if example.get("section") else ""
    return f"《{example['title']}》{section}({place})"
