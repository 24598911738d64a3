"""Schedule: dated half-day sessions on real Chinese calendars, one test per rule, then properties."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from kebao import holidaydata
from kebao.calendar import holiday_detail, is_statutory_holiday, is_teaching_day
from kebao.catalog import Catalog, load_catalog
from kebao.compose import PlanItem, compose
from kebao.errors import PlanError
from kebao.messages import say
from kebao.model import Programme
from kebao.schedule import schedule
from kebao.timetable import Timetable

from . import catalog_factory as cf
from .paths import FIXTURES

D = dt.date.fromisoformat


def make(modules: list[dict[str, Any]], audience: dict[str, Any] | None = None,
         **programme: Any) -> tuple[Catalog, Timetable]:
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", **programme)])
    if audience is not None:
        spec.audiences = [cf.audience("cadres", **audience), cf.audience("others")]
    catalog = cf.build(spec)
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def rows(timetable: Timetable) -> list[tuple[str, str, str, str, str, float, int, int]]:
    return [(s.date.isoformat(), s.slot, s.start, s.end, s.module, s.hours, s.part, s.parts)
            for s in timetable.sessions]


def fours(strand: str, count: int, prefix: str = "") -> list[dict[str, Any]]:
    return [cf.module(f"{prefix or strand[:1]}{n}", strand, 4) for n in range(count)]


def test_fixture_programme_gets_a_tidy_timetable() -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    timetable = schedule(catalog, compose(catalog, catalog.programmes["nev-class"]))
    assert rows(timetable) == [
        ("2026-11-16", "morning", "08:30", "12:00", "hv-safety", 4, 1, 1),  # 4 × 45 min + 3 breaks of 10
        ("2026-11-16", "afternoon", "14:00", "17:30", "battery-practicum", 4, 1, 1),
        ("2026-11-17", "morning", "08:30", "12:00", "smartphone-tools", 4, 1, 1),
    ]


def test_statutory_holidays_are_skipped_and_working_weekends_teach() -> None:
    # 2025 国庆 + 中秋: 1-8 Oct off; Sunday 28 Sep and Saturday 11 Oct are working days (调休).
    _, timetable = make(fours("skills", 16), mix={"skills": 100}, start="2025-09-26", days=18)
    taught = sorted({s.date for s in timetable.sessions})
    assert taught == [D(x) for x in ("2025-09-26", "2025-09-28", "2025-09-29", "2025-09-30", "2025-10-09",
                                     "2025-10-10", "2025-10-11", "2025-10-13")]
    labels = {d.date.isoformat(): d.label for d in timetable.days}
    assert labels["2025-10-01"] == "国庆节" and labels["2025-10-06"] == "中秋节"
    assert labels["2025-09-27"] == "周末" and labels["2025-09-28"] == "调休（国庆节）"
    assert timetable.total_hours == 64


def test_intensive_courses_teach_through_weekends_but_not_holidays() -> None:
    _, timetable = make(fours("skills", 20), {"weekends": True}, mix={"skills": 100}, start="2025-09-26", days=18)
    taught = {s.date for s in timetable.sessions}
    assert {D("2025-09-27"), D("2025-10-12")} <= taught
    assert not taught & {D("2025-10-01") + dt.timedelta(days=n) for n in range(8)}
    assert len(taught) == 10


def test_spring_festival_and_its_working_saturday() -> None:
    _, timetable = make(fours("skills", 6), mix={"skills": 100}, start="2026-02-12", days=14, total_hours=24)
    assert sorted({s.date for s in timetable.sessions}) == [D("2026-02-12"), D("2026-02-13"), D("2026-02-14"),
                                                             D("2026-02-24"), D("2026-02-25")]


@pytest.mark.parametrize(("date", "weekends", "teaches"), [
    ("2025-10-01", True, False), ("2025-09-28", False, True), ("2025-09-27", False, False),
    ("2025-09-27", True, True), ("2026-02-14", False, True), ("2026-02-16", True, False),
])
def test_teaching_day_rule(date: str, weekends: bool, teaches: bool) -> None:
    assert is_teaching_day(D(date), weekends) is teaches
    assert is_statutory_holiday(D(date)) is (date in ("2025-10-01", "2026-02-16"))


def test_a_year_no_holiday_table_covers_is_a_clear_error() -> None:
    with pytest.raises(PlanError) as caught:  # the holidays package computes the statutory days up to 2100
        make(fours("skills", 2), mix={"skills": 100}, start="2100-12-28", days=7, total_hours=8)
    assert "no data for 2101" in str(caught.value) and "known up to 2100 only" in str(caught.value)
    assert "ends by 2100-12-31 (official data 2004–2026" in caught.value.hint
    with pytest.raises(PlanError) as caught:  # the past: the 2024 rule does not apply, nobody plans it
        make(fours("skills", 2), mix={"skills": 100}, start="2003-12-29", days=7, total_hours=8)
    assert "no data for 2003" in str(caught.value)
    assert "curricula/holidays.yml" in caught.value.hint and "from 2004-01-01 on" in caught.value.hint


# 2027 by the statutory rule (kebao.holidaydata): 除夕 Fri 5 Feb to 初三 Mon 8 Feb, the weekend days made up on
# Tue 9 and Wed 10 (补假); 劳动节 Sat 1 and Sun 2 May, made up on 3 and 4 May; 国庆节 Fri 1 to Sun 3 Oct, made
# up on 4 and 5 Oct; 元旦, 清明节 (5 Apr), 端午节 (9 Jun) and 中秋节 (15 Sep) one day each. No 调休.
STATUTORY_2027 = {
    "元旦": ["2027-01-01"],
    "春节": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10"],
    "清明节": ["2027-04-05"],
    "劳动节": ["2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04"],
    "端午节": ["2027-06-09"],
    "中秋节": ["2027-09-15"],
    "国庆节": ["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05"],
}


def test_a_year_past_the_official_data_has_the_statutory_days_off_and_is_provisional() -> None:
    year = [D("2027-01-01") + dt.timedelta(days=n) for n in range(365)]
    named: dict[str, list[str]] = defaultdict(list)
    for date in year:
        off, name = holiday_detail(date)
        assert off is (name is not None or date.weekday() >= 5), date  # no weekend is worked: 调休 is unknown
        if name is not None:
            named[name].append(date.isoformat())
    assert dict(named) == STATUTORY_2027
    assert holidaydata.source(2027).startswith("provisional: statutory holidays (holidays 0.")
    assert holidaydata.source(2026).startswith("chinesecalendar 1.")
    assert holidaydata.source(2100).startswith("provisional")


def test_the_statutory_rule_agrees_with_the_official_days_off_of_2025_and_2026() -> None:
    """Every day the rule gives off is off in chinesecalendar; what it lacks is the 调休 the notice adds."""
    import chinese_calendar

    statutory_days = holidaydata.statutory_days
    for year in (2025, 2026):
        rule = statutory_days(year)
        assert rule is not None
        assert {d for d in rule if not chinese_calendar.is_holiday(d)} == set()
    extra = sorted(d.isoformat() for d, name in chinese_calendar.constants.holidays.items()
                   if d.year == 2026 and d.weekday() < 5 and d not in (statutory_days(2026) or {}))
    assert extra == ["2026-01-02", "2026-02-20", "2026-02-23", "2026-05-05", "2026-10-06", "2026-10-07"]
    assert statutory_days(2024) is None and statutory_days(2101) is None


def test_a_cohort_past_the_official_data_plans_provisionally_and_only_its_later_days_are() -> None:
    _, timetable = make(fours("skills", 4), mix={"skills": 100}, start="2026-12-28", days=10, total_hours=16)
    assert timetable.provisional and timetable.plan.provisional
    assert [d.provisional for d in timetable.days] == [False] * 4 + [True] * 6
    assert holidaydata.provisional_years(timetable.days) == (2027,)
    assert [d.label for d in timetable.days[4:7]] == ["元旦", "周末", "周末"]
    assert timetable.to_json_dict()["provisional"] is True
    assert timetable.to_json_dict()["provisional_note"].startswith("Provisional: the official holiday arrangement")
    with pytest.raises(PlanError, match="2027 年的节假日安排尚未正式公布") as caught:
        holidaydata.require_official(timetable.days)
    with pytest.raises(PlanError, match="holiday arrangement for 2027 is not official yet"):
        holidaydata.require_official(timetable.days, language="en")
    assert "curricula/holidays.yml" in caught.value.hint
    assert "国务院办公厅关于2027年部分节假日安排的通知" in caught.value.hint
    _, official = make(fours("skills", 4), mix={"skills": 100}, start="2026-11-02", days=10, total_hours=16)
    assert not official.provisional and official.to_json_dict()["provisional"] is False
    assert official.to_json_dict()["provisional_note"] == ""
    holidaydata.require_official(official.days)


# Made-up 2027 arrangement for tests only (not the official one): 元旦 1–3 Jan, 春节 6–12 Feb, Sunday 14 Feb worked.
HOLIDAYS_2027 = """\
schema: 1
years:
  - year: 2027
    notice: 测试用的虚构安排
    holidays:
      - {name: 元旦, first: 2027-01-01, last: 2027-01-03}
      - {name: 春节, first: 2027-02-06, last: 2027-02-12}
    workdays: [2027-02-14]
