"""Calendars (schema 2): meetings every week or fortnight, a cohort's own dates, other holiday calendars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kebao.calendar import programme_days
from kebao.catalog import Catalog, load_catalog
from kebao.cli import main
from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.model import WEEKDAYS, Rhythm
from kebao.schedule import schedule
from kebao.timetable import Session, Timetable

from . import catalog_factory as cf
from .paths import REPO

D = dt.date.fromisoformat
MORNING = {"morning": {"start": "09:00", "end": "11:30"}, "break_minutes": 15}


def plan(modules: list[dict[str, Any]], cohort: dict[str, Any] | None = None, **programme: Any
         ) -> tuple[Catalog, Timetable]:
    programme.setdefault("schema", 2)
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", cohort=cohort, **programme)])
    catalog = cf.build(spec)
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def twos(count: int) -> list[dict[str, Any]]:
    return [cf.module(f"m{n}", "skills", 2) for n in range(count)]


def teaching(timetable: Timetable) -> list[str]:
    return [d.date.isoformat() for d in timetable.days if d.kind == "teaching"]


# -- meetings every week or fortnight ------------------------------------------------------------------


def test_a_fortnightly_class_meets_on_its_weekday_and_a_holiday_moves_the_rest_on() -> None:
    _, timetable = plan(twos(8), mix={"skills": 100}, days=8, total_hours=16, start="2026-09-09", day=MORNING,
                        calendar={"every": "fortnight", "weekdays": ["wed"], "sessions": ["morning"]})
    assert teaching(timetable) == ["2026-09-09", "2026-09-23", "2026-10-21", "2026-11-04", "2026-11-18",
                                   "2026-12-02", "2026-12-16", "2026-12-30"]
    cancelled = [(d.date.isoformat(), d.kind, d.label) for d in timetable.days if d.kind != "teaching"]
    assert cancelled == [("2026-10-07", "holiday", "国庆节")]
    assert {s.slot for s in timetable.sessions} == {"morning"} and len(timetable.sessions) == 8
    assert all(s.start == "09:00" and s.end == "10:45" for s in timetable.sessions)  # 45 + 15 + 45 minutes
    assert timetable.plan.days == 8 and timetable.plan.total_hours == 16


def test_a_weekly_class_on_two_weekdays_and_a_long_term() -> None:
    """A year of Tuesday and Thursday afternoons: far past 366 calendar days' worth of a block."""
    catalog, timetable = plan(twos(120), mix={"skills": 100}, days=120, total_hours=240, start="2026-03-03",
                              calendar={"every": "week", "weekdays": ["tue", "thu"], "sessions": ["afternoon"]})
    dates = [D(d) for d in teaching(timetable)]
    assert len(dates) == 120 and {d.weekday() for d in dates} == {1, 3}
    assert dates[-1] - dates[0] > dt.timedelta(days=366)
    assert {s.slot for s in timetable.sessions} == {"afternoon"}
    assert not any(d.kind == "teaching" and d.holiday and d.label != f"调休（{d.holiday}）" for d in timetable.days)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(every=st.sampled_from(["week", "fortnight"]),
       weekdays=st.lists(st.sampled_from(WEEKDAYS[:5]), min_size=1, max_size=3, unique=True),
       meetings=st.integers(1, 30), start=st.dates(dt.date(2025, 1, 1), dt.date(2026, 6, 30)))
def test_a_rhythm_holds_its_meetings_on_its_weekdays_and_never_on_a_day_off(
        every: str, weekdays: list[str], meetings: int, start: dt.date) -> None:
    rhythm = Rhythm.model_validate({"every": every, "weekdays": weekdays})
    days = programme_days(start, meetings, False, False, False, rhythm=rhythm)
    held = [d for d in days if d.kind == "teaching"]
    assert len(held) == meetings and [d.teaching_number for d in held] == list(range(1, meetings + 1))
    monday = start - dt.timedelta(days=start.weekday())
    step = 7 if every == "week" else 14
    for day in days:
        assert WEEKDAYS[day.date.weekday()] in weekdays and day.date >= start
        assert (day.date - monday).days // 7 % (step // 7) == 0
        assert day.kind in ("teaching", "holiday", "weekend")
    # a listed weekday left out is a day off (statutory, or a 调休 weekday off): the rhythm never skips a workday
    listed = {d.date for d in days}
    date = start
    while date <= days[-1].date:
        if WEEKDAYS[date.weekday()] in weekdays and (date - monday).days // 7 % (step // 7) == 0:
            assert date in listed, date
        date += dt.timedelta(days=1)


