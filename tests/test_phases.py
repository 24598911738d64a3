"""Phases, venues and delivery modes (schema 2): 集中培训 → 基地研修 → 返岗实践 → 总结交流, online and self-paced."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kebao.catalog import Catalog, load_catalog
from kebao.cli import main
from kebao.compose import compose
from kebao.errors import ContentError
from kebao.schedule import schedule
from kebao.timetable import Session, Timetable

from . import catalog_factory as cf
from .paths import REPO

D = dt.date.fromisoformat


def plan(modules: list[dict[str, Any]], **programme: Any) -> tuple[Catalog, Timetable]:
    programme.setdefault("schema", 2)
    data = cf.programme("p", **programme)
    if "phases" in programme and "days" not in programme:
        del data["days"]  # the phases' days
    spec = cf.Spec(modules=modules, programmes=[data])
    catalog = cf.build(spec)
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def threes(prefix: str, count: int, **fields: Any) -> list[dict[str, Any]]:
    return [cf.module(f"{prefix}{n}", "skills", 3, **fields) for n in range(count)]


PHASES = [{"id": "one", "title": {"zh": "集中培训", "en": "Intensive"}, "days": 5, "venue": "campus",
           "modules": ["a0", "a1", "a2"]},
          {"id": "away", "title": {"zh": "返岗实践", "en": "Back at work"}, "days": 14, "mode": "at-work"},
          {"id": "two", "title": {"zh": "总结交流", "en": "Review"}, "days": 2, "gap": 2, "venue": "campus"}]
VENUES = [{"id": "campus", "name": {"zh": "学院本部", "en": "Main campus"}}]


def test_phases_follow_each_other_and_each_teaches_its_own_modules() -> None:
    # 2026-11-02 is a Monday: one = 11-02..11-06, away = 11-07..11-20, two = 11-23..11-24 (after a 2-day gap)
    _, timetable = plan([*threes("a", 3), *threes("b", 2)], mix={"skills": 100}, total_hours=15,
                        start="2026-11-02", phases=PHASES, venues=VENUES)
    assert timetable.plan.days == 21  # days left out: the phases' days
    spans = [(s.phase, s.first.isoformat(), s.last.isoformat(), s.teaches) for s in timetable.phases]
    assert spans == [("one", "2026-11-02", "2026-11-06", True), ("away", "2026-11-07", "2026-11-20", False),
                     ("two", "2026-11-23", "2026-11-24", True)]
    by_module = {s.module: s for s in timetable.sessions}
    assert {by_module[m].phase for m in ("a0", "a1", "a2")} == {"one"}
    assert {by_module[m].phase for m in ("b0", "b1")} == {"two"}  # the rest goes to the phase that lists none
    assert all(s.venue == "campus" and s.mode == "face-to-face" for s in timetable.sessions)
    assert not [d for d in timetable.days if D("2026-11-07") <= d.date <= D("2026-11-20")]  # at work: no days
    assert {d.phase for d in timetable.days} == {"one", "two"}


def test_a_venue_closed_on_a_weekday_does_not_teach_then() -> None:
    venues = [{"id": "museum", "name": {"zh": "纪念馆", "en": "Museum"}, "kind": "site", "closed": ["mon"]}]
    phases = [{"id": "visit", "title": {"zh": "现场教学", "en": "On site"}, "days": 3, "venue": "museum"}]
    _, timetable = plan(threes("a", 2), mix={"skills": 100}, total_hours=6, start="2026-11-02", phases=phases,
                        venues=venues)
    assert [(d.date.isoformat(), d.kind, d.label) for d in timetable.days][0] == ("2026-11-02", "closed", "场地休息")
    assert {s.date for s in timetable.sessions} <= {D("2026-11-03"), D("2026-11-04")}


def test_self_paced_modules_count_hours_take_no_session_and_open_with_their_phase() -> None:
    phases = [{"id": "online", "title": {"zh": "线上学习", "en": "Online"}, "days": 14, "mode": "self-paced",
               "modules": ["s0", "s1"]},
              {"id": "class", "title": {"zh": "集中面授", "en": "In class"}, "days": 2}]
    modules = [*threes("s", 2, schema=2, delivery="self-paced"), *threes("c", 4)]
    _, timetable = plan(modules, mix={"skills": 100}, total_hours=18, start="2026-11-02", phases=phases)
    assert [(s.module, s.opens.isoformat(), s.due.isoformat(), s.phase) for s in timetable.self_paced] == [
        ("s0", "2026-11-02", "2026-11-15", "online"), ("s1", "2026-11-02", "2026-11-15", "online")]
    assert {s.module for s in timetable.sessions} == {"c0", "c1", "c2", "c3"}
    assert {s.date for s in timetable.sessions} <= {D("2026-11-16"), D("2026-11-17")}
    assert timetable.total_hours == 18 == timetable.plan.total_hours


def test_live_online_sessions_have_no_venue() -> None:
    phases = [{"id": "live", "title": {"zh": "线上直播", "en": "Live"}, "days": 1, "mode": "live-online"},
              {"id": "class", "title": {"zh": "面授", "en": "In class"}, "days": 2, "gap": 5, "venue": "campus"}]
    modules = [cf.module("webinar", "skills", 2, schema=2, delivery="live-online"), *threes("c", 2)]
    _, timetable = plan(modules, mix={"skills": 100}, total_hours=8, start="2026-11-02", phases=phases,
                        venues=VENUES)
    for session in timetable.sessions:
        online = session.phase == "live" or session.module == "webinar"
        assert (session.mode, session.venue) == (("live-online", None) if online else ("face-to-face", "campus"))


@pytest.mark.parametrize(("fields", "message"), [
    ({"phases": PHASES, "venues": VENUES, "days": 9}, r"days \(9\) differs from the phases' 21 days"),
    ({"phases": PHASES}, "phase 'one': venue 'campus' is not in venues"),
    ({"phases": [PHASES[0], {**PHASES[2], "modules": ["a0"]}], "venues": VENUES},
     "module 'a0' is listed in several phases"),
    ({"phases": [PHASES[0], {**PHASES[1], "modules": ["b0"]}], "venues": VENUES}, "phase 'away' is back at work"),
    ({"phases": [PHASES[1]]}, "at least one phase must be face-to-face or live online"),
    ({"phases": PHASES, "venues": VENUES, "calendar": {"every": "week", "weekdays": ["mon"]}},
     "a programme in phases has no calendar"),
    ({"phases": PHASES, "venues": [*VENUES, *VENUES]}, "'campus' is listed twice"),
])
def test_phase_mistakes_are_refused(fields: dict[str, Any], message: str) -> None:
    data = cf.programme("p", mix={"skills": 100}, schema=2, **fields)
    if "days" not in fields:
        del data["days"]
    with pytest.raises(Exception, match=message):
        cf.build(cf.Spec(modules=[*threes("a", 3), *threes("b", 2)], programmes=[data]))


def test_a_self_paced_module_in_a_teaching_phase_is_a_located_problem(tmp_path: Any) -> None:
    phases = [{"id": "class", "title": {"zh": "面授", "en": "In class"}, "days": 2, "modules": ["s0"]}]
    spec = cf.Spec(modules=threes("s", 1, schema=2, delivery="self-paced"),
                   programmes=[{**cf.programme("p", mix={"skills": 100}, schema=2, phases=phases)}])
    spec.programmes[0].pop("days")
    root = cf.write(tmp_path / "repo", spec)
    with pytest.raises(ContentError) as caught:
        load_catalog(root)
    (problem,) = caught.value.problems
    assert problem.field == "phases[0].modules[0]" and "self-paced module 's0' takes no session" in problem.message
    assert problem.location.line > 1 and "mode: self-paced" in problem.said("zh")[1]


# -- the example programme ---------------------------------------------------------------------------------


def test_the_shadow_principal_programme_runs_in_its_four_phases() -> None:
    """Golden plan: a week on campus, a fortnight at base schools, a month back at school, two days' review."""
    catalog = load_catalog(REPO)
    timetable = schedule(catalog, compose(catalog, catalog.programmes["shadow-principal-placement"]))
    spans = [(s.phase, s.mode, s.first.isoformat(), s.last.isoformat(), s.venue) for s in timetable.phases]
    assert spans == [("intensive", "face-to-face", "2026-10-12", "2026-10-16", "campus"),
                     ("base-school", "face-to-face", "2026-10-19", "2026-10-30", "base-schools"),
                     ("back-at-school", "at-work", "2026-10-31", "2026-11-27", None),
                     ("review", "face-to-face", "2026-11-30", "2026-12-01", "campus")]
    where = {(s.module, s.phase, s.venue) for s in timetable.sessions}
    assert {m for m, phase, _ in where if phase == "base-school"} == {"shadow-principal-placement",
                                                                      "shadow-principal-diagnosis"}
    assert {m for m, phase, _ in where if phase == "review"} == {"shadow-principal-showcase"}
    assert all(venue == ("base-schools" if phase == "base-school" else "campus") for _, phase, venue in where)
    placement = [s for s in timetable.sessions if s.module == "shadow-principal-placement"]
    diagnosis = [s for s in timetable.sessions if s.module == "shadow-principal-diagnosis"]
    assert len(placement) == 16 and max(s.date for s in placement) < min(s.date for s in diagnosis)
    last = [(i.date.isoformat(), i.start, i.end, i.module if isinstance(i, Session) else i.event)
            for i in timetable.items][-2:]
    assert last == [("2026-12-01", "08:30", "11:05", "shadow-principal-showcase"),
                    ("2026-12-01", "11:15", "11:55", "closing")]  # after the day's last item, not at 14:00
    assert timetable.plan.total_hours == 90


