"""The design studio's logic, without widgets: drafts, the strand mix, choices, validation and the preview.

A :class:`Draft` is a programme being edited: the fields of its YAML file as
plain data (what :mod:`kebao.yamlio` reads), plus the data it had when opened,
so that saving touches only the keys that changed. Every edit returns a new
draft. :func:`check` turns a draft into a :class:`Preview`: the same problems
``kebao validate`` reports (pydantic errors and the catalogue's cross-checks),
then, when there are none, the plan and the timetable, or the PlanError with
its hint. Nothing here raises for bad input: problems are values.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalog import Catalog
from ..compose import Plan, compose
from ..crosscheck import check_programme
from ..errors import KebaoError, Location, Problem
from ..messages import Message, say
from ..model import SCHEMA_VERSION, Programme, id_rule, slug_advice
from ..schedule import schedule
from ..timetable import Timetable
from ..validation import problems_from_validation
from ..yamlio import Document, PathKey, read_yaml

# The fields of a programme file in the order docs/content.md lists them; new keys are put in this order.
FIELD_ORDER: tuple[str, ...] = ("schema", *(info.alias or name for name, info in Programme.model_fields.items()
                                            if name not in ("id", "schema_")))
# A programme's own fields, which a new programme does not take over from its template (see new_draft).
OWN_FIELDS = frozenset({"id", "schema", "title", "partner", "summary", "outcomes", "assessment"})
# Every other field (audience, days, mix, cohort…) comes from the template, a field added to Programme too.
TEMPLATE_FIELDS: tuple[str, ...] = tuple(key for key in FIELD_ORDER if key not in OWN_FIELDS)
DEFAULT_START = dt.date(2026, 12, 7)  # chinesecalendar covers 2004–2026; a Monday
REMOVE = object()  # with_value(path, REMOVE) deletes the key

# Chinese names of the fields the studio shows, for problem messages (longest prefix wins).
FIELD_LABELS: dict[str, str] = {
    "id": "项目编号", "title": "项目名称", "title.zh": "中文名称", "title.en": "英文名称",
    "partner": "合作单位", "partner.zh": "合作单位（中文）", "partner.en": "合作单位（英文）",
    "audience": "培训对象", "days": "天数", "total_hours": "总学时", "mix": "主题配比",
    "required": "必修模块", "pools": "选修来源", "site_visits": "现场教学", "cohort": "默认班次",
    "cohort.start": "开班日期", "cohort.id": "班次编号", "cohort.size": "人数", "cohort.venue": "培训地点",
    "outcomes": "学习成果", "minutes_per_hour": "每学时分钟数", "hours_per_credit": "学分折算",
    "phases": "培训阶段", "venues": "地点", "splits": "分组", "repeat": "重复讲授",
}


def programme_file(root: Path, programme_id: str) -> Path:
    return Path(root) / "curricula" / "programmes" / f"{programme_id}.yml"


def canonical(value: Any) -> Any:
    """``value`` in a form that compares equal however it was read or typed (30, 30.0, "30"; dates as text)."""
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return format(value, "g") if math.isfinite(value) else str(value)
    return str(value)


@dataclass(frozen=True)
class Draft:
    """A programme being edited: its file's fields as plain data, and what they were when opened."""

    id: str
    data: Mapping[str, Any]  # the file's fields (no id), as read by kebao.yamlio or set by the studio
    file: Path
    original: Mapping[str, Any] | None = None  # None: a new programme with no file yet
    positions: Mapping[PathKey, tuple[int, int]] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return self.original is None

    def get(self, *path: str | int, default: Any = None) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return default
        return node

    def with_value(self, path: Sequence[str], value: Any) -> Draft:
        """A copy with the value at ``path`` (mapping keys) set, or deleted when ``value`` is REMOVE."""
        data = copy.deepcopy(dict(self.data))
        node = data
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                _put(node, part, child, FIELD_ORDER if node is data else ())
            node = child
        last = path[-1]
        if value is REMOVE:
            node.pop(last, None)
        else:
            _put(node, last, value, FIELD_ORDER if node is data else ())
        return replace(self, data=data)

    def changed_keys(self) -> list[str]:
        """Top-level keys whose value differs from the file's (every key for a new programme)."""
        if self.original is None:
            return list(self.data)
        keys = list(dict.fromkeys([*self.original, *self.data]))
        return [k for k in keys if canonical(self.original.get(k)) != canonical(self.data.get(k))
                or (k in self.original) != (k in self.data)]

    @property
    def dirty(self) -> bool:
        return self.is_new or bool(self.changed_keys())


def whole(value: Any) -> int:
    """A field's value as a whole number (40, 40.0, "40" -> 40); 0 when it is not a number."""
    try:
        return int(float(str(value)))
    except (ValueError, OverflowError):
        return 0