def test_a_rhythm_that_can_never_meet_says_so() -> None:
    with pytest.raises(PlanError) as caught:
        plan(twos(2), mix={"skills": 100}, days=2, total_hours=4, start="2026-09-05",
             calendar={"every": "week", "weekdays": ["sat"]})
    assert caught.value.why.code == "error-rhythm-unheld"
    said = caught.value.in_language("zh").message  # a Saturday worked for 调休 may hold one
    assert said.startswith("自 2026-09-05 起三年内，每逢星期六只能上 ") and said.endswith("次课，不足 2 次")
    assert "Saturday or Sunday" in caught.value.in_language("en").hint


# -- a cohort's own dates ----------------------------------------------------------------------------------


def test_a_cohort_on_its_own_dates_meets_exactly_then() -> None:
    dates = ["2026-10-15", "2026-11-12", "2026-12-10"]
    _, timetable = plan(twos(6), mix={"skills": 100}, days=1, total_hours=12, cohort={"dates": dates},
                        start="2026-10-15")
    assert teaching(timetable) == dates and timetable.plan.cohort.start == D("2026-10-15")
    assert timetable.plan.days == 3


@pytest.mark.parametrize(("cohort", "message"), [
    ({"dates": ["2026-11-12", "2026-10-15"]}, "list the dates once each, earliest first"),
    ({"dates": ["2026-10-15", "2026-10-15"]}, "list the dates once each, earliest first"),
    ({"dates": ["2026-10-15"], "start": "2026-10-14"}, "start (2026-10-14) is not the first of dates"),
    ({"dates": ["2026-10-15", "2026-10-16"], "days": 3}, "days (3) differs from the 2 dates"),
])
def test_cohort_dates_that_contradict_themselves_are_refused(cohort: dict[str, Any], message: str) -> None:
    data = cf.programme("p", mix={"skills": 100}, schema=2)
    data["cohort"] = {k: v for k, v in {**data["cohort"], **cohort}.items() if k != "start" or "start" in cohort}
    spec = cf.Spec(modules=twos(2), programmes=[data])
    with pytest.raises(Exception, match=message.replace("(", r"\(").replace(")", r"\)")):
        cf.build(spec)


def test_dates_from_the_command_line(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "seniors-photo-term", "--root", str(REPO), "--format", "json",
                 "--set", "dates=2026-10-14,2026-10-28,2026-11-11,2026-11-25,2026-12-09,2026-12-23,2027-01-06,"
                 "2027-01-20"])
    out = capsys.readouterr().out
    assert code == 0
    import json

    data = json.loads(out)
    assert data["cohort"]["start"] == "2026-10-14" and len(data["cohort"]["dates"]) == 8
    assert sorted({i["date"] for i in data["items"]}) == data["cohort"]["dates"]
    assert data["provisional"] is True  # 2027 has no official arrangement yet


# -- holiday calendars -----------------------------------------------------------------------------------


def test_another_countrys_holidays_and_no_tiaoxiu() -> None:
    week = {"mix": {"skills": 100}, "days": 7, "total_hours": 8, "start": "2026-12-21"}
    _, china = plan(twos(4), **week)
    _, hong_kong = plan(twos(4), holiday_calendar="HK", **week)
    _, none = plan(twos(4), holiday_calendar="none", **week)
    assert "2026-12-25" in teaching(china)  # Christmas is a workday on the mainland
    off = {d.date.isoformat(): d.label for d in hong_kong.days if d.kind == "holiday"}
    assert "2026-12-25" in off and "圣诞" in off["2026-12-25"]  # named in Chinese where the package can
    assert teaching(none) == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-25"]
    _, national_day = plan(twos(4), holiday_calendar="none", mix={"skills": 100}, days=3, total_hours=8,
                           start="2026-10-01")
    assert teaching(national_day) == ["2026-10-01", "2026-10-02"] and not national_day.provisional


