"""Templates (data files in assistant/drafting/templates/): load, validate, resolve kind names
(English or Chinese) and --focus areas.

A template is a list of sections; a section has a title, suggested points (with 【placeholders】
for the school's own figures, and `{school}`), what makes a corpus passage a good example of it
(`match`: words of a fitting heading; `must`: words the passage has to contain; `query`), how many
examples to show, an optional `table` for the writer to fill in (columns, and a number of rows or
the rows' first-column labels), and either sub-sections or an `areas` list: the 主要做法 areas that
--focus narrows or extends. Areas are defined once in areas.yaml."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from ..documents import KINDS
from ..errors import DraftError

PLACEHOLDER = re.compile(r"【([^【】\n]{1,30})】")
MAX_EXAMPLES = 3
MAX_DEPTH = 3
_SECTION_KEYS = {"title", "points", "numbered", "signature", "match", "must", "query", "examples", "sections",
                 "areas", "area", "table"}
MAX_TABLE_COLUMNS = 8
MAX_TABLE_ROWS = 20
_TEMPLATE_KEYS = {"kind", "name", "aliases", "title", "about", "follows", "kinds", "sections"}
_SPLIT_FOCUS = re.compile(r"[,，、;；]+")


@dataclass(frozen=True)
class Area:
    name: str
    aliases: tuple[str, ...]
    codes: tuple[str, ...]
    default: bool
    keywords: tuple[str, ...]
    headings: tuple[str, ...]
    points: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table for the writer to fill in (整改任务清单, 指标达标情况): column headings and rows, each
    row's first cell a label ("生均图书册数") or empty."""

    columns: tuple[str, ...]
    labels: tuple[str, ...]

    def rows(self) -> list[list[str]]:
        return [[label] + [""] * (len(self.columns) - 1) for label in self.labels]


def _table(data, where: str) -> Table | None:
    """`table: {columns: [...], rows: N | [first-column labels]}`."""
    if data is None:
        return None
    if not isinstance(data, dict) or set(data) - {"columns", "rows"}:
        raise DraftError(f"{where}: 'table' must be a mapping with 'columns' and 'rows'")
    columns = _strings(data.get("columns"), where, "table.columns")
    if not 2 <= len(columns) <= MAX_TABLE_COLUMNS:
        raise DraftError(f"{where}: a table needs 2 to {MAX_TABLE_COLUMNS} columns (got {len(columns)})")
    rows = data.get("rows", 3)
    if isinstance(rows, int) and not isinstance(rows, bool):
        if not 1 <= rows <= MAX_TABLE_ROWS:
            raise DraftError(f"{where}: 'table.rows' must be from 1 to {MAX_TABLE_ROWS} (got {rows})")
        labels = ("",) * rows
    else:
        labels = _strings(rows, where, "table.rows")
        if not labels or len(labels) > MAX_TABLE_ROWS:
            raise DraftError(f"{where}: 'table.rows' must be a number or a list of 1 to {MAX_TABLE_ROWS} labels")
    return Table(columns, labels)


@dataclass(frozen=True)
class SectionSpec:
    title: str
    points: tuple[str, ...] = ()
    numbered: bool = True
    signature: bool = False
    match: tuple[str, ...] = ()
    must: tuple[str, ...] = ()
    query: str = ""
    examples: int = 2
    covers: tuple[str, ...] = ()  # the areas an entry of an `areas` list stands for (empty: always kept)
    table: "Table | None" = None
    children: tuple["SectionSpec", ...] = ()
    has_areas: bool = False  # children come from an `areas` list: --focus applies to them


@dataclass(frozen=True)
class Template:
    kind: str
    name: str
    aliases: tuple[str, ...]
    title: str
    about: str
    follows: tuple[dict, ...]
    kinds: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    file: str = ""

    def label(self) -> str:
        return f"{self.kind} ({self.name})"


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def plain(text: str) -> str:
    """Text without placeholders and {school}: what goes into a retrieval query."""
    return re.sub(r"\s+", " ", PLACEHOLDER.sub(" ", text.replace("{school}", " "))).strip()