def date_of(value: Any) -> dt.date | None:
    """A field's value as a date (a date, or text written as YYYY-MM-DD); None otherwise."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def number_of(text: str) -> int | float | str:
    """Typed text as a number: 40 -> 40, 40.5 -> 40.5; anything else stays text, so validation names it."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _put(mapping: dict[str, Any], key: str, value: Any, order: Sequence[str]) -> None:
    """Set ``mapping[key]``; a new key goes after the keys that precede it in ``order``."""
    if key in mapping or key not in order:
        mapping[key] = value
        return
    rank = order.index(key)
    items = list(mapping.items())
    position = len(items)
    for index, (existing, _) in enumerate(items):
        if existing in order and order.index(existing) > rank:
            position = index
            break
    items.insert(position, (key, value))
    mapping.clear()
    mapping.update(items)


def open_draft(catalog: Catalog, programme_id: str) -> Draft:
    """The draft of an existing programme, read from its file (KebaoError if it cannot be read)."""
    programme = catalog.programme(programme_id)
    file = catalog.locate(programme).file
    doc = read_yaml(file)
    data = {k: v for k, v in doc.data.items() if k != "id"}
    return Draft(programme_id, data, file, copy.deepcopy(data), dict(doc.positions))


def new_draft(catalog: Catalog, programme_id: str, title_zh: str, title_en: str = "",
              template: Draft | None = None) -> Draft:
    """A new programme: the template's settings (every field but OWN_FIELDS) or a blank start.

    The partner is left empty for the designer to fill in; outcomes, summary and
    assessment are the new programme's own and start empty.
    """
    data: dict[str, Any] = {"schema": SCHEMA_VERSION, "title": {"zh": title_zh.strip(), "en": title_en.strip()},
                            "partner": {"zh": "", "en": ""}}
    if template is not None:
        data.update({k: copy.deepcopy(template.data[k]) for k in TEMPLATE_FIELDS if k in template.data})
    else:
        audience = sorted(catalog.audiences)[0] if catalog.audiences else ""
        strand = next(iter(catalog.strands), "")
        data.update({"audience": audience, "days": 5, "mix": {strand: 100} if strand else {},
                     "pools": [{"strands": [strand]}] if strand else [],
                     "cohort": {"id": "pilot", "start": DEFAULT_START, "size": 30, "venue": "待定"}})
    ordered = {k: data[k] for k in FIELD_ORDER if k in data}
    return Draft(programme_id.strip(), ordered, programme_file(catalog.root, programme_id.strip()))


# -- the strand mix ---------------------------------------------------------


def weights(draft: Draft) -> dict[str, int]:
    """The draft's mix as whole percentages (unreadable weights count as 0)."""
    mix = draft.get("mix")
    result: dict[str, int] = {}
    if isinstance(mix, Mapping):
        for strand, weight in mix.items():
            try:
                result[str(strand)] = round(float(weight))
            except (TypeError, ValueError):
                result[str(strand)] = 0
    return result


