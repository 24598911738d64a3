"""Deliberate repeats (schema 2 ``repeat``): a module taught more than once is a session each time, in every
output; a module listed twice without ``repeat`` is an error that suggests it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kebao.catalog import Catalog, load_catalog
from kebao.cli import main
from kebao.compose import compose
from kebao.errors import ContentError
from kebao.packs.rows import credit_rows, timetable_rows
from kebao.schedule import schedule
from kebao.timetable import Timetable

from . import catalog_factory as cf

MODULES = [cf.module("safety", "skills", 1), cf.module("a0", "skills", 3), cf.module("a1", "skills", 3),
           cf.module("b0", "skills", 3)]
PHASES = [{"id": "one", "title": {"zh": "集中培训", "en": "Intensive"}, "days": 2, "modules": ["safety", "a0", "a1"]},
          {"id": "two", "title": {"zh": "基地研修", "en": "At the base"}, "days": 2, "gap": 1,
           "modules": ["safety", "b0"]}]


def plan(modules: list[dict[str, Any]] = MODULES, **fields: Any) -> tuple[Catalog, Timetable]:
    data = cf.programme("p", mix={"skills": 100}, schema=2, pools=[], **fields)
    if "phases" in fields:
        del data["days"]
    data.pop("mix")
    catalog = cf.build(cf.Spec(modules=modules, programmes=[data]))
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def test_a_repeated_required_module_is_a_session_each_time_and_counts_its_hours_each_time() -> None:
    catalog, timetable = plan(required=["safety", "a0", "a1"], repeat={"safety": 3}, days=3)
    items = [i for i in timetable.plan.items if i.module == "safety"]
    assert [(i.occurrence, i.times) for i in items] == [(1, 3), (2, 3), (3, 3)]
    assert timetable.plan.total_hours == 3 * 1 + 3 + 3 == timetable.total_hours
    sessions = [s for s in timetable.sessions if s.module == "safety"]
    assert [(s.occurrence, s.times) for s in sessions] == [(1, 3), (2, 3), (3, 3)]
    assert [s.starts_at() for s in sessions] == sorted(s.starts_at() for s in sessions)  # in order
    assert len({(s.date, s.start) for s in sessions}) == 3
    assert timetable.plan.modules.count("safety") == 1  # one module page, one credit line
    assert dict(timetable.plan.module_hours)["safety"] == 3
    credits = credit_rows(catalog, catalog.programmes["p"], timetable.plan.module_hours, "zh")
    assert [(c.module, c.hours) for c in credits if c.module == "safety"] == [("safety", 3)]
    rows = timetable_rows(catalog, catalog.programmes["p"], "培训中心", timetable.items, "zh")
    titles = [r.title for r in rows if r.module == "safety"]
    assert titles == ["模块safety（第1次）", "模块safety（第2次）", "模块safety（第3次）"]  # a sign-in sheet each
    reasons = [i.reason.render("zh") for i in items]
    assert reasons[1] == "必修（第 2 次，共 3 次）"


def test_a_module_listed_in_each_phase_with_repeat_is_taught_once_in_each() -> None:
    _, timetable = plan(phases=PHASES, repeat={"safety": 2}, start="2026-11-02")
    sessions = [(s.occurrence, s.phase) for s in timetable.sessions if s.module == "safety"]
    assert sessions == [(1, "one"), (2, "two")]
    reasons = [i.reason.render("zh") for i in timetable.plan.items if i.module == "safety"]
    assert reasons == ["安排在集中培训阶段（第 1 次，共 2 次）", "安排在基地研修阶段（第 2 次，共 2 次）"]
    assert timetable.total_hours == 2 + 9


def test_a_repeat_listed_in_one_phase_is_taught_there_every_time() -> None:
    phases = [{**PHASES[0], "modules": ["a0", "a1"]}, {**PHASES[1], "modules": ["safety", "b0"]}]
    _, timetable = plan(phases=phases, repeat={"safety": 2}, start="2026-11-02")
    assert [s.phase for s in timetable.sessions if s.module == "safety"] == ["two", "two"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"required": ["safety", "a0", "safety"]},
     r"required module 'safety' is listed 2 times; list it once, and to teach it 2 times add repeat: \{safety: 2\}"),
    ({"phases": PHASES}, r"listed in several phases; list it once, or to teach it once in each, add repeat: "
                         r"\{safety: 2\}"),
    ({"required": ["a0"], "repeat": {"safety": 2}}, "module 'safety' in repeat is neither required nor in a phase"),
    ({"required": ["safety"], "repeat": {"safety": 1}}, "greater than or equal to 2"),
    ({"phases": PHASES, "repeat": {"safety": 3}}, r"taught 3 times but listed in 2 phases"),
    ({"required": ["safety"], "repeat": {"safety": 2}, "placements": [{"module": "safety", "day": 1}]},
     "module 'safety' is placed, a site visit or a group's"),
])
def test_repeat_mistakes_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(Exception, match=message):
        plan(**fields)


def test_repeat_is_a_schema_2_field() -> None:
    data = cf.programme("p", mix={"skills": 100}, required=["safety"], repeat={"safety": 2})
    with pytest.raises(Exception, match="repeat"):
        cf.build(cf.Spec(modules=MODULES, programmes=[data]))


def test_an_accidental_duplicate_is_located_at_its_line_and_suggests_repeat(tmp_path: Path) -> None:
    spec = cf.Spec(modules=MODULES, programmes=[cf.programme("p", mix={"skills": 100}, schema=2,
                                                             required=["safety", "a0", "safety"])])
    root = cf.write(tmp_path / "repo", spec)
    with pytest.raises(ContentError) as caught:
        load_catalog(root)
    (problem,) = caught.value.problems
    assert problem.field == "required" and "repeat: {safety: 2}" in problem.said("zh")[0]
    assert "列了 2 次" in problem.said("zh")[0]


def test_kebao_plan_lists_each_time_in_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = cf.programme("p", mix={"skills": 100}, schema=2, pools=[], required=["safety", "a0", "a1"],
                        repeat={"safety": 2}, days=2)
    data.pop("mix")
    root = cf.write(tmp_path / "repo", cf.Spec(modules=MODULES, programmes=[data]))
    assert main(["plan", "p", "--root", str(root), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    safety = [i for i in out["items"] if i.get("module") == "safety"]
    assert [(i["occurrence"], i["times"]) for i in safety] == [(1, 2), (2, 2)]
    assert [(m["occurrence"], m["times"]) for m in out["modules"] if m["module"] == "safety"] == [(1, 2), (2, 2)]
    assert out["total_hours"] == 8
    assert main(["plan", "p", "--root", str(root)]) == 0
    text = capsys.readouterr().out
    assert "(time 1 of 2)" in text and "(time 2 of 2)" in text


def test_each_time_has_its_own_sign_in_sheet_calendar_event_and_timetable_row(tmp_path: Path) -> None:
    from icalendar import Calendar
    from openpyxl import load_workbook

    from kebao.packs import sheets, writers

    catalog, timetable = plan(required=["safety", "a0", "a1"], repeat={"safety": 3}, days=3)
    rows = timetable_rows(catalog, catalog.programmes["p"], "培训中心", timetable.items, "zh")
    book = load_workbook(sheets.write_attendance_xlsx(rows, tmp_path / "a.xlsx", "班", 5, "zh"))
    subtitles = [str(sheet["A2"].value) for sheet in book.worksheets]
    assert [any(f"模块safety（第{n}次）" in s for s in subtitles) for n in (1, 2, 3)] == [True] * 3
    assert len(book.worksheets) == len(timetable.sessions) == 5
    ics = Calendar.from_ical(writers.write_timetable_ics(rows, tmp_path / "t.ics", "班", "Asia/Shanghai", "p")
                             .read_bytes())
    events = [e for e in ics.walk("VEVENT") if str(e["summary"]).startswith("模块safety")]
    assert len(events) == 3 and len({str(e["uid"]) for e in events}) == 3
    csv_text = writers.write_timetable_csv(rows, tmp_path / "t.csv", "zh").read_text(encoding="utf-8-sig")
    assert csv_text.count("模块safety（第") == 3
    sheet = load_workbook(writers.write_timetable_xlsx(rows, tmp_path / "t.xlsx", "t", "s", "zh")).worksheets[0]
    total = [row for row in sheet.iter_rows(values_only=True) if "合计" in row][0]
    assert 9 in total  # 3 × 1 + 3 + 3 学时


def test_a_repeated_self_paced_module_is_listed_each_time() -> None:
    modules = [*MODULES[1:], cf.module("quiz", "skills", 1, schema=2, delivery="self-paced")]
    catalog, timetable = plan(modules, required=["a0", "quiz"], repeat={"quiz": 2}, days=1)
    assert [(i.module, i.occurrence, i.times) for i in timetable.self_paced] == [("quiz", 1, 2), ("quiz", 2, 2)]
    from kebao.packs.rows import self_paced_rows

    titles = [r.title for r in self_paced_rows(catalog, catalog.programmes["p"], timetable.self_paced, "zh")]
    assert titles == ["模块quiz（第1次）", "模块quiz（第2次）"] and timetable.total_hours == 5


def test_a_repeated_evening_activity_needs_an_evening_each_time() -> None:
    from kebao.errors import PlanError

    film = cf.module("film", "skills", 2, evening=True)
    evenings = {"audience": "evening"}
    spec_audience = cf.audience("evening", evenings=True)

    def planned(times: int, days: int) -> Timetable:
        data = cf.programme("p", mix={"skills": 100}, schema=2, pools=[], required=["film", "a0"],
                            repeat={"film": times}, days=days, day={"break_minutes": 10}, **evenings)
        data.pop("mix")
        catalog = cf.build(cf.Spec(audiences=[spec_audience], modules=[film, *MODULES], programmes=[data]))
        return schedule(catalog, compose(catalog, catalog.programmes["p"]))

    timetable = planned(2, 2)
    assert [(s.slot, s.occurrence) for s in timetable.sessions if s.module == "film"] == [("evening", 1),
                                                                                        ("evening", 2)]
    with pytest.raises(PlanError, match="evening"):
        planned(3, 2)  # two evenings (19:00-21:00) cannot hold three films of 2 学时
