"""Small catalogues for tests: written as files into tmp_path, or built in memory, plus hypothesis strategies.

A :class:`Spec` holds plain dicts shaped like the YAML files. ``write(root, spec)``
writes a curriculum repository that ``load_catalog`` reads; ``build(spec)``
validates the same dicts into a :class:`Catalog` without touching the disk
(fast enough for property tests). ``teaching_days`` restates the calendar rule
straight from chinese_calendar, independently of kebao, for the tests to check
against.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
from hypothesis import assume
from hypothesis import strategies as st

from kebao.catalog import Catalog
from kebao.model import Audience, Module, Programme, Strand

STRANDS: dict[str, tuple[str, str, str]] = {
    "party-building": ("党建", "Party building", "#7F1D1D"),
    "industry": ("产业", "Industry", "#B45309"),
    "skills": ("技能", "Skills", "#047857"),
    "leadership": ("领导力", "Leadership", "#1D4ED8"),
    "wellbeing": ("生活与健康", "Wellbeing", "#0E7490"),
}
MIX_STRANDS = ("party-building", "industry", "skills", "leadership")


@dataclass
class Spec:
    """A catalogue as plain data (one dict per strand, audience, module, programme)."""

    strands: list[dict[str, Any]] = field(default_factory=lambda: [strand(s) for s in STRANDS])
    audiences: list[dict[str, Any]] = field(default_factory=lambda: [audience("cadres"), audience("others")])
    modules: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)


def strand(strand_id: str) -> dict[str, Any]:
    zh, en, colour = STRANDS[strand_id]
    return {"id": strand_id, "name": {"zh": zh, "en": en}, "colour": colour}


def audience(audience_id: str, *, day: float = 8, session: float = 4, evenings: bool = False,
             weekends: bool = False) -> dict[str, Any]:
    return {"id": audience_id, "name": {"zh": f"学员{audience_id}", "en": audience_id.title()},
            "max_hours_per_day": day, "max_hours_per_session": session, "evenings": evenings,
            "weekends": weekends}


def module(module_id: str, strand_id: str, hours: float = 4, *, format: str = "lecture",
           audiences: Sequence[str] = (), prerequisites: Sequence[str] = (), elective: bool = False,
           duration: str | None = None, evening: bool = False, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": module_id, "title": {"zh": f"模块{module_id}", "en": module_id.title()}, "strand": strand_id,
        "format": "site-visit" if duration else format, "hours": hours, "audiences": list(audiences),
        "outcomes": [f"能够说明{module_id}的要点"], "prerequisites": list(prerequisites), "assessment": "课堂练习",
    }
    if elective:
        data["elective"] = True
    if duration:
        data["site"] = {"location": {"zh": "现场", "en": "On site"}, "duration": duration}
    if evening:
        data.update(evening=True, schema=2)
    return {**data, **fields}


def programme(programme_id: str, *, mix: dict[str, float], audience: str = "cadres", days: int = 5,
              start: str = "2026-09-14", total_hours: float | None = None, required: Sequence[str] = (),
              pools: Sequence[dict[str, Any]] | None = None, site_visits: Sequence[dict[str, Any]] = (),
              arrival: bool = False, departure: bool = False, cohort: dict[str, Any] | None = None,
              **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": programme_id, "title": {"zh": f"培训班{programme_id}", "en": programme_id.title()},
        "language": "en",  # plans and their errors said in English, as the assertions read (zh: test_messages)
        "partner": {"zh": "合作单位", "en": "Partner"}, "audience": audience, "days": days, "mix": mix,
        "required": list(required), "pools": list(pools if pools is not None else [{"strands": list(mix)}]),
        "site_visits": list(site_visits), "travel": {"arrival": arrival, "departure": departure},
        "cohort": {"id": "test-cohort", "start": start, "size": 30, "venue": "培训中心", **(cohort or {})},
        **fields,
    }
    if total_hours is not None:
        data["total_hours"] = total_hours
    return data


def build(spec: Spec, root: Path = Path("in-memory")) -> Catalog:
    """The spec validated into a Catalog, without files (no cross-checks: keep specs consistent)."""
    def strip(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k != "body"}

    return Catalog(
        root,
        {s["id"]: Strand.model_validate(s) for s in spec.strands},
        {a["id"]: Audience.model_validate(a) for a in spec.audiences},
        {m["id"]: Module.model_validate(strip(m)) for m in spec.modules},
        {},
        {p["id"]: Programme.model_validate(p) for p in spec.programmes},
    )


def write(root: Path, spec: Spec) -> Path:
    """Write the spec as a curriculum repository under ``root``; returns ``root``."""
    curricula = root / "curricula"
    (curricula / "modules").mkdir(parents=True, exist_ok=True)
    (curricula / "programmes").mkdir(parents=True, exist_ok=True)
    (root / "cases").mkdir(exist_ok=True)
    _write_yaml(curricula / "strands.yml", {"schema": 1, "strands": spec.strands})
    _write_yaml(curricula / "audiences.yml", {"schema": 1, "audiences": spec.audiences})
    for data in spec.modules:
        fields = {k: v for k, v in data.items() if k != "id"}
        text = "---\n" + _yaml(fields) + "---\n" + f"# {data['title']['zh']}\n\n教学流程。\n"
        (curricula / "modules" / f"{data['id']}.md").write_text(text, encoding="utf-8")
    for data in spec.programmes:
        _write_yaml(curricula / "programmes" / f"{data['id']}.yml", {k: v for k, v in data.items() if k != "id"})
    return root


def _yaml(data: dict[str, Any]) -> str:
    """Block mapping of JSON flow values: valid YAML that the strict reader accepts."""
    return "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in data.items())


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(_yaml(data), encoding="utf-8")


# -- the calendar rule, restated from chinese_calendar for checking ------------------------------


def is_statutory_holiday(date: dt.date) -> bool:
    off, name = chinese_calendar.get_holiday_detail(date)
    return bool(off) and name is not None


def teaching_days(start: dt.date, days: int, arrival: bool, departure: bool, weekends: bool) -> list[dt.date]:
    result = []
    for number in range(days):
        date = start + dt.timedelta(days=number)
        if (arrival and number == 0) or (departure and number == days - 1) or is_statutory_holiday(date):
            continue
        if not weekends and not chinese_calendar.is_workday(date):
            continue
        result.append(date)
    return result


# -- hypothesis strategies -------------------------------------------------------------------------

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2026, 10, 31)
# Around 国庆 (Oct 1-7) and 春节 in each covered year, and the 调休 weekends next to them.
HOLIDAY_STARTS = [dt.date(year, 9, 26) + dt.timedelta(days=n) for year in (2024, 2025, 2026) for n in range(14)] + [
    base + dt.timedelta(days=n) for base in (dt.date(2024, 2, 4), dt.date(2025, 1, 22), dt.date(2026, 2, 9))
    for n in range(16)]


def start_dates() -> st.SearchStrategy[dt.date]:
    return st.one_of(st.sampled_from(HOLIDAY_STARTS), st.dates(FIRST, LAST))


def _weights(draw: st.DrawFn, strands: Sequence[str]) -> dict[str, float]:
    """Weights in steps of 5 that add up to 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 20), min_size=len(strands) - 1, max_size=len(strands) - 1)))
    edges = [0, *cuts, 20]
    return {s: float((edges[i + 1] - edges[i]) * 5) for i, s in enumerate(strands)}