def rebalance(mix: Mapping[str, int], strand: str, value: int) -> dict[str, int]:
    """``mix`` with ``strand`` set to ``value``% and the others scaled to keep the sum at 100.

    The others keep their proportions (equal shares when they are all 0), rounded
    to whole percentages by the largest remainder, ties in the mix's order. A
    strand alone in the mix stays at 100.
    """
    others = [s for s in mix if s != strand]
    if not others:
        return {strand: 100}
    value = max(0, min(100, int(value)))
    rest = 100 - value
    base = [max(0, mix[s]) for s in others]
    total = sum(base)
    shares = [rest * b / total for b in base] if total else [rest / len(others)] * len(others)
    floors = [math.floor(s) for s in shares]
    left = rest - sum(floors)
    by_remainder = sorted(range(len(others)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    result = dict(zip(others, floors, strict=True))
    result[strand] = value
    return {s: result[s] for s in [*mix, *([strand] if strand not in mix else [])]}


def with_weights(draft: Draft, mix: Mapping[str, int]) -> Draft:
    """The draft with this mix; strands at 0% are left out of the file."""
    kept = {s: int(w) for s, w in mix.items() if w > 0}
    if canonical(kept) == canonical(draft.get("mix")):
        return draft
    return draft.with_value(("mix",), kept)


def ordered_selection(before: Sequence[str], selected: Iterable[str]) -> list[str]:
    """The ``selected`` ids, keeping the order they had in ``before``; new ones at the end."""
    chosen = list(dict.fromkeys(selected))
    return [m for m in before if m in chosen] + [m for m in chosen if m not in before]


def with_list(draft: Draft, path: Sequence[str], selected: Iterable[str]) -> Draft:
    """The draft with the id list at ``path`` set to ``selected`` (order kept; an empty list removed)."""
    before = draft.get(*path, default=[])
    values = ordered_selection(before if isinstance(before, list) else [], selected)
    if canonical(values) == canonical(before):
        return draft
    return draft.with_value(path, values if values else REMOVE)


def with_pool(draft: Draft, index: int, strands: Iterable[str], modules: Iterable[str],
              formats: Iterable[str]) -> Draft:
    """The draft with pool ``index`` set; empty lists are left out, key order kept."""
    pools = copy.deepcopy(draft.get("pools", default=[]))
    if not isinstance(pools, list):
        pools = []
    entry = pools[index] if 0 <= index < len(pools) and isinstance(pools[index], dict) else {}
    new: dict[str, Any] = {}
    wanted = {"strands": list(strands), "modules": list(modules), "formats": list(formats)}
    for key in [*entry, *wanted]:
        if key in new:
            continue
        if key in wanted:
            before = entry.get(key)
            values = ordered_selection(before if isinstance(before, list) else [], wanted[key])
            if values:
                new[key] = values
        else:
            new[key] = entry[key]
    if 0 <= index < len(pools):
        pools[index] = new
    else:
        pools.append(new)
    if canonical(pools) == canonical(draft.get("pools")):
        return draft
    return draft.with_value(("pools",), pools)


def without_pool(draft: Draft, index: int) -> Draft:
    pools = copy.deepcopy(draft.get("pools", default=[]))
    if not isinstance(pools, list) or not 0 <= index < len(pools):
        return draft
    del pools[index]
    return draft.with_value(("pools",), pools if pools else REMOVE)


# -- validation and the preview --------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A change that makes a draft plan, said for the studio, and the draft with it (one click applies it)."""

    change: Message
    draft: Draft


@dataclass(frozen=True)
class Preview:
    """What the studio shows for a draft: problems, or the plan and timetable (or why there is none).

    A draft that cannot be planned keeps ``plan_error`` and may still have a plan and timetable: the
    nearest workable one (``nearest`` says which), with ``suggestions`` that would make it plan.
    """

    problems: tuple[Problem, ...] = ()
    programme: Programme | None = None
    catalog: Catalog | None = None  # the catalogue with the draft in it
    plan: Plan | None = None
    timetable: Timetable | None = None
    plan_error: KebaoError | None = None
    nearest: Message | None = None
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def valid(self) -> bool:
        """What ``kebao validate`` would accept (the plan may still fail)."""
        return not self.problems and self.programme is not None

    @property
    def ok(self) -> bool:
        return self.valid and self.plan_error is None and self.timetable is not None


def validate(catalog: Catalog, draft: Draft) -> tuple[Programme | None, Catalog, list[Problem]]:
    """The draft as a Programme and the catalogue holding it, or the problems ``kebao validate`` would list."""
    problems: list[Problem] = []
    doc = Document(draft.file, dict(draft.data, id=draft.id), dict(draft.positions))
    why = id_rule(draft.id)
    if why:
        problems.append(Problem.from_message(Location(draft.file), "id", say("problem-bad-id", value=draft.id, why=why),
                                             slug_advice(draft.id)))
    elif draft.is_new and draft.id in catalog.programmes:
        problems.append(Problem.from_message(Location(draft.file), "id",
                                             say("problem-programme-exists", programme=draft.id),
                                             say("advice-other-id")))
    if problems:
        return None, catalog, problems
    try:
        programme = Programme.model_validate(doc.data)
    except ValidationError as error:
        return None, catalog, problems_from_validation(error, Programme, doc.data, doc)
    candidate = catalog.with_programme(programme, doc)
    programme = candidate.programmes[programme.id]  # the copy located in the draft's file
    # The same cross-checks as load_catalog (references, site visits, audiences of required modules).
    problems += check_programme(candidate, programme)
    return (None if problems else programme), candidate, sorted(problems)


def check(catalog: Catalog, draft: Draft) -> Preview:
    """Validate the draft, then compose and schedule it for its default cohort."""
    programme, candidate, problems = validate(catalog, draft)
    if programme is None:
        return Preview(tuple(problems), catalog=candidate)
    try:
        plan = compose(candidate, programme)
        timetable = schedule(candidate, plan)
    except KebaoError as error:
        return Preview((), programme, candidate, plan_error=error)
    return Preview((), programme, candidate, plan, timetable)


def field_label(field_path: str) -> str:
    """'天数 days', '选修来源 pools[0].strands': the field's Chinese name (or its nearest parent's) and its path."""
    key = field_path
    while key:
        plain = "".join(part for part in key.replace("]", "[").split("[") if not part.isdigit())
        plain = plain.replace("..", ".").strip(".")
        if plain in FIELD_LABELS:
            return f"{FIELD_LABELS[plain]} {field_path}"
        key = key.rpartition(".")[0] if "." in key else ""
    return field_path