def _strings(value, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DraftError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _check_text(text: str, where: str) -> None:
    rest = PLACEHOLDER.sub("", text)
    if "【" in rest or "】" in rest:
        raise DraftError(f"{where}: unbalanced 【…】 placeholder in {text!r}")


def _area_query(areas: list[Area]) -> str:
    return " ".join(dict.fromkeys(word for area in areas for word in (area.name, *area.keywords)))


def _section(data, where: str, areas: dict[str, Area], depth: int, covers_allowed: bool = False) -> SectionSpec:
    if isinstance(data, str) and covers_allowed:
        data = {"area": data}
    if not isinstance(data, dict):
        raise DraftError(f"{where}: a section must be a mapping with a title")
    unknown = set(data) - _SECTION_KEYS
    if unknown:
        raise DraftError(f"{where}: unknown keys {sorted(unknown)}")
    covers = _strings(data.get("area"), where, "area")
    if covers and not covers_allowed:
        raise DraftError(f"{where}: 'area' is only allowed inside an 'areas' list")
    for name in covers:
        if name not in areas:
            raise DraftError(f"{where}: unknown area {name!r} (areas.yaml has {', '.join(areas)})")
    covered = [areas[name] for name in covers]
    title = data.get("title") or (covers[0] if covers else None)
    if not isinstance(title, str) or not title.strip():
        raise DraftError(f"{where}: a section needs a 'title'")
    where = f"{where} ({title})"
    points = _strings(data.get("points"), where, "points") or (covered[0].points if covered else ())
    for point in points:
        _check_text(point, where)
    examples = data.get("examples", 2)
    if not isinstance(examples, int) or isinstance(examples, bool) or not 0 <= examples <= MAX_EXAMPLES:
        raise DraftError(f"{where}: 'examples' must be a whole number from 0 to {MAX_EXAMPLES}")
    match = _strings(data.get("match"), where, "match") or tuple(
        dict.fromkeys(word for area in covered for word in (area.name, *area.headings)))
    query = data.get("query") or " ".join([title, *(plain(p) for p in points)])
    if covered:
        query = f"{query} {_area_query(covered)}"
    if "sections" in data and "areas" in data:
        raise DraftError(f"{where}: a section has either 'sections' or 'areas', not both")
    children: tuple[SectionSpec, ...] = ()
    has_areas = "areas" in data
    entries = data.get("areas") if has_areas else data.get("sections")
    if entries is not None:
        if depth >= MAX_DEPTH:
            raise DraftError(f"{where}: sections nest at most {MAX_DEPTH} levels deep")
        if not isinstance(entries, list) or not entries:
            raise DraftError(f"{where}: 'sections'/'areas' must be a non-empty list")
        children = tuple(_section(entry, f"{where} › {i + 1}", areas, depth + 1, covers_allowed=has_areas)
                         for i, entry in enumerate(entries))
    return SectionSpec(title=title.strip(), points=points, numbered=bool(data.get("numbered", True)),
                       signature=bool(data.get("signature", False)), match=match,
                       must=_strings(data.get("must"), where, "must") or tuple(dict.fromkeys(
                           word for area in covered for word in (*area.headings, *area.keywords))),
                       query=query, examples=examples,
                       covers=covers, children=children, has_areas=has_areas,
                       table=_table(data.get("table"), where))


def _area(data, where: str) -> Area:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise DraftError(f"{where}: an area needs a 'name'")
    where = f"{where} ({data['name']})"
    points = _strings(data.get("points"), where, "points")
    for point in points:
        _check_text(point, where)
    return Area(data["name"], _strings(data.get("aliases"), where, "aliases"), _strings(data.get("codes"), where, "codes"),
                bool(data.get("default", False)), _strings(data.get("keywords"), where, "keywords"),
                _strings(data.get("headings"), where, "headings") or (data["name"],), points)


def _read_yaml(name: str):
    path = resources.files("assistant").joinpath("drafting", "templates", name)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DraftError(f"templates/{name}: not valid YAML ({str(exc).splitlines()[0]})") from exc


def parse_template(data, file: str, areas: dict[str, Area]) -> Template:
    where = f"templates/{file}"
    if not isinstance(data, dict):
        raise DraftError(f"{where}: a template must be a mapping")
    unknown = set(data) - _TEMPLATE_KEYS
    if unknown:
        raise DraftError(f"{where}: unknown keys {sorted(unknown)}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise DraftError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    for key in ("name", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise DraftError(f"{where}: '{key}' is required")
    follows = data.get("follows") or []
    if not follows or not all(isinstance(f, dict) and {"source", "title", "used_for"} <= set(f) for f in follows):
        raise DraftError(f"{where}: 'follows' must list the documents the template follows (source, title, used_for)")
    kinds = _strings(data.get("kinds"), where, "kinds") or (kind,)
    if any(k not in KINDS for k in kinds):
        raise DraftError(f"{where}: 'kinds' must be document kinds ({', '.join(KINDS)})")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise DraftError(f"{where}: 'sections' must be a non-empty list")
    specs = tuple(_section(s, f"{where} › section {i + 1}", areas, 1) for i, s in enumerate(sections))
    _check_text(data["title"], where)
    return Template(kind, data["name"].strip(), _strings(data.get("aliases"), where, "aliases"), data["title"].strip(),
                    str(data.get("about") or "").strip(), tuple(dict(f) for f in follows), kinds, specs, file)


@lru_cache(maxsize=1)
def load_areas() -> dict[str, Area]:
    data = _read_yaml("areas.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
        raise DraftError("templates/areas.yaml: expected a list under 'areas'")
    areas = [_area(entry, f"templates/areas.yaml › {i + 1}") for i, entry in enumerate(data["areas"])]
    return {area.name: area for area in areas}


@lru_cache(maxsize=1)
def load_templates() -> dict[str, Template]:
    """Every template, by kind; aliases must not collide."""
    areas = load_areas()
    folder = resources.files("assistant").joinpath("drafting", "templates")
    templates: dict[str, Template] = {}
    seen: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml") or entry.name == "areas.yaml":
            continue
        template = parse_template(_read_yaml(entry.name), entry.name, areas)
        if template.kind in templates:
            raise DraftError(f"templates/{entry.name}: a second template for kind {template.kind!r}")
        for alias in (template.kind, template.name, *template.aliases):
            key = _norm(alias)
            if seen.get(key, template.kind) != template.kind:
                raise DraftError(f"templates/{entry.name}: alias {alias!r} is also used by {seen[key]!r}")
            seen[key] = template.kind
        templates[template.kind] = template
    return dict(sorted(templates.items(), key=lambda item: KINDS.index(item[0])))


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def kinds_help() -> str:
    return ", ".join(t.label() for t in load_templates().values())


def resolve_kind(text: str) -> Template:
    """'summary', '工作总结', '总结', 'Summary', 'inspection_prep' … → the template; else a one-line error."""
    key = _norm(text or "")
    for template in load_templates().values():
        if key in {_norm(a) for a in (template.kind, template.name, *template.aliases)}:
            return template
    raise DraftError(f"unknown kind {text!r}; valid kinds: {kinds_help()}")


def areas_help() -> str:
    return ", ".join(f"{a.name} ({a.aliases[0]})" if a.aliases else a.name for a in load_areas().values())


def resolve_focus(items: list[str] | None) -> list[str]:
    """--focus values (names, English or other aliases, indicator codes A1–A4; repeated or comma
    separated) → area names in the order given."""
    areas = load_areas()
    lookup: dict[str, list[str]] = {}
    for area in areas.values():
        for key in (area.name, *area.aliases, *area.codes):
            lookup.setdefault(_norm(key), []).append(area.name)
    out: list[str] = []
    for item in items or []:
        for part in _SPLIT_FOCUS.split(item):
            if not part.strip():
                continue
            names = lookup.get(_norm(part))
            if not names and len(part.strip()) >= 2:  # "师资" → 师资队伍, when only one area holds it
                holders = {name for key, found in lookup.items() if _norm(part) in key for name in found}
                names = sorted(holders) if len(holders) == 1 else None
            if not names:
                close = difflib.get_close_matches(_norm(part), list(lookup), n=1, cutoff=0.5)
                hint = f" (did you mean {lookup[close[0]][0]}?)" if close else ""
                raise DraftError(f"unknown focus area {part.strip()!r}{hint}; areas: {areas_help()}")
            out.extend(name for name in names if name not in out)
    return out


@dataclass
class Selected:
    """A template section as it appears in one outline (after --focus)."""

    spec: SectionSpec
    children: list["Selected"] = field(default_factory=list)
    focused: bool = False


def select_sections(specs: tuple[SectionSpec, ...], focus: list[str]) -> list[Selected]:
    """Apply --focus: in a section with an `areas` list, keep the entries that cover a focus area
    (and those that stand for no area, such as 宣传报道组), then add a section, from areas.yaml, for
    each focus area the template does not list. Without focus, everything is kept."""
    areas = load_areas()
    out: list[Selected] = []
    for spec in specs:
        if not spec.has_areas:
            out.append(Selected(spec, select_sections(spec.children, focus)))
            continue
        if not focus:
            out.append(Selected(spec, [Selected(child) for child in spec.children]))
            continue
        kept: list[Selected] = []
        covered: set[str] = set()
        last_area = -1
        for child in spec.children:
            if not child.covers:
                kept.append(Selected(child))
            elif set(child.covers) & set(focus):
                kept.append(Selected(child, focused=True))
                covered.update(child.covers)
                last_area = len(kept) - 1
            elif last_area < 0:
                last_area = len(kept) - 1
        extra = [Selected(_section({"area": name}, "areas.yaml", areas, 2, covers_allowed=True), focused=True)
                 for name in focus if name not in covered]
        position = last_area + 1
        out.append(Selected(spec, kept[:position] + extra + kept[position:]))
    return out