def test_kebao_plan_shows_the_phases_and_json_carries_phase_mode_and_venue(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "shadow-principal-placement", "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "【基地研修】2026-10-19 至 2026-10-30 · 面授 · 城区基地学校（四所，学员分组跟岗）" in out
    assert "【返岗实践】2026-10-31 至 2026-11-27 · 返岗实践" in out
    assert main(["plan", "shadow-principal-placement", "--root", str(REPO), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    teaching = [i for i in data["items"] if i["kind"] == "teaching"]
    assert {(i["phase"], i["venue"], i["mode"]) for i in teaching} == {
        ("intensive", "campus", "face-to-face"), ("base-school", "base-schools", "face-to-face"),
        ("review", "campus", "face-to-face")}
    assert all("group" in i for i in teaching)
    assert [p["phase"] for p in data["phases"]] == ["intensive", "base-school", "back-at-school", "review"]


def test_the_blended_veterans_course_has_its_online_segment() -> None:
    """Golden plan: two weeks self-paced online (no sessions), a live online morning, three days on site."""
    catalog = load_catalog(REPO)
    timetable = schedule(catalog, compose(catalog, catalog.programmes["veterans-blended-transition"]))
    assert [(s.module, s.opens.isoformat(), s.due.isoformat()) for s in timetable.self_paced] == [
        ("veteran-career-interests-online", "2026-11-02", "2026-11-15"),
        ("veteran-policy-online", "2026-11-02", "2026-11-15")]
    live = [(s.date.isoformat(), s.module, s.mode, s.venue) for s in timetable.sessions if s.phase == "live-kickoff"]
    assert live == [("2026-11-16", "veteran-psychological-adjustment", "live-online", None)]
    on_site = [s for s in timetable.sessions if s.phase == "on-site"]
    assert len(on_site) == 5 and {(s.mode, s.venue) for s in on_site} == {("face-to-face", "service-centre")}
    assert {s.date for s in on_site} == {D("2026-11-18"), D("2026-11-19"), D("2026-11-20")}
    assert timetable.total_hours == timetable.plan.total_hours == 24  # 6 self-paced + 18 in sessions
    assert [e.event for e in timetable.events] == ["opening", "closing"]
    assert timetable.events[0].date == D("2026-11-18")  # the opening is on site, on the second teaching day


# -- capacity per phase (compose fails early, naming the phase) ---------------------------------------------


def test_a_phase_listing_more_than_its_days_hold_fails_in_compose_naming_the_phase() -> None:
    from kebao.errors import PlanError

    phases = [{"id": "one", "title": {"zh": "集中培训", "en": "Intensive"}, "days": 1, "modules": ["a0", "a1", "a2"]},
              {"id": "two", "title": {"zh": "总结交流", "en": "Review"}, "days": 5}]
    data = cf.programme("p", mix={"skills": 100}, schema=2, start="2026-11-02", phases=phases, pools=[])
    del data["days"], data["mix"]
    catalog = cf.build(cf.Spec(modules=threes("a", 3), programmes=[data]))
    assert catalog.programmes["p"].days == 6  # globally 6 days hold far more than 9 学时
    with pytest.raises(PlanError) as caught:
        compose(catalog, catalog.programmes["p"])
    said = str(caught.value)
    assert "phase Intensive (one) lists need 9 学时, but its 1 teaching day(s) hold at most 8" in said
    assert "give the phase more days (phases[].days)" in said and "phases[].modules" in said
    zh = caught.value.in_language("zh")
    assert "阶段 集中培训 (one) 列出的模块需要 9 学时" in str(zh)


def test_modules_no_phase_lists_must_fit_the_phases_listing_none() -> None:
    from kebao.errors import PlanError

    phases = [{"id": "one", "title": {"zh": "集中培训", "en": "Intensive"}, "days": 1, "modules": ["a0"]},
              {"id": "two", "title": {"zh": "总结交流", "en": "Review"}, "days": 1}]
    data = cf.programme("p", mix={"skills": 100}, schema=2, start="2026-11-02", phases=phases, pools=[],
                        required=["a0", "b0", "b1", "b2"])
    del data["days"], data["mix"]
    catalog = cf.build(cf.Spec(modules=[*threes("a", 1), *threes("b", 3)], programmes=[data]))
    with pytest.raises(PlanError, match=r"the modules no phase lists need 9 学时, but the phases listing none "
                                        r"\(Review \(two\)\) hold at most 8 in 1 teaching day"):
        compose(catalog, catalog.programmes["p"])


def test_chosen_modules_go_only_where_the_open_phases_have_room() -> None:
    # one: 1 day lists a0..a1 (6 of 8 学时); two: 1 open day of 8. A mix plan may not fill one's spare 2 with b's.
    phases = [{"id": "one", "title": {"zh": "集中培训", "en": "Intensive"}, "days": 1, "modules": ["a0", "a1"]},
              {"id": "two", "title": {"zh": "总结交流", "en": "Review"}, "days": 1}]
    data = cf.programme("p", mix={"skills": 100}, schema=2, start="2026-11-02", phases=phases,
                        pools=[{"modules": [f"b{n}" for n in range(5)]}], total_hours=16)
    del data["days"]
    catalog = cf.build(cf.Spec(modules=[*threes("a", 2), *(cf.module(f"b{n}", "skills", 2) for n in range(5))],
                               programmes=[data]))
    timetable = schedule(catalog, compose(catalog, catalog.programmes["p"]))  # no "plan too big"
    assert sum(s.hours for s in timetable.sessions if s.phase == "two") == 8  # 4 of the 5 b's: what two holds
    assert timetable.plan.total_hours == 14


@pytest.mark.parametrize(("fields", "field", "line"), [
    ({"phases": PHASES, "venues": [{"id": "elsewhere", "name": {"zh": "别处", "en": "Elsewhere"}}]},
     "phases[0].venue", "phases"),
    ({"phases": [PHASES[0], {**PHASES[2], "modules": ["b0", "a0"]}], "venues": VENUES},
     "phases[1].modules[1]", "phases"),
    ({"phases": PHASES, "venues": VENUES, "days": 9}, "days", "days"),
])
def test_a_phase_rule_is_located_at_its_field_not_the_file_start(tmp_path: Any, fields: dict[str, Any],
                                                                 field: str, line: str) -> None:
    data = cf.programme("p", mix={"skills": 100}, schema=2, **fields)
    if "days" not in fields:
        del data["days"]
    root = cf.write(tmp_path / "repo", cf.Spec(modules=[*threes("a", 3), *threes("b", 2)], programmes=[data]))
    with pytest.raises(ContentError) as caught:
        load_catalog(root)
    (problem,) = caught.value.problems
    assert problem.field == field and problem.location.line > 1
    text = (root / "curricula" / "programmes" / "p.yml").read_text(encoding="utf-8").splitlines()
    assert text[problem.location.line - 1].startswith(line), text[problem.location.line - 1]