def _closure(modules: dict[str, dict[str, Any]], ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    stack = list(ids)
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(modules[current]["prerequisites"])
    return found


def _each_in_its_own_session(modules: dict[str, dict[str, Any]], fixed: set[str], teaching: list[Any],
                             visits: list[dict[str, Any]], day: float, session: float) -> bool:
    """Whether the fixed modules surely fit whole: each fits a session, and there are sessions enough for
    each to have one to itself (a day holds ``day // session`` full sessions; the visit's day none).

    A sum of hours alone is not enough: 3 + 3 + 3 + 3 学时 do not fit whole into three 4-学时 sessions.
    """
    taught = [m for m in fixed if m != "visit"]
    sessions = (len(teaching) - (1 if visits else 0)) * int(day // session)
    return all(modules[m]["hours"] <= session for m in taught) and len(taught) <= sessions


@st.composite
def specs(draw: st.DrawFn, feasible: bool = True) -> Spec:
    """A catalogue with one programme 'p' (audience 'cadres').

    ``feasible``: total_hours fits the teaching days (computed here from chinese_calendar)
    and every strand has the modules its target needs, so composing must succeed.
    Otherwise anything goes, and a PlanError is a possible answer.
    """
    chosen = draw(st.sets(st.sampled_from(MIX_STRANDS), min_size=1))
    names = [s for s in MIX_STRANDS if s in chosen]
    session = draw(st.sampled_from([2.0, 3.0, 4.0]))
    day = draw(st.sampled_from([session, session + 1, 2 * session] if feasible else [session, 6.0, 8.0, 10.0]))
    day = max(day, session)
    evenings, weekends = draw(st.booleans()), draw(st.booleans())
    start = draw(start_dates())
    days = draw(st.integers(2 if feasible else 1, 12))
    arrival, departure = draw(st.booleans()), draw(st.booleans())
    teaching = teaching_days(start, days, arrival, departure, weekends)
    if feasible:
        assume(teaching)
    mix = _weights(draw, names)
    modules: dict[str, dict[str, Any]] = {}
    visits: list[dict[str, Any]] = []
    visit_hours = 0.0
    if draw(st.booleans()) and (teaching or not feasible):
        whole = draw(st.booleans())
        top = min(day, 2 * session) if whole else session
        visit_hours = draw(st.sampled_from([h / 2 for h in range(1, int(top * 2) + 1)])) if feasible \
            else draw(st.sampled_from([2.0, 4.0, 8.0]))
        where = draw(st.sampled_from(["first", "last", *range(1, max(len(teaching), 1) + 1)]))
        modules["visit"] = module("visit", names[0], visit_hours, duration="whole-day" if whole else "half-day")
        visits.append({"module": "visit", "day": where})
    bound = (len(teaching) - (1 if visits else 0)) * day + visit_hours
    total: float | None
    if feasible:
        total = draw(st.integers(max(1, int(visit_hours * 2)), max(1, int(bound * 2)))) / 2
        assume(total > 0)
    else:
        total = draw(st.none() | st.sampled_from([4.0, 12.0, 24.0, 40.0, 80.0]))
    targets = {s: (total or bound) * w / 100 for s, w in mix.items()}
    count = 0
    for s in names:
        supply = 0.0
        hours_list = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0, 6.0]), max_size=4))
        while feasible and supply + sum(hours_list) < targets[s]:
            hours_list.append(4.0)
        for hours in hours_list:
            count += 1
            earlier = [m for m in modules if m != "visit" and not modules[m]["audiences"]]
            prerequisites = draw(st.lists(st.sampled_from(earlier), max_size=1)) if earlier else []
            kind = draw(st.sampled_from(["lecture", "lecture", "lecture", "assessment"]))  # closing modules too
            modules[f"m{count}"] = module(f"m{count}", s, hours, prerequisites=prerequisites, format=kind)
            supply += hours
        if draw(st.booleans()):  # never eligible: another audience's, or elective
            count += 1
            restricted = draw(st.booleans())
            modules[f"m{count}"] = module(f"m{count}", s, 2, audiences=["others"] if restricted else [],
                                          elective=not restricted)
    required: list[str] = []
    if draw(st.booleans()) and (not feasible or (total or 0) >= visit_hours + 1):
        modules["outside"] = module("outside", "wellbeing", 1)  # a strand outside the mix: target 0
        required.append("outside")
    numbered = sorted(m for m in modules if m.startswith("m"))
    for candidate in draw(st.lists(st.sampled_from(numbered), max_size=2, unique=True)) if numbered else []:
        if modules[candidate].get("elective") or modules[candidate]["audiences"]:
            continue
        fixed = _closure(modules, [*required, candidate, *(v["module"] for v in visits)])
        if not feasible or (sum(modules[m]["hours"] for m in fixed) <= (total or 0)
                            and _each_in_its_own_session(modules, fixed, teaching, visits, day, session)):
            required.append(candidate)
    if feasible:
        fixed_hours = sum(modules[m]["hours"] for m in _closure(modules, [*required, "visit"] if visits
                                                               else required))
        assume(fixed_hours <= (total or 0))
    spec = Spec(audiences=[audience("cadres", day=day, session=session, evenings=evenings, weekends=weekends),
                           audience("others")])
    spec.modules = list(modules.values())
    spec.programmes = [programme(
        "p", mix=mix, days=days, start=start.isoformat(), total_hours=total, required=required,
        site_visits=visits, arrival=arrival, departure=departure,
        minutes_per_hour=draw(st.sampled_from([40, 45, 50, 60])),
        timezone=draw(st.sampled_from(["Asia/Shanghai", "Asia/Urumqi"])))]
    return spec
