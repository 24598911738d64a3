"""Compose: which modules a cohort takes, why, and the 学时 per strand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kebao.catalog import load_catalog
from kebao.compose import Plan, compose
from kebao.errors import PlanError
from kebao.model import Cohort

from . import catalog_factory as cf
from .paths import FIXTURES

# 2026-09-14 is a Monday; the week has no holiday.
MONDAY = "2026-09-14"


def plan_for(modules: list[dict[str, Any]], cohort: Cohort | None = None, **programme: Any) -> Plan:
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", **programme)])
    catalog = cf.build(spec)
    return compose(catalog, catalog.programmes["p"], cohort)


def cohort(**fields: Any) -> Cohort:
    return Cohort.model_validate({"id": "c", "start": MONDAY, "size": 20, "venue": "教室", **fields})


def reasons(plan: Plan) -> dict[str, str]:
    """Why each module is in, said in English (the plan's reasons are codes; kebao.messages says them)."""
    return {item.module: item.reason.render("en") for item in plan.items}


def test_required_and_prerequisites_are_in_with_their_reasons_in_dependency_order() -> None:
    plan = plan_for([cf.module("basics", "skills", 2), cf.module("advanced", "skills", 2, prerequisites=["basics"]),
                     cf.module("other", "skills", 2)],
                    mix={"skills": 100}, total_hours=4, required=["advanced"], pools=[])
    assert plan.modules == ("basics", "advanced")
    assert reasons(plan) == {"basics": "prerequisite of advanced", "advanced": "required"}
    assert [i.kind for i in plan.items] == ["prerequisite", "required"]


def test_greedy_meets_the_mix_and_says_which_strand_each_module_was_chosen_for() -> None:
    modules = [cf.module("p1", "party-building", 4), cf.module("p2", "party-building", 4),
               cf.module("i1", "industry", 4), cf.module("i2", "industry", 4), cf.module("i3", "industry", 4),
               cf.module("s1", "skills", 4), cf.module("s2", "skills", 4)]
    plan = plan_for(modules, mix={"party-building": 25, "industry": 50, "skills": 25}, total_hours=16)
    assert sorted(plan.modules) == ["i1", "i2", "p1", "s1"]  # ties broken by id: i1 before i2 before i3
    assert reasons(plan)["i1"] == ("chosen for strand Industry: it still lacked 8 学时; of 3 candidate(s) that suit "
                                   "the audience, it was as close as i2, i3 and comes first by id")
    assert reasons(plan)["p1"].startswith("chosen for strand Party building: it still lacked 4 学时; of 2")
    why = plan.item("i2").reason
    assert (why.code, why["strand_id"], why["lacked"], why["candidates"]) == ("reason-chosen", "industry", 4, 2)
    assert why["basis"].code == "basis-tie" and why["basis"]["others"] == ("i3",)
    assert [(s.id, s.target_hours, s.hours) for s in plan.strands] == [
        ("party-building", 4, 4), ("industry", 8, 8), ("skills", 4, 4)]
    assert plan.total_hours == 16 and plan.target_hours == 16


def test_greedy_stops_when_another_module_would_only_add_error() -> None:
    # target 5 学时 of skills: a 4 takes the error to 1; a further 4 would make it 3.
    plan = plan_for([cf.module("a", "skills", 4), cf.module("b", "skills", 4)], mix={"skills": 100}, total_hours=5)
    assert plan.modules == ("a",)
    assert plan.strands[0].error == -1


def test_same_inputs_give_the_same_plan() -> None:
    modules = [cf.module(f"m{n}", ("industry", "skills")[n % 2], 1 + n % 3) for n in range(12)]
    first = plan_for(modules, mix={"industry": 60, "skills": 40}, total_hours=14)
    second = plan_for(list(reversed(modules)), mix={"industry": 60, "skills": 40}, total_hours=14)
    assert first == second


def test_other_audiences_and_electives_are_never_chosen_unless_listed_by_id() -> None:
    modules = [cf.module("theirs", "skills", 4, audiences=["others"]), cf.module("optional", "skills", 4,
               elective=True), cf.module("ours", "skills", 4, audiences=["cadres"])]
    plan = plan_for(modules, mix={"skills": 100}, total_hours=4)
    assert plan.modules == ("ours",)
    with pytest.raises(PlanError, match="short by 4 学时"):
        plan_for(modules, mix={"skills": 100}, total_hours=8)
    listed = plan_for(modules, mix={"skills": 100}, total_hours=8,
                      pools=[{"strands": ["skills"]}, {"modules": ["optional", "theirs"]}])
    assert sorted(listed.modules) == ["optional", "ours"]  # listed by id lifts 'elective', never the audience


def test_pool_formats_select_only_those_formats() -> None:
    modules = [cf.module("talk", "skills", 4), cf.module("hands-on", "skills", 4, format="workshop")]
    plan = plan_for(modules, mix={"skills": 100}, total_hours=4,
                    pools=[{"strands": ["skills"], "formats": ["workshop"]}])
    assert plan.modules == ("hands-on",)


def test_a_candidate_whose_prerequisite_is_barred_is_not_a_candidate() -> None:
    modules = [cf.module("theirs", "skills", 2, audiences=["others"]),
               cf.module("follow-up", "skills", 2, prerequisites=["theirs"]), cf.module("plain", "skills", 2)]
    plan = plan_for(modules, mix={"skills": 100}, total_hours=2)
    assert plan.modules == ("plain",)


def test_cohort_overrides_mix_exclude_extra_days_and_language() -> None:
    modules = [cf.module("i1", "industry", 4), cf.module("i2", "industry", 4), cf.module("s1", "skills", 4),
               cf.module("s2", "skills", 4), cf.module("w1", "wellbeing", 2)]
    base = {"mix": {"industry": 50, "skills": 50}, "days": 1}  # one day: 8 学时
    assert sorted(plan_for(modules, **base).modules) == ["i1", "s1"]
    assert sorted(plan_for(modules, cohort(mix={"industry": 100}), **base).modules) == ["i1", "i2"]
    assert sorted(plan_for(modules, cohort(exclude=["i1", "s1"]), **base).modules) == ["i2", "s2"]
    plan = plan_for(modules, cohort(extra=["w1"], language="en", days=2), **base)
    assert reasons(plan)["w1"] == "added by cohort c"
    assert plan.language == "en" and plan.days == 2 and plan.target_hours == 16
    assert sorted(plan.modules) == ["i1", "i2", "s1", "w1"]  # s2 would pass the 16 学时 two days hold
    assert plan.cohort.mix == {"industry": 50, "skills": 50}  # the effective mix is recorded


def test_strands_outside_the_mix_count_and_are_reported_with_target_0() -> None:
    modules = [cf.module("w1", "wellbeing", 2), *(cf.module(f"s{n}", "skills", 4) for n in range(3))]
    plan = plan_for(modules,
                    mix={"skills": 100}, total_hours=10, required=["w1"])
    assert [(s.id, s.target_hours, s.hours) for s in plan.strands] == [("skills", 10, 8), ("wellbeing", 0, 2)]
    assert plan.total_hours == 10


def test_site_visits_are_in_the_plan_with_their_day() -> None:
    plan = plan_for([cf.module("trip", "industry", 8, duration="whole-day"), cf.module("i1", "industry", 4)],
                    mix={"industry": 100}, total_hours=12, site_visits=[{"module": "trip", "day": "last"}])
    assert reasons(plan) == {"trip": "site visit on the last teaching day",
                             "i1": "chosen for strand Industry: it still lacked 4 学时; of 1 candidate(s) that suit "
                                   "the audience, it was the only one that fitted"}


def test_without_total_hours_the_target_is_what_the_teaching_days_hold() -> None:
    # 2026-09-28 (Mon) for 7 days: 28 Sep-30 Sep teach, 1-7 Oct is 国庆; arrival takes the first day.
    modules = [cf.module(f"s{n}", "skills", 4) for n in range(6)]
    plan = plan_for(modules, mix={"skills": 100}, days=7, start="2026-09-28", arrival=True)
    assert plan.target_hours == 2 * 8 and plan.capacity == 16
    assert plan.total_hours == 16


def test_a_strand_short_of_modules_fails_saying_by_how_much_and_what_to_do() -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    with pytest.raises(PlanError) as caught:
        compose(catalog, catalog.programmes["cadres-course"])
    error = caught.value.in_language("en")
    assert "strand Skills is short by 4.4 学时" in error.message
    assert "target 8.4 = 30% of 28" in error.message
    assert "pools" in error.hint and "--set mix.skills=" in error.hint
    assert "技能差 4.4 学时（目标 8.4 = 30% × 28" in str(caught.value), "said in the programme's language"


def test_required_hours_above_the_total_fail() -> None:
    with pytest.raises(PlanError, match=r"take 8 学时, more than the 6 学时"):
        plan_for([cf.module("a", "skills", 4), cf.module("b", "skills", 4)], mix={"skills": 100}, total_hours=6,
                 required=["a", "b"])


def test_total_hours_beyond_the_calendar_fail_before_composing() -> None:
    # 8 days from 2024-10-01: 国庆 takes 1-7 Oct, so only Tuesday 8 Oct teaches (8 学时 at most).
    with pytest.raises(PlanError) as caught:
        plan_for([cf.module("a", "skills", 4)], mix={"skills": 100}, total_hours=20, days=8, start="2024-10-01")
    assert "needs 20 学时" in str(caught.value) and "hold at most 8 (1 teaching day(s)" in str(caught.value)
    assert "add days" in caught.value.hint


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("exclude", ["a"], "required module 'a' is excluded by cohort 'c'"),
    ("extra", ["theirs"], "extra module 'theirs' is meant for audience(s) others, not 'cadres'"),
    ("exclude", ["basics"], "module 'basics' is a prerequisite of 'a' (required module) but is excluded"),
])
def test_contradictory_cohort_requests_fail(field: str, value: list[str], expected: str) -> None:
    modules = [cf.module("basics", "skills", 2), cf.module("a", "skills", 2, prerequisites=["basics"]),
               cf.module("theirs", "skills", 2, audiences=["others"])]
    with pytest.raises(PlanError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        plan_for(modules, cohort(**{field: value}), mix={"skills": 100}, total_hours=4, required=["a"])


def test_unknown_ids_in_a_cohort_fail_with_did_you_mean() -> None:
    with pytest.raises(PlanError, match="did you mean 'skills-1'"):
        plan_for([cf.module("skills-1", "skills", 4)], cohort(exclude=["skils-1"]), mix={"skills": 100},
                 total_hours=4)


def test_a_required_site_visit_module_must_be_placed_on_a_day() -> None:
    with pytest.raises(PlanError, match="does not place on a day"):
        plan_for([cf.module("trip", "skills", 4, duration="half-day")], mix={"skills": 100}, total_hours=4,
                 required=["trip"])


def test_a_strand_over_its_target_because_of_required_modules_is_explained() -> None:
    skills = [cf.module(f"s{n}", "skills", 2) for n in range(3)]
    plan = plan_for([cf.module("big", "industry", 6), *skills],
                    mix={"industry": 25, "skills": 75}, total_hours=8, required=["big"],
                    pools=[{"strands": ["skills"]}])
    industry = plan.strands[0]
    assert industry.error == 4
    # 4 over is within one module (6 学时): no note needed; make the module smaller than the error.
    plan = plan_for([cf.module("a", "industry", 3), cf.module("b", "industry", 3), *skills],
                    mix={"industry": 25, "skills": 75}, total_hours=8, required=["a", "b"],
                    pools=[{"strands": ["skills"]}])
    assert plan.strands[0].error == 4
    assert any("strand Industry is 4 学时 over its target" in note.render("en") for note in plan.notes)


def test_the_capacity_stops_the_choice_and_the_plan_says_so() -> None:
    # One teaching day holds 8. s1 (6 学时, skills target 4) cuts the error by 2, each 1-学时 industry
    # module by 1: s1 first, then i0 and i1; i2 would make 9 学时.
    industry = [cf.module(f"i{n}", "industry", 1) for n in range(4)]
    plan = plan_for([*industry, cf.module("s1", "skills", 6)], mix={"industry": 50, "skills": 50},
                    total_hours=8, days=1)
    assert plan.modules == ("s1", "i0", "i1")
    assert plan.strands[0].error == -2
    assert "strand Industry is 2 学时 under its target: adding i2, i3 would exceed the 8 学时" in \
        plan.notes[0].render("en")


def test_plan_json_form() -> None:
    plan = plan_for([cf.module("s1", "skills", 4)], mix={"skills": 100}, total_hours=4)
    data = plan.to_json_dict()
    assert data["programme"] == "p"
    assert data["cohort"]["start"] == MONDAY and data["cohort"]["days"] == 5
    assert data["strands"] == [{"id": "skills", "name": "技能", "target_hours": 4, "hours": 4}]
    reason = ("chosen for strand Skills: it still lacked 4 学时; of 1 candidate(s) that suit the audience, it was "
              "the only one that fitted")
    assert data["modules"] == [{"module": "s1", "strand": "skills", "hours": 4, "kind": "chosen", "group": None,
                                "occurrence": 1, "times": 1,
                                "reason": reason,
                                "why": {"code": "reason-chosen", "text": reason, "params": {
                                    "strand": {"zh": "技能", "en": "Skills"}, "strand_id": "skills", "lacked": 4,
                                    "candidates": 1, "basis": {"code": "basis-only", "params": {}}}}}]
    assert isinstance(dt.date.fromisoformat(data["cohort"]["start"]), dt.date)


# -- whole-module capacity, advice that helps, reasons (designer's report) ---------------------------------------


SENIORS = {"day": 3, "session": 2}  # two 2-学时 modules need 4: one a day


def plan_with(audience: dict[str, Any], modules: list[dict[str, Any]], cohort: Cohort | None = None,
              **programme: Any) -> Plan:
    spec = cf.Spec(modules=modules, programmes=[cf.programme("p", **programme)],
                   audiences=[cf.audience("cadres", **audience), cf.audience("others")])
    catalog = cf.build(spec)
    return compose(catalog, catalog.programmes["p"], cohort)


def test_required_modules_that_do_not_fit_whole_fail_early_saying_how_many_days() -> None:
    # 4 teaching days hold 12 学时 in all, but only four whole 2-学时 modules (3 a day, 2 a session).
    modules = [cf.module(f"s{n}", "skills", 2) for n in range(5)]
    with pytest.raises(PlanError) as caught:
        plan_with(SENIORS, modules, cohort(days=4), mix={"skills": 100}, days=5, total_hours=10,
                  required=[m["id"] for m in modules])
    message = str(caught.value)
    assert "do not fit whole" in message and "4 teaching day(s)" in message
    assert "--set days=5" in caught.value.hint
    assert plan_with(SENIORS, modules, mix={"skills": 100}, days=5, total_hours=10,
                     required=[m["id"] for m in modules]).total_hours == 10


def test_the_choice_stops_at_what_whole_modules_fill_and_the_plan_says_so() -> None:
    # Two days of 3 学时 (sessions of 2) hold two 2-学时 modules, not three, though 6 学时 fit in all.
    modules = [cf.module(f"s{n}", "skills", 2) for n in range(4)]
    plan = plan_with(SENIORS, modules, mix={"skills": 100}, days=2, total_hours=6)
    assert plan.modules == ("s0", "s1")
    assert any("fit whole" in note.render("en") and "s2" in note.render("en") for note in plan.notes), plan.notes


def test_a_short_strand_that_pools_already_take_says_the_catalogue_has_no_more() -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    with pytest.raises(PlanError) as caught:
        compose(catalog, catalog.programmes["cadres-course"])  # its pools already take every skills module
    hint = caught.value.in_language("en").hint
    assert "add modules of strand Skills to a pool" not in hint
    assert "no more modules of strand Skills for audience 'cadres'" in hint
    assert "write new" in hint and "--set mix.skills=" in hint
    # without a pool for the strand, adding one is the advice
    with pytest.raises(PlanError) as caught:
        plan_for([cf.module("i1", "industry", 4), cf.module("s1", "skills", 4)],
                 mix={"industry": 50, "skills": 50}, total_hours=8, pools=[{"strands": ["industry"]}])
    assert "add modules of strand Skills to a pool (pools: - strands: [skills])" in caught.value.hint


def test_capacity_advice_suggests_only_what_would_help() -> None:
    # cadres already teach at weekends and in the evening: do not suggest it; say how many days are needed.
    modules = [cf.module(f"s{n}", "skills", 4) for n in range(8)]
    audience = {"day": 8, "session": 4, "weekends": True, "evenings": True}
    with pytest.raises(PlanError) as caught:
        plan_with(audience, modules, cohort(days=2), mix={"skills": 100}, days=5, total_hours=32)
    hint = caught.value.hint
    assert "weekend" not in hint and "evening" not in hint
    assert "--set days=4" in hint
    assert "total_hours in the programme" in hint
    # a programme that turned weekends off may turn them back on, if that adds room
    with pytest.raises(PlanError) as caught:
        plan_with(audience, modules, mix={"skills": 100}, days=4, start="2026-09-11", total_hours=32,
                  weekends=False)
    assert "weekends" in caught.value.hint and "days: 6" in caught.value.hint


def test_a_required_module_that_is_also_a_prerequisite_says_required() -> None:
    modules = [cf.module("basics", "skills", 2), cf.module("advanced", "skills", 2, prerequisites=["basics"])]
    plan = plan_for(modules, mix={"skills": 100}, total_hours=4, required=["advanced", "basics"], pools=[])
    assert plan.modules == ("basics", "advanced")
    assert plan.item("basics").kind == "required"
    assert reasons(plan)["basics"] == "required, also prerequisite of advanced"
