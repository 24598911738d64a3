"""The agenda model (schema 2): events, the day's timetable and breaks, pinned modules, evenings, fixed agendas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kebao.catalog import Catalog
from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.layout import Clock
from kebao.schedule import schedule
from kebao.timetable import EventItem, Session, Timetable

from . import catalog_factory as cf

D = dt.date.fromisoformat
DAY = {"morning": {"start": "08:30", "end": "12:00"}, "afternoon": {"start": "14:00", "end": "17:30"},
       "evening": {"start": "19:00", "end": "21:00"}, "break_minutes": 10}


def plan(modules: list[dict[str, Any]], audience: dict[str, Any] | None = None,
         **programme: Any) -> tuple[Catalog, Timetable]:
    programme.setdefault("schema", 2)
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", **programme)])
    if audience is not None:
        spec.audiences = [cf.audience("cadres", **audience), cf.audience("others")]
    catalog = cf.build(spec)
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def lines(timetable: Timetable) -> list[tuple[str, str, str, str, str]]:
    """(date, slot, start, end, module or event) of every item in time order."""
    return [(i.date.isoformat(), i.slot, i.start, i.end, i.module if isinstance(i, Session) else i.event)
            for i in timetable.items]


def fours(strand: str, count: int) -> list[dict[str, Any]]:
    return [cf.module(f"{strand[:1]}{n}", strand, 4) for n in range(count)]


# -- the day's timetable and breaks --------------------------------------------------------------------


def test_a_clock_counts_breaks_between_whole_hours_and_rounds_to_five_minutes() -> None:
    clock = Clock(45, 10)
    assert [clock.end(h) for h in (0.5, 1, 1.5, 2, 3, 4)] == [25, 45, 80, 100, 155, 210]
    assert [clock.start(o) for o in (0, 1, 1.5, 2)] == [0, 55, 80, 110]
    assert clock.start(1.5) == clock.end(1.5), "half-way through a 学时 there is no break"
    assert clock.hours_in(210) == 4 and clock.hours_in(209) == 3.5 and clock.hours_in(20) == 0
    assert Clock(40, 0).end(2.5) == 100


def test_the_day_says_when_sessions_run_and_how_long_the_breaks_are() -> None:
    _, timetable = plan(fours("skills", 2), mix={"skills": 100}, days=1, total_hours=8,
                        day={**DAY, "afternoon": {"start": "14:30", "end": "18:00"}, "break_minutes": 5})
    assert lines(timetable) == [("2026-09-14", "morning", "08:30", "11:45", "s0"),  # 4 × 45 + 3 × 5
                                ("2026-09-14", "afternoon", "14:30", "17:45", "s1")]
    with pytest.raises(PlanError, match=r"hold at most 6.5 "):  # a morning of 150 minutes holds 2.5 学时
        plan(fours("skills", 2), mix={"skills": 100}, days=1, total_hours=8,
             day={**DAY, "morning": {"start": "08:30", "end": "11:00"}})


def test_day_windows_must_be_in_order_and_not_beside_session_starts() -> None:
    with pytest.raises(ValueError, match="afternoon session starts .* before the morning one ends"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, schema=2, day={**DAY, "afternoon": {"start": "11:00", "end": "17:00"}})]))
    with pytest.raises(ValueError, match="'day' .* or 'session_starts', not both"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, schema=2, day=DAY, session_starts={"morning": "09:00"})]))


# -- events ------------------------------------------------------------------------------------------------


EVENTS = [{"kind": "check-in", "day": "arrival", "time": "14:00", "minutes": 240},
          {"kind": "opening", "minutes": 30}, {"kind": "closing", "minutes": 60}]


LONG_AFTERNOON = {**DAY, "afternoon": {"start": "14:00", "end": "18:00"}}


def test_check_in_opening_and_closing_frame_the_programme() -> None:
    threes = [cf.module(f"s{n}", "skills", 3) for n in range(4)]
    _, timetable = plan(threes, mix={"skills": 100}, days=3, arrival=True, total_hours=12,
                        day=LONG_AFTERNOON, events=EVENTS)
    items = lines(timetable)
    assert items[0] == ("2026-09-14", "afternoon", "14:00", "18:00", "check-in"), "报到 on the arrival day"
    assert items[1] == ("2026-09-15", "morning", "08:30", "09:00", "opening"), "the opening starts the first day"
    assert items[2][:3] == ("2026-09-15", "morning", "09:10"), "teaching follows it after a break"
    assert items[-1][0] == "2026-09-16" and items[-1][4] == "closing", "the closing ends the last day"
    last_session = [i for i in timetable.items if isinstance(i, Session)][-1]
    assert items[-1][2] > last_session.end and items[-1][1] == last_session.slot == "afternoon"
    assert all(isinstance(i, EventItem) and i.hours == 0 for i in timetable.items if not isinstance(i, Session))
    assert timetable.total_hours == 12, "events count no 学时 unless the programme says so"


def test_items_of_a_day_never_overlap() -> None:
    _, timetable = plan(fours("skills", 3), mix={"skills": 100}, days=3, arrival=True, total_hours=12,
                        day=DAY, events=EVENTS)
    for date in {i.date for i in timetable.items}:
        today = timetable.items_on(date)
        for before, after in zip(today, today[1:], strict=False):
            assert before.end <= after.start, (before, after)


def test_an_event_that_counts_adds_its_hours() -> None:
    events = [{"kind": "other", "id": "graduation-talk", "title": {"zh": "结业报告会", "en": "Graduation talks"},
               "day": "last", "slot": "afternoon", "minutes": 90, "counts": True}]
    _, timetable = plan(fours("skills", 2), mix={"skills": 100}, days=2, total_hours=10, day=DAY, events=events)
    talk = next(i for i in timetable.items if isinstance(i, EventItem))
    assert talk.hours == 2 and timetable.total_hours == 10 and timetable.plan.total_hours == 10
    assert talk.event == "graduation-talk" and talk.event_kind == "other"


def test_event_mistakes_are_clear() -> None:
    with pytest.raises(PlanError, match="on the arrival day, but the programme has none"):
        plan(fours("skills", 2), mix={"skills": 100}, days=2, day=DAY, events=[EVENTS[0]])
    with pytest.raises(PlanError, match="at 10:00 would cut the Morning session of 2026-09-14 in two"):
        plan(fours("skills", 2), mix={"skills": 100}, days=2, day=DAY,
             events=[{"kind": "photo", "day": 1, "time": "10:00", "minutes": 20}])
    with pytest.raises(ValueError, match="say on which day the photo event is"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, schema=2, events=[{"kind": "photo", "minutes": 20}])]))
    with pytest.raises(ValueError, match="two events are 'opening'; give each its own 'id'"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, schema=2, events=[EVENTS[1], EVENTS[1]])]))


def test_schema_1_files_cannot_use_schema_2_fields() -> None:
    with pytest.raises(ValueError, match="'events' is a schema-2 field; write 'schema: 2'"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, events=[EVENTS[1]])]))
    with pytest.raises(ValueError, match="'evening' is a schema-2 field"):
        cf.build(cf.Spec(modules=[{**cf.module("e", "skills", 2), "evening": True}], programmes=[]))


# -- pinned modules and order ---------------------------------------------------------------------------


def test_a_module_pinned_to_a_day_slot_and_time_goes_exactly_there() -> None:
    placements = [{"module": "s0", "day": 2, "slot": "afternoon", "time": "14:55"},
                  {"module": "s1", "weekday": "wed"}, {"module": "s2", "date": "2026-09-14", "slot": "afternoon"}]
    modules = [cf.module("s0", "skills", 2), *fours("skills", 5)[1:]]
    _, timetable = plan(modules, mix={"skills": 100}, days=3, total_hours=18, day=DAY, placements=placements)
    where = {s.module: (s.date.isoformat(), s.slot, s.start) for s in timetable.sessions}
    assert where["s0"] == ("2026-09-15", "afternoon", "14:55")  # 14:00 + one 学时 and its break
    assert where["s1"][0] == "2026-09-16"  # the first Wednesday
    assert where["s2"][:2] == ("2026-09-14", "afternoon")
    reasons = {item.module: item.reason for item in timetable.plan.items}
    assert reasons["s0"].render("en").startswith("placed as the programme says (teaching day 2, Afternoon, 14:55")


def test_pins_that_cannot_hold_fail_before_anything_runs() -> None:
    with pytest.raises(PlanError, match="pinned to 2026-09-19, which is not a teaching day"):
        plan(fours("skills", 2), mix={"skills": 100}, days=7, day=DAY, placements=[{"module": "s0",
                                                                                     "date": "2026-09-19"}])
    with pytest.raises(PlanError, match="cannot start at 09:00: a 学时 in that session starts at 08:30, 08:55, 09:25"):
        plan(fours("skills", 2), mix={"skills": 100}, days=2, day=DAY,
             placements=[{"module": "s0", "day": 1, "time": "09:00"}])
    with pytest.raises(PlanError, match="'s1' and 's0' both want teaching day 1"):
        plan(fours("skills", 2), mix={"skills": 100}, days=2, day=DAY,
             placements=[{"module": "s0", "day": 1, "slot": "morning"}, {"module": "s1", "day": 1,
                                                                          "slot": "morning"}])
    with pytest.raises(ValueError, match="module 's0' has two placements"):
        cf.build(cf.Spec(modules=fours("skills", 1), programmes=[cf.programme(
            "p", mix={"skills": 100}, schema=2, placements=[{"module": "s0", "day": 1}, {"module": "s0",
                                                                                         "slot": "morning"}])]))


def test_after_orders_modules_and_a_slot_alone_keeps_a_module_in_that_session() -> None:
    modules = [cf.module("a", "skills", 2), cf.module("b", "skills", 2), cf.module("c", "skills", 2)]
    _, timetable = plan(modules, mix={"skills": 100}, days=2, total_hours=6, day=DAY,
                        placements=[{"module": "a", "after": "c"}, {"module": "b", "slot": "afternoon"}])
    first = {s.module: s.starts_at() for s in timetable.sessions}
    last = {s.module: s.ends_at() for s in timetable.sessions}
    assert last["c"] <= first["a"]
    assert {s.slot for s in timetable.sessions if s.module == "b"} == {"afternoon"}


# -- fixed agendas and repeats -----------------------------------------------------------------------------


def test_a_fixed_agenda_needs_no_mix_and_reports_one() -> None:
    modules = [cf.module("p1", "party-building", 4), cf.module("s1", "skills", 2)]
    _, timetable = plan(modules, mix=None, pools=[], days=2, required=["p1", "s1"], day=DAY)
    strands = {s.id: (s.target_hours, s.hours) for s in timetable.plan.strands}
    assert strands == {"party-building": (4, 4), "skills": (2, 2)}, "the mix is reported: planned is the target"
    assert timetable.plan.target_hours == 6 and timetable.plan.notes == ()
    with pytest.raises(ValueError, match="pools are chosen from by the strand mix"):
        cf.build(cf.Spec(modules=modules, programmes=[cf.programme("p", mix=None, schema=2,
                                                                   pools=[{"strands": ["skills"]}])]))
    with pytest.raises(ValueError, match="missing 'mix' .* with 'schema: 2'"):
        cf.build(cf.Spec(modules=modules, programmes=[cf.programme("p", mix=None, pools=[])]))


def test_a_module_listed_twice_is_an_error_not_a_silent_single_session() -> None:
    modules = [cf.module("p1", "party-building", 4)]
    with pytest.raises(ValueError, match="'p1' is listed 2 times; list it once, and to teach it 2 times add repeat"):
        cf.build(cf.Spec(modules=modules, programmes=[cf.programme("p", mix={"party-building": 100},
                                                                   required=["p1", "p1"])]))


def test_a_programme_file_with_schema_2_fields_reads_back_with_located_errors(catalog_root: Any) -> None:
    from kebao.catalog import load_catalog

    file = catalog_root / "curricula" / "programmes" / "nev-class.yml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text + "events:\n  - {kind: opening, minutes: 20}\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_catalog(catalog_root)
    assert any("schema-2 field" in p.message for p in raised.value.problems)


# -- properties ------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cf.specs(feasible=True), st.integers(10, 60), st.integers(10, 90), st.booleans())
def test_events_and_evening_activities_keep_every_rule(spec: cf.Spec, opening: int, closing: int,
                                                       film: bool) -> None:
    programme = spec.programmes[0]
    audience = spec.audiences[0]
    programme.update(schema=2, events=[{"kind": "opening", "minutes": opening},
                                       {"kind": "closing", "minutes": closing}])
    if film and audience["evenings"]:
        spec.modules.append(cf.module("film", "wellbeing", 2, evening=True))
        programme["required"] = [*programme["required"], "film"]
    catalog = cf.build(spec)
    try:
        timetable = schedule(catalog, compose(catalog, catalog.programmes["p"]))
    except PlanError as error:
        assume(False)  # the events took room the generated plan needed: a refusal with advice is right
        assert error.hint
        return
    sessions = timetable.sessions
    events = {e.event: e for e in timetable.events}
    assert events["opening"].date == timetable.plan.layout.teaching[0]
    assert events["closing"].date == timetable.plan.layout.teaching[-1]
    for session in sessions:
        assert (session.date, session.start) >= (events["opening"].date, events["opening"].end)
        if session.date == events["closing"].date and session.slot != "evening":
            assert session.end <= events["closing"].start
        assert (session.slot == "evening") == catalog.modules[session.module].evening
    for date in {i.date for i in timetable.items}:
        today = timetable.items_on(date)
        for before, after in zip(today, today[1:], strict=False):
            assert before.end <= after.start
    assert all(events["opening"].date <= s.date <= events["closing"].date for s in sessions)


# -- site visits: any session, travel there and back ----------------------------------------------------


def test_a_half_day_visit_can_take_the_afternoon_of_day_1_after_the_opening() -> None:
    modules = [cf.module("v", "skills", 3, duration="half-day"), *[cf.module(f"s{n}", "skills", 3) for n in range(3)]]
    _, timetable = plan(modules, mix={"skills": 100}, days=2, total_hours=12, required=["v"],
                        site_visits=[{"module": "v", "day": 1, "slot": "afternoon"}],
                        events=[{"kind": "opening", "minutes": 30}])
    first_day = [item for item in lines(timetable) if item[0] == "2026-09-14"]
    assert first_day[0][4] == "opening" and first_day[-1][1:] == ("afternoon", "14:00", "16:35", "v")
    assert first_day[1][1] == "morning" and first_day[1][4].startswith("s"), "teaching before the visit"


def test_travel_is_on_the_timetable_before_and_after_the_visit() -> None:
    modules = [cf.module("v", "skills", 2, duration="half-day"), *[cf.module(f"s{n}", "skills", 3) for n in range(3)]]
    catalog, timetable = plan(modules, mix={"skills": 100}, days=2, total_hours=11, required=["v"], day=DAY,
                              site_visits=[{"module": "v", "day": 2, "slot": "morning", "travel": 25}])
    morning = [item for item in lines(timetable) if item[0] == "2026-09-15" and item[1] == "morning"]
    assert morning == [("2026-09-15", "morning", "08:30", "08:55", "travel-to-v"),
                       ("2026-09-15", "morning", "09:05", "10:45", "v"),
                       ("2026-09-15", "morning", "10:55", "11:20", "travel-back-v")]
    from kebao.packs.rows import timetable_rows

    programme = catalog.programmes["p"]
    rows = timetable_rows(catalog, programme, "教室", timetable.items, "zh")
    titles = [row.title for row in rows]
    assert "乘车前往现场教学点" in titles and "乘车返回" in titles
    places = {row.title: row.location for row in rows}  # on the road, not in the classroom
    assert places["乘车前往现场教学点"] == "途中 → 现场" and places["乘车返回"] == "途中" and places["模块v"] == "现场"
    english = {r.title: r.location for r in timetable_rows(catalog, programme, "Room", timetable.items, "en")}
    assert english["Travel to the site visit"] == "On the way → On site"


def test_a_visit_too_long_for_its_session_with_travel_fails_before_anything_runs() -> None:
    modules = [cf.module("v", "skills", 4, duration="half-day"), *[cf.module(f"s{n}", "skills", 4) for n in range(2)]]
    plan(modules, mix={"skills": 100}, days=2, total_hours=12, required=["v"], day=DAY,
         site_visits=[{"module": "v", "day": 1, "slot": "morning"}])  # 4 学时 fill the morning without travel
    with pytest.raises(PlanError, match="'v'"):
        plan(modules, mix={"skills": 100}, days=2, total_hours=12, required=["v"], day=DAY,
             site_visits=[{"module": "v", "day": 1, "slot": "morning", "travel": 20}])


def test_visit_slot_and_travel_are_schema_2_fields() -> None:
    modules = [cf.module("v", "skills", 3, duration="half-day"), cf.module("s", "skills", 3)]
    with pytest.raises(ValueError, match="'site_visits\\[\\].slot, travel, meet, bring and notes' is a schema-2"):
        plan(modules, schema=1, mix={"skills": 100}, days=1, required=["v"],
             site_visits=[{"module": "v", "day": 1, "travel": 20}])