"""


def plan_nev(root: Path, *settings: str) -> Timetable:
    from kebao.cohort import cohort_for

    catalog = load_catalog(root)
    programme = catalog.programmes["nev-class"]
    return schedule(catalog, compose(catalog, programme, cohort_for(catalog, programme, list(settings))))


def test_curricula_holidays_yml_covers_years_the_package_lacks(catalog_root: Path) -> None:
    provisional = plan_nev(catalog_root, "start=2027-01-01", "days=6")  # the statutory rule: 元旦 is one day
    assert provisional.provisional and [d.label for d in provisional.days][:3] == ["元旦", "周末", "周末"]
    (catalog_root / "curricula" / "holidays.yml").write_text(HOLIDAYS_2027, encoding="utf-8")
    new_year = plan_nev(catalog_root, "start=2027-01-01", "days=6")
    assert not new_year.provisional
    assert holidaydata.source(2027, load_catalog(catalog_root).holidays) == "curricula/holidays.yml"
    assert [d.label for d in new_year.days][:3] == ["元旦", "元旦", "元旦"]
    assert min(s.date for s in new_year.sessions) == dt.date(2027, 1, 4), "teaching resumes on Monday"
    spring = plan_nev(catalog_root, "start=2027-02-11", "days=6")
    taught = sorted({s.date for s in spring.sessions})
    assert taught[0] == dt.date(2027, 2, 14), "the 调休 Sunday is a working day; Saturday 13th is not"
    assert dt.date(2027, 2, 13) not in taught


def test_arrival_and_departure_days_do_not_teach() -> None:
    _, timetable = make(fours("skills", 4), mix={"skills": 100}, days=4, arrival=True, departure=True)
    assert sorted({s.date.isoformat() for s in timetable.sessions}) == ["2026-09-15", "2026-09-16"]
    assert [d.label for d in timetable.days] == ["报到", "教学日", "教学日", "返程"]


def test_evening_activities_go_to_the_evening_and_only_they_do() -> None:
    modules = [*(cf.module(f"s{n}", "skills", 2) for n in range(10)),
               cf.module("film", "skills", 2, evening=True), cf.module("talk", "skills", 2, evening=True)]
    required = ["film", "talk"]
    _, timetable = make(modules, {"day": 8, "session": 4, "evenings": True}, mix={"skills": 100}, days=2,
                        required=required)
    evening = [(s.module, s.start, s.end) for s in timetable.sessions if s.slot == "evening"]
    assert sorted(evening) == [("film", "19:00", "20:40"), ("talk", "19:00", "20:40")], "one each evening"
    for date in {s.date for s in timetable.sessions}:  # the daytime maximum, and the evening on top
        assert sum(s.hours for s in timetable.sessions_on(date) if s.slot != "evening") == 8
    with pytest.raises(PlanError, match="'film' is an evening activity, but the programme has no evening"):
        make(modules, {"day": 8, "session": 4, "evenings": True}, mix={"skills": 100}, days=2, evenings=False,
             required=required)
    _, daytime = make(modules, {"day": 10, "session": 4, "evenings": True}, mix={"skills": 100}, days=2)
    assert {s.slot for s in daytime.sessions} == {"morning", "afternoon"}, "ordinary modules never in the evening"
    assert not {"film", "talk"} & {s.module for s in daytime.sessions}, "evening activities are not chosen"


def test_a_module_longer_than_a_session_is_split_into_even_consecutive_parts() -> None:
    _, timetable = make([cf.module("long", "skills", 6)], mix={"skills": 100}, days=1, total_hours=6)
    assert rows(timetable) == [("2026-09-14", "morning", "08:30", "11:05", "long", 3, 1, 2),
                               ("2026-09-14", "afternoon", "14:00", "16:35", "long", 3, 2, 2)]
    _, timetable = make([cf.module("long", "skills", 7)], {"session": 3, "day": 6}, mix={"skills": 100}, days=2,
                        total_hours=7)
    assert [(s.date.day, s.slot, s.hours, s.part) for s in timetable.sessions] == [
        (14, "morning", 2.5, 1), (14, "afternoon", 2.5, 2), (15, "morning", 2, 3)]


def test_several_modules_share_a_half_day_back_to_back() -> None:
    modules = [cf.module("a", "skills", 2), cf.module("b", "industry", 2)]
    _, timetable = make(modules, mix={"skills": 50, "industry": 50}, days=1, total_hours=4, minutes_per_hour=40)
    assert rows(timetable) == [("2026-09-14", "morning", "08:30", "10:00", "a", 2, 1, 1),  # a break between
                               ("2026-09-14", "morning", "10:10", "11:40", "b", 2, 1, 1)]


def test_site_visits_go_where_the_programme_places_them() -> None:
    modules = [cf.module("zone", "industry", 6, duration="whole-day"), cf.module("factory", "industry", 3,
               duration="half-day"), cf.module("capital", "industry", 8, duration="whole-day"), *fours("skills", 4)]
    visits = [{"module": "zone", "day": "first"}, {"module": "factory", "day": 2},
              {"module": "capital", "day": "last"}]
    _, timetable = make(modules, mix={"industry": 50, "skills": 50}, days=5, total_hours=33, site_visits=visits)
    placed = [(s.date.isoformat(), s.slot, s.module, s.hours) for s in timetable.sessions
              if s.module in ("zone", "factory", "capital")]
    assert placed == [("2026-09-14", "morning", "zone", 3), ("2026-09-14", "afternoon", "zone", 3),
                      ("2026-09-15", "morning", "factory", 3),
                      ("2026-09-18", "morning", "capital", 4), ("2026-09-18", "afternoon", "capital", 4)]


def test_prerequisites_come_before_dependents_even_across_strands_and_visits() -> None:
    modules = [cf.module("c", "skills", 4, prerequisites=["b"]), cf.module("b", "industry", 4, prerequisites=["a"]),
               cf.module("a", "party-building", 4), cf.module("debrief", "skills", 2, prerequisites=["trip"]),
               cf.module("trip", "industry", 4, duration="half-day")]
    _, timetable = make(modules, mix={"skills": 35, "industry": 45, "party-building": 20}, days=3,
                        total_hours=18, required=["c", "debrief"], site_visits=[{"module": "trip", "day": 2}])
    first = {}
    last = {}
    for session in timetable.sessions:
        first.setdefault(session.module, session.starts_at())
        last[session.module] = session.ends_at()
    assert last["a"] <= first["b"] and last["b"] <= first["c"] and last["trip"] <= first["debrief"]


def test_a_prerequisite_of_a_first_day_visit_cannot_come_before_it() -> None:
    modules = [cf.module("briefing", "skills", 2), cf.module("trip", "skills", 8, duration="whole-day",
               prerequisites=["briefing"])]
    with pytest.raises(PlanError, match="prerequisite\\(s\\) briefing of site visit 'trip' do not fit before it"):
        make(modules, mix={"skills": 100}, days=2, total_hours=10, site_visits=[{"module": "trip", "day": "first"}])


def test_a_dependent_of_a_last_day_visit_with_no_room_after_it_fails() -> None:
    modules = [cf.module("debrief", "skills", 2, prerequisites=["trip"]),
               cf.module("trip", "skills", 8, duration="whole-day")]
    with pytest.raises(PlanError, match="debrief must follow a site visit"):
        make(modules, mix={"skills": 100}, days=2, total_hours=10, required=["debrief"],
             site_visits=[{"module": "trip", "day": "last"}])


def test_a_plan_larger_than_its_days_fails_saying_by_how_many_hours() -> None:
    spec = cf.Spec(modules=fours("skills", 3), programmes=[cf.programme("p", mix={"skills": 100}, days=1,
                                                                        total_hours=8)])
    catalog = cf.build(spec)
    plan = compose(catalog, catalog.programmes["p"])
    extra = PlanItem("s2", "skills", 4, "extra", say("reason-extra", cohort="test-cohort"))
    bigger = dataclasses.replace(plan, items=(*plan.items, extra))
    with pytest.raises(PlanError) as caught:
        schedule(catalog, bigger)
    assert "4 学时 are left over (the plan has 12 学时; 1 teaching day(s) hold at most 8)" in str(caught.value)
    assert "add days" in caught.value.hint


def test_strands_are_interleaved_so_no_day_is_one_strand() -> None:
    # The plan lists the modules strand by strand (6 party, 3 industry, 3 skills); the timetable mixes them.
    counts = {"party-building": 6, "industry": 3, "skills": 3}
    modules = [cf.module(f"{s[:1]}{n}", s, 2) for s, count in counts.items() for n in range(count)]
    _, timetable = make(modules, mix={"party-building": 50, "industry": 25, "skills": 25}, days=3, total_hours=24,
                        required=[m["id"] for m in modules])
    for date in {s.date for s in timetable.sessions}:
        assert len({s.strand for s in timetable.sessions_on(date)}) >= 2, date


def test_times_are_local_to_the_programme_time_zone() -> None:
    _, timetable = make(fours("skills", 1), mix={"skills": 100}, days=1, total_hours=4, timezone="Asia/Urumqi")
    session = timetable.sessions[0]
    assert (session.start, session.end) == ("08:30", "12:00")
    assert session.starts_at().utcoffset() == dt.timedelta(hours=6)
    assert session.starts_at().isoformat() == "2026-09-14T08:30:00+06:00"


@pytest.mark.parametrize(("modules", "programme", "expected"), [
    ([cf.module("a", "skills", 8, duration="whole-day"), cf.module("b", "skills", 8, duration="whole-day")],
     {"site_visits": [{"module": "a", "day": 1}, {"module": "b", "day": 1}]}, "'b' and 'a' both want teaching day 1"),
    ([cf.module("a", "skills", 4, duration="half-day")], {"site_visits": [{"module": "a", "day": 9}]},
     "on teaching day 9, but there are only 5"),
    ([cf.module("a", "skills", 6, duration="half-day")], {"site_visits": [{"module": "a"}]},
     "takes 6 学时 but a half day holds at most 4"),
    ([cf.module("a", "skills", 4)], {"session_starts": {"morning": "15:00"}},
     r"session_starts.afternoon \(14:00\) is not after morning \(15:00\)"),
])
def test_impossible_layouts_fail(modules: list[dict[str, Any]], programme: dict[str, Any], expected: str) -> None:
    with pytest.raises(PlanError, match=expected):
        make(modules, mix={"skills": 100}, total_hours=8, **programme)


def test_the_same_plan_gives_the_same_timetable() -> None:
    modules = [cf.module(f"m{n}", ("industry", "skills")[n % 2], 1 + n % 4) for n in range(14)]
    first = make(modules, mix={"industry": 50, "skills": 50}, days=4, total_hours=20)[1]
    second = make(modules, mix={"industry": 50, "skills": 50}, days=4, total_hours=20)[1]
    assert first.total_hours == 20
    assert first == second


def test_frame_and_json_forms() -> None:
    modules = [cf.module("long", "skills", 6), cf.module("i1", "industry", 2)]
    _, timetable = make(modules, mix={"skills": 75, "industry": 25}, days=2, total_hours=8)
    frame = timetable.to_frame()
    assert len(frame) == len(timetable.sessions) and frame["hours"].sum() == 8
    assert str(frame["starts_at"].dt.tz) == "Asia/Shanghai"
    assert list(frame.columns[:5]) == ["date", "weekday", "slot", "start", "end"]
    data = json.loads(json.dumps(timetable.to_json_dict(), ensure_ascii=False))
    assert data["programme"] == "p" and data["cohort"]["id"] == "test-cohort"
    assert data["strands"] == [{"id": "skills", "name": "技能", "target_hours": 6, "hours": 6},
                               {"id": "industry", "name": "产业", "target_hours": 2, "hours": 2}]
    required = {"date", "start", "end", "module", "strand", "hours", "reason"}
    for session in data["items"]:
        assert required <= set(session) and session["kind"] == "teaching"
        dt.date.fromisoformat(session["date"])
        assert len(session["start"]) == len(session["end"]) == 5
    assert [s["module"] for s in data["items"]].count("long") == 2


# -- properties over generated programmes and start dates (国庆 and 春节 included) -----------------


def evenings_of(catalog: Catalog, programme: Programme) -> bool:
    audience = catalog.audiences[programme.audience]
    return programme.evenings if programme.evenings is not None else audience.evenings


def check(catalog: Catalog, timetable: Timetable) -> None:
    plan = timetable.plan
    programme = catalog.programmes[plan.programme]
    audience = catalog.audiences[programme.audience]
    sessions = timetable.sessions
    # total and per-module hours as planned
    assert timetable.total_hours == pytest.approx(plan.total_hours)
    by_module: dict[str, float] = defaultdict(float)
    for session in sessions:
        by_module[session.module] += session.hours
    assert by_module == pytest.approx({i.module: i.hours for i in plan.items})
    # no overlaps, in time order; each session as long as its hours
    for before, after in zip(sessions, sessions[1:], strict=False):
        assert before.ends_at() <= after.starts_at()
    brk = 10  # schema 1: the default break between 学时
    for session in sessions:  # all its teaching time, its breaks, rounded to five minutes
        minutes = (session.ends_at() - session.starts_at()).total_seconds() / 60
        teaching = session.hours * programme.minutes_per_hour
        assert teaching - 2.5 <= minutes <= teaching + math.ceil(session.hours) * brk + 2.5
        assert session.start[-1] in "05" and session.end[-1] in "05"
    starts = programme.session_starts
    windows = {"morning": (starts.morning, starts.afternoon), "afternoon": (starts.afternoon, starts.evening),
               "evening": (starts.evening, "24:00")}
    for session in sessions:  # inside its session's window
        first, last = windows[session.slot] if evenings_of(catalog, programme) else \
            {**windows, "afternoon": (starts.afternoon, "24:00")}[session.slot]
        assert first <= session.start and session.end <= last
    # only on teaching days (holidays, weekends, travel) and within the audience's limits
    weekends = programme.weekends if programme.weekends is not None else audience.weekends
    evenings = programme.evenings if programme.evenings is not None else audience.evenings
    allowed = set(cf.teaching_days(plan.cohort.start, plan.days, programme.travel.arrival,
                                   programme.travel.departure, weekends))
    per_day: dict[dt.date, float] = defaultdict(float)
    per_slot: dict[tuple[dt.date, str], float] = defaultdict(float)
    for session in sessions:
        assert session.date in allowed and not cf.is_statutory_holiday(session.date)
        assert session.slot in (("morning", "afternoon", "evening") if evenings else ("morning", "afternoon"))
        assert (session.slot == "evening") == catalog.modules[session.module].evening
        assert session.hours <= audience.max_hours_per_session
        if session.slot != "evening":  # evening activities come on top of the day's maximum
            per_day[session.date] += session.hours
        per_slot[(session.date, session.slot)] += session.hours
    assert max(per_day.values(), default=0) <= audience.max_hours_per_day
    assert max(per_slot.values(), default=0) <= audience.max_hours_per_session
    # prerequisites before dependents
    starts = {s.module: s.starts_at() for s in reversed(sessions)}
    ends = {s.module: s.ends_at() for s in sessions}
    for item in plan.items:
        for prerequisite in catalog.modules[item.module].prerequisites:
            assert ends[prerequisite] <= starts[item.module]
    # site visits on their day
    teaching = sorted(allowed)
    for visit in programme.site_visits:
        day = {"first": teaching[0], "last": teaching[-1]}.get(str(visit.day)) or teaching[int(visit.day) - 1]
        assert {s.date for s in sessions if s.module == visit.module} == {day}
    # a module is split only when longer than a session, unless a note says why; closing modules come last
    session = max(audience.max_hours_per_session, 0)
    for item in plan.items:
        parts = [s for s in sessions if s.module == item.module]
        if item.module not in {v.module for v in programme.site_visits} and item.hours <= session < 1000 \
                and len(parts) > 1:
            assert any(f"'{item.module}'" in note.render("en") and "split" in note.render("en")
                       for note in timetable.notes), item
    visits = {v.module for v in programme.site_visits}
    needs = {m: set(catalog.modules[m].prerequisites) for m in plan.modules}
    for _ in plan.modules:  # all that a module needs, directly or not
        needs = {m: found.union(*(needs.get(p, set()) for p in found)) for m, found in needs.items()}
    for item in plan.items:
        if catalog.modules[item.module].format != "assessment" or any(item.module in needs[v] for v in visits):
            continue
        later = [s.module for s in sessions if s.module not in visits and s.starts_at() >= ends[item.module]
                 and catalog.modules[s.module].format != "assessment" and item.module not in needs[s.module]]
        if later:
            assert any(f"closing module '{item.module}'" in note.render("en") for note in timetable.notes), \
                (item, later)
    # the mix error stays within one module's 学时 per strand, unless a note says why
    for strand in plan.strands:
        granularity = max((m.hours for m in catalog.modules.values() if m.strand == strand.id), default=0)
        if abs(strand.error) > granularity + 1e-9:
            name = catalog.strands[strand.id].name.en
            assert any(note.code.startswith("note-strand-") and name in note.render("en") for note in plan.notes), \
                (strand, [n.render("en") for n in plan.notes])


PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.filter_too_much])


@PROPERTIES
@given(cf.specs(feasible=True))
def test_feasible_programmes_always_plan_and_schedule_within_every_rule(spec: cf.Spec) -> None:
    catalog = cf.build(spec)
    plan = compose(catalog, catalog.programmes["p"])
    assert plan == compose(catalog, catalog.programmes["p"])
    check(catalog, schedule(catalog, plan))


@PROPERTIES
@given(cf.specs(feasible=False))
def test_any_programme_either_fails_early_with_advice_or_schedules_within_every_rule(spec: cf.Spec) -> None:
    catalog = cf.build(spec)
    try:
        plan = compose(catalog, catalog.programmes["p"])
    except PlanError as error:
        assert error.hint, error  # every refusal says what would fix it
        return
    check(catalog, schedule(catalog, plan))  # compose's checks are exact: what it accepts, schedule places


# -- whole modules, closing assessments, even spread (designer's report) ------------------------------------------


def split_but_fits_a_session(timetable: Timetable, session: float) -> list[str]:
    return sorted({s.module for s in timetable.sessions if s.parts > 1 and
                   timetable.plan.item(s.module).hours <= session})


def test_modules_that_fit_a_session_stay_whole_when_days_are_tight() -> None:
    # Like xpcc-cadres with a departure day: 8 teaching days, whole-day visits on day 5 and the last,
    # evenings allowed; 3- and 4-学时 modules must not be cut to fill the evenings after the visits.
    modules = [cf.module("farm", "industry", 6, duration="whole-day"),
               cf.module("museum", "party-building", 6, duration="whole-day"),
               *(cf.module(f"p{n}", "party-building", 4) for n in range(3)), cf.module("exam", "party-building", 3),
               *(cf.module(f"i{n}", "industry", 4 - n % 2) for n in range(7)),
               *(cf.module(f"s{n}", "skills", 4 - n % 2) for n in range(7))]
    _, timetable = make(modules, {"day": 8, "session": 4, "evenings": True, "weekends": True},
                        mix={"party-building": 32, "industry": 34, "skills": 34}, days=10, total_hours=60,
                        start="2026-12-06", arrival=True, departure=True, required=["exam"],
                        site_visits=[{"module": "farm", "day": 5}, {"module": "museum", "day": "last"}])
    assert split_but_fits_a_session(timetable, 4) == []
    assert timetable.notes == timetable.plan.notes


def test_seniors_in_fewer_days_are_refused_rather_than_cut_into_halves() -> None:
    modules = [cf.module(f"s{n}", "skills", 2) for n in range(5)]
    with pytest.raises(PlanError, match="do not fit whole"):
        make(modules, {"day": 3, "session": 2}, mix={"skills": 100}, days=4, total_hours=10,
             required=[m["id"] for m in modules])


def test_a_plan_that_can_only_be_placed_by_cutting_modules_says_which_and_why() -> None:
    # One day, sessions of 4: 3 + 3 + 2 学时 need three sessions; the plan is forced past compose.
    modules = [cf.module("a", "skills", 3), cf.module("b", "skills", 3), cf.module("c", "industry", 2)]
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", mix={"skills": 100}, days=1, total_hours=6,
                                                             required=["a", "b"])])
    catalog = cf.build(spec)
    plan = compose(catalog, catalog.programmes["p"])
    extra = PlanItem("c", "industry", 2, "extra", say("reason-extra", cohort="test-cohort"))
    forced = dataclasses.replace(plan, items=(*plan.items, extra))
    timetable = schedule(catalog, forced)
    assert split_but_fits_a_session(timetable, 4) == ["c"]
    assert any("'c'" in note.render("en") and "split" in note.render("en") for note in timetable.notes), \
        timetable.notes
    assert timetable.to_json_dict()["notes"] == [note.to_json("en") for note in timetable.notes]


def test_closing_assessments_come_after_every_other_module() -> None:
    modules = [cf.module("final", "leadership", 4, format="assessment"), cf.module("launch", "leadership", 4),
               *(cf.module(f"l{n}", "leadership", 4) for n in range(6)),
               cf.module("trip", "leadership", 8, duration="whole-day")]
    _, timetable = make(modules, mix={"leadership": 100}, days=5, total_hours=40,
                        required=["final", "launch"], site_visits=[{"module": "trip", "day": "last"}])
    final = [s for s in timetable.sessions if s.module == "final"]
    others = [s for s in timetable.sessions if s.module not in ("final", "trip")]
    assert final and max(s.ends_at() for s in others) <= min(s.starts_at() for s in final)


def test_a_closing_assessment_needed_by_a_later_module_comes_before_that_module_only() -> None:
    modules = [cf.module("test", "skills", 2, format="assessment"),
               cf.module("retake", "skills", 2, prerequisites=["test"]), *(cf.module(f"s{n}", "skills", 2)
                                                                          for n in range(4))]
    _, timetable = make(modules, mix={"skills": 100}, days=2, total_hours=12, required=["retake"])
    order = [s.module for s in timetable.sessions]
    assert order[-2:] == ["test", "retake"]


def test_spare_days_are_spread_evenly_not_left_empty_at_the_end() -> None:
    # Seniors with 12 days (10 teaching days) and five 2-学时 classes: every other teaching day, not days 1-5.
    modules = [cf.module(f"s{n}", "skills", 2) for n in range(5)]
    _, timetable = make(modules, {"day": 3, "session": 2}, mix={"skills": 100}, days=12, total_hours=10,
                        start="2026-10-19", required=[m["id"] for m in modules])
    teaching = [d.date for d in timetable.days if d.kind == "teaching"]
    taught = sorted({s.date for s in timetable.sessions})
    assert len(teaching) == 10 and len(taught) == 5
    gaps = [teaching.index(b) - teaching.index(a) for a, b in zip(taught, taught[1:], strict=False)]
    assert gaps == [2, 2, 2, 2]
    assert teaching.index(taught[-1]) >= 8  # the last class is near the end
    again = make(modules, {"day": 3, "session": 2}, mix={"skills": 100}, days=12, total_hours=10,
                 start="2026-10-19", required=[m["id"] for m in modules])[1]
    assert again == timetable
