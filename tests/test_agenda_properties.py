"""Property tests of the agenda model: generated programmes with phases, venues, groups, pins and repeats.

Each generated programme either plans into a timetable that keeps every rule below, or is refused with a
located content problem or a PlanError (never another exception):

* no learner is in two places at once (a group's sessions beside the whole cohort's never overlap);
* every group of a split has the same 学时;
* pinned modules are where they are pinned (teaching day and session);
* a phase's sessions fall within its dates, and a module a phase lists is taught in it;
* no session on a statutory holiday, a weekend the audience does not teach, or a day its venue is closed;
* the timetable's 学时 are the plan's, and a repeated module is taught as many times as ``repeat`` says.

The calendar is restated from chinese_calendar (tests/catalog_factory.py), independently of kebao.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.model import WEEKDAYS
from kebao.schedule import schedule
from kebao.timetable import Session, Timetable

from . import catalog_factory as cf

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.filter_too_much])
STRANDS = ("skills", "industry")


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


@st.composite
def programmes(draw: st.DrawFn) -> cf.Spec:  # noqa: C901 - one generated programme, field by field
    """A schema-2 fixed agenda: modules in phases (some listing none), maybe a split, pins and a repeat."""
    count = draw(st.integers(2, 7))
    modules = [cf.module(f"m{n}", draw(st.sampled_from(STRANDS)), draw(st.sampled_from([1, 2, 3, 4])))
               for n in range(count)]
    ids = [m["id"] for m in modules]
    fields: dict[str, Any] = {}
    venues = [{"id": f"v{n}", "name": {"zh": f"地点{n}", "en": f"Venue {n}"},
               "closed": draw(st.lists(st.sampled_from(WEEKDAYS[:5]), max_size=2, unique=True))}
              for n in range(draw(st.integers(0, 2)))]
    phase_count = draw(st.integers(0, 3))
    phases: list[dict[str, Any]] = []
    listed: set[str] = set()
    for n in range(phase_count):
        mode = draw(st.sampled_from(["face-to-face", "face-to-face", "live-online", "at-work"]))
        phase: dict[str, Any] = {"id": f"p{n}", "title": {"zh": f"阶段{n}", "en": f"Phase {n}"},
                                 "days": draw(st.integers(1, 6)), "gap": draw(st.integers(0, 3)), "mode": mode}
        if venues and draw(st.booleans()):
            phase["venue"] = draw(st.sampled_from([v["id"] for v in venues]))
        if mode != "at-work" and n > 0 and draw(st.booleans()):  # the first phase takes the rest
            mine = draw(st.lists(st.sampled_from([m for m in ids if m not in listed] or ["-"]), max_size=3,
                                 unique=True))
            phase["modules"] = [m for m in mine if m != "-"]
            listed.update(phase["modules"])
        phases.append(phase)
    if phases:
        fields["phases"] = phases
    grouped: set[str] = set()
    if draw(st.booleans()):  # a split: groups of equal 学时, each of modules no phase lists
        hours = draw(st.sampled_from([2, 3, 4]))
        groups = []
        for n in range(draw(st.integers(2, 3))):
            parts = draw(st.sampled_from([[hours], [1, hours - 1]]))
            mine = []
            for k, part in enumerate(parts):
                module_id = f"g{n}x{k}"
                modules.append(cf.module(module_id, "skills", part))
                mine.append(module_id)
            groups.append({"id": f"g{n}", "title": {"zh": f"第{n}组", "en": f"Group {n}"}, "modules": mine,
                           **({"venue": venues[0]["id"]} if venues and draw(st.booleans()) else {})})
            grouped.update(mine)
        fields["splits"] = [{"id": "roles", "title": {"zh": "分组", "en": "Roles"}, "groups": groups}]
    required = [m for m in ids if m not in listed]
    if draw(st.booleans()) and required:
        pinned = draw(st.sampled_from(required))
        fields["placements"] = [{"module": pinned, "day": draw(st.integers(1, 4)),
                                 "slot": draw(st.sampled_from(["morning", "afternoon"]))}]
    free = [m for m in [*required, *listed] if m not in {p["module"] for p in fields.get("placements", [])}]
    if free and draw(st.booleans()):
        again = draw(st.sampled_from(free))
        in_phases = sum(1 for p in phases if again in p.get("modules", []))
        fields["repeat"] = {again: draw(st.integers(2, 3)) if in_phases < 2 else in_phases}
    if venues:
        fields["venues"] = venues
    weekends = draw(st.booleans())
    spec = cf.Spec(modules=modules, programmes=[cf.programme(
        "p", mix={}, schema=2, pools=[], required=required, start=draw(cf.start_dates()).isoformat(),
        days=draw(st.integers(2, 10)), weekends=weekends, **fields)])
    data = spec.programmes[0]
    del data["mix"]
    if phases:
        del data["days"]
    return spec


def _plan(spec: cf.Spec) -> Timetable | None:
    """The timetable, or None when kebao refuses the programme as it should (a located problem)."""
    try:
        catalog = cf.build(spec)
    except (ValidationError, ContentError) as error:
        why = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        event(f"refused: content ({why[:70]})")
        return None
    try:
        timetable = schedule(catalog, compose(catalog, catalog.programmes["p"]))
    except PlanError as error:
        event(f"refused: {error.why.code}")
        return None
    event("planned" + (" with phases" if timetable.phases else "") + (" and groups" if any(
        s.group for s in timetable.sessions) else ""))
    return timetable


def _overlap(sessions: list[Session]) -> bool:
    ordered = sorted(sessions, key=lambda s: (s.date, _minutes(s.start)))
    return any(a.date == b.date and _minutes(b.start) < _minutes(a.end)
               for a, b in zip(ordered, ordered[1:], strict=False))


@SETTINGS
@given(programmes())
def test_a_generated_agenda_keeps_every_rule_or_is_refused(spec: cf.Spec) -> None:
    timetable = _plan(spec)
    if timetable is None:
        return
    data = spec.programmes[0]
    programme_groups = [g for split in data.get("splits", []) for g in split["groups"]]
    paths = [None] if not programme_groups else [g["id"] for g in programme_groups]
    for group in paths:  # one learner's day: the whole cohort's sessions and their group's
        assert not _overlap([s for s in timetable.sessions if s.group in (None, group)]), group
    hours = {g["id"]: sum(s.hours for s in timetable.sessions if s.group == g["id"]) for g in programme_groups}
    assert len(set(hours.values())) <= 1, hours
    teaching = {d.teaching_number: d.date for d in timetable.days if d.kind == "teaching"}
    for placement in data.get("placements", []):
        sessions = [s for s in timetable.sessions if s.module == placement["module"]]
        assert sessions and {s.date for s in sessions} == {teaching[placement["day"]]}, placement
        assert {s.slot for s in sessions} == {placement["slot"]}, placement
    spans = {span.phase: span for span in timetable.phases}
    phase_modules: dict[str, set[str]] = {}
    for phase in data.get("phases", []):
        for module in phase.get("modules", []):
            phase_modules.setdefault(module, set()).add(phase["id"])
    for session in timetable.sessions:
        if spans:
            span = spans[session.phase or ""]
            assert span.first <= session.date <= span.last and span.teaches, session
        if session.module in phase_modules:
            assert session.phase in phase_modules[session.module], session
        off, _ = chinese_calendar.get_holiday_detail(session.date)
        assert not (off and cf.is_statutory_holiday(session.date)), session
        assert data["weekends"] or chinese_calendar.is_workday(session.date), session
        venue = next((v for v in data.get("venues", []) if v["id"] == session.venue), None)
        phase_venue = session.venue == next((p.get("venue") for p in data.get("phases", [])
                                             if p["id"] == session.phase), None)
        if venue is not None and phase_venue:
            assert WEEKDAYS[session.date.weekday()] not in venue["closed"], session
    assert abs(timetable.total_hours - timetable.plan.total_hours) < 1e-9
    for module, times in data.get("repeat", {}).items():
        taught = {s.occurrence for s in timetable.sessions if s.module == module}
        taught |= {1} if any(s.module == module for s in timetable.self_paced) else set()
        assert taught == set(range(1, times + 1)), (module, taught)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes(), st.dates(dt.date(2024, 1, 1), dt.date(2026, 10, 31)))
def test_the_same_programme_from_another_start_plans_or_is_refused_cleanly(spec: cf.Spec, start: dt.date) -> None:
    spec.programmes[0]["cohort"]["start"] = start.isoformat()
    _plan(spec)  # any exception but a located problem or a PlanError fails the test