def test_a_holiday_calendar_must_be_known_and_new_fields_need_schema_2() -> None:
    for fields, message in (({"schema": 2, "holiday_calendar": "XX"}, "'XX' is not a country code"),
                            ({"holiday_calendar": "HK"}, "'holiday_calendar' is a schema-2 field"),
                            ({"calendar": {"every": "week", "weekdays": ["mon"]}}, "'calendar' is a schema-2"),
                            ({"schema": 2, "calendar": {"every": "week", "weekdays": ["mon"]},
                              "travel": {"arrival": True}}, "has no arrival or departure days")):
        spec = cf.Spec(modules=twos(2), programmes=[cf.programme("p", mix={"skills": 100}, **fields)])
        with pytest.raises(Exception, match=message):
            cf.build(spec)


def test_a_holiday_calendar_is_part_of_the_pack_cache_key() -> None:
    from kebao.holidaydata import sources

    dates = [D("2026-12-25"), D("2027-01-04")]
    assert sources(dates) == {"2026": "chinesecalendar 1.11.0", "2027": sources(dates)["2027"]}
    assert sources(dates, region="HK")["2026"].startswith("HK (holidays ")
    assert sources(dates, region="none") == {"2026": "none (weekends only)", "2027": "none (weekends only)"}


# -- the example programme ---------------------------------------------------------------------------------


def test_the_seniors_term_class_plans_as_it_runs() -> None:
    """Golden plan: a fortnightly Wednesday morning for a term, 国庆 skipped, opening and closing in place."""
    catalog = load_catalog(REPO)
    timetable = schedule(catalog, compose(catalog, catalog.programmes["seniors-photo-term"]))
    got = [(i.date.isoformat(), i.start, i.end, i.module if isinstance(i, Session) else i.event)
           for i in timetable.items]
    assert got == [
        ("2026-09-09", "09:00", "09:15", "opening"),
        ("2026-09-09", "09:30", "11:15", "senior-smartphone-basics"),
        ("2026-09-23", "09:00", "10:45", "senior-photo-light-angle"),
        ("2026-10-21", "09:00", "10:45", "senior-photo-composition"),
        ("2026-11-04", "09:00", "10:45", "senior-photo-outdoor-practicum"),
        ("2026-11-18", "09:00", "10:45", "senior-anti-fraud"),
        ("2026-12-02", "09:00", "10:45", "senior-mobile-payment-travel"),
        ("2026-12-16", "09:00", "10:45", "senior-photo-editing"),
        ("2026-12-30", "09:00", "10:45", "senior-online-healthcare"),
        ("2026-12-30", "11:00", "11:20", "closing"),
    ]
    assert [d.label for d in timetable.days if d.kind != "teaching"] == ["国庆节"]


def test_the_cohort_line_says_how_the_days_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "seniors-photo-term", "--root", str(REPO)]) == 0
    assert "2026-09-09 起每两周星期三（上午），共 8 次" in capsys.readouterr().out
    assert main(["plan", "seniors-photo-term", "--root", str(REPO), "--lang", "en"]) == 0
    assert "8 meetings from 2026-09-09, every other week on Wed (Morning)" in capsys.readouterr().out


def test_a_schema_1_file_with_cohort_dates_is_told_to_say_schema_2() -> None:
    spec = cf.Spec(modules=twos(2), programmes=[cf.programme("p", mix={"skills": 100}, start="2026-10-15",
                                                             cohort={"dates": ["2026-10-15"]})])
    with pytest.raises((ContentError, ValueError), match="'cohort.dates' is a schema-2 field"):
        cf.build(spec)
