"""Groups side by side (schema 2 splits): shadowing by role, tracks; the cohort rejoins for plenaries."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kebao.catalog import Catalog, load_catalog
from kebao.cli import main
from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.packs import sheets as attendance_sheets
from kebao.packs import writers
from kebao.packs.rows import credit_rows, timetable_rows
from kebao.schedule import schedule
from kebao.timetable import Session, Timetable

from . import catalog_factory as cf
from .paths import REPO

TOUR = "college-managers-study-tour"


def plan(modules: list[dict[str, Any]], mix: dict[str, float] | None = None,
         **programme: Any) -> tuple[Catalog, Timetable]:
    """A fixed agenda (no mix, no pools) unless a ``mix`` is given."""
    programme.setdefault("schema", 2)
    data = cf.programme("p", mix=mix or {}, pools=[], **programme)
    if mix is None:
        del data["mix"]
    catalog = cf.build(cf.Spec(modules=modules, programmes=[data]))
    return catalog, schedule(catalog, compose(catalog, catalog.programmes["p"]))


def split(*groups: list[str]) -> list[dict[str, Any]]:
    return [{"id": "tracks", "title": {"zh": "分组", "en": "Tracks"},
             "groups": [{"id": f"g{n}", "title": {"zh": f"第{n}组", "en": f"Group {n}"}, "modules": modules}
                        for n, modules in enumerate(groups, start=1)]}]


def minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def overlaps(sessions: list[Session]) -> bool:
    ordered = sorted(sessions, key=lambda s: (s.date, s.start))
    return any(a.date == b.date and minutes(b.start) < minutes(a.end)
               for a, b in zip(ordered, ordered[1:], strict=False))


@cache
def tour() -> Timetable:
    catalog = load_catalog(REPO)
    return schedule(catalog, compose(catalog, catalog.programmes[TOUR]))


def test_the_study_tour_splits_by_role_side_by_side_and_rejoins() -> None:
    timetable = tour()
    day = [s for s in timetable.sessions if s.date == dt.date(2026, 12, 9)]
    assert {(s.group, s.module, s.venue) for s in day} == {
        ("office", "shadow-president-office", "office-building"),
        ("academic", "shadow-academic-affairs", "academic-affairs"),
        ("students", "shadow-student-affairs", "student-affairs")}
    for slot in ("morning", "afternoon"):  # the same times for every group
        assert len({(s.start, s.end) for s in day if s.slot == slot}) == 1
    assert [s.group for s in day[:3]] == ["office", "academic", "students"], "in the programme's order"
    others = [s for s in timetable.sessions if s.group is None]
    assert {s.module for s in others} == {"host-college-briefing", "smart-factory-visit-managers",
                                          "shadowing-report-exchange"}
    assert max(s.date for s in day) < min(s.date for s in others if s.module == "shadowing-report-exchange")
    for group in ("office", "academic", "students"):  # no learner in two places at once
        assert not overlaps([s for s in timetable.sessions if s.group in (None, group)])
    assert timetable.total_hours == 15, "one learner's 学时: a group's day counts once"


def test_plan_json_carries_the_group_of_every_item(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", TOUR, "--root", str(REPO), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    groups = {item["module"]: item["group"] for item in data["items"] if item["kind"] == "teaching"}
    assert groups["shadow-academic-affairs"] == "academic" and groups["host-college-briefing"] is None
    assert {m["module"]: m["group"] for m in data["modules"]}["shadow-student-affairs"] == "students"
    assert data["total_hours"] == 15


def test_groups_of_different_sizes_take_the_same_sessions_in_parts() -> None:
    modules = [cf.module("a", "skills", 3), cf.module("b", "skills", 3), cf.module("c", "skills", 2),
               cf.module("d", "skills", 4), cf.module("x", "skills", 3)]
    _, timetable = plan(modules, days=2, required=["x"], splits=split(["a", "b"], ["c", "d"]),
                        day={"morning": {"start": "08:30", "end": "12:00"},
                             "afternoon": {"start": "14:00", "end": "17:30"}})
    first = [s for s in timetable.sessions if s.group == "g1"]
    second = [s for s in timetable.sessions if s.group == "g2"]
    for lead in first:  # the other group fills exactly the first group's sessions
        beside = [s for s in second if (s.date, s.slot) == (lead.date, lead.slot)]
        assert sum(s.hours for s in beside) == lead.hours
        assert beside[0].start == lead.start and beside[-1].end == lead.end
    d = [s for s in second if s.module == "d"]
    assert [(s.part, s.parts) for s in d] == [(1, 2), (2, 2)] and sum(s.hours for s in d) == 4
    assert not overlaps(second + [s for s in timetable.sessions if s.group is None])
    assert timetable.total_hours == 9


def test_groups_must_have_the_same_hours() -> None:
    modules = [cf.module("a", "skills", 3), cf.module("b", "skills", 4)]
    with pytest.raises(PlanError, match=r"differ in 学时 \(g1 3, g2 4\)"):
        plan(modules, days=1, language="en", splits=split(["a"], ["b"]))


@pytest.mark.parametrize(("fields", "message"), [
    ({"required": ["a"]}, "module 'a' is in group 'g1'"),
    ({"placements": [{"module": "b", "day": 1}]}, "place the first group's modules"),
    ({"schema": 1, "mix": {"skills": 100}}, "'splits' is a schema-2 field"),
])
def test_group_mistakes_are_refused(fields: dict[str, Any], message: str) -> None:
    modules = [cf.module("a", "skills", 3), cf.module("b", "skills", 3)]
    with pytest.raises((ContentError, ValueError), match=message):
        plan(modules, days=1, splits=split(["a"], ["b"]), **fields)


def test_outputs_name_the_group_count_one_learner_and_give_each_group_its_sign_in_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    catalog = load_catalog(REPO)
    timetable = tour()
    programme = catalog.programmes[TOUR]
    rows = timetable_rows(catalog, programme, "报告厅", timetable.items, "zh", phases=timetable.phases)
    academic = [r for r in rows if r.module == "shadow-academic-affairs"]
    assert academic[0].title.startswith("【教务组】") and academic[0].location == "东道院校教务处（行政楼二层）"
    assert academic[0].beside and not [r for r in rows if r.module == "shadow-president-office"][0].beside
    book = load_workbook(writers.write_timetable_xlsx(rows, tmp_path / "t.xlsx", "t", "s", "zh"))
    sheet = book.worksheets[0]
    total = [row for row in sheet.iter_rows(values_only=True) if row[6] == "合计"][0]
    assert total[7] == 15
    sheets = load_workbook(attendance_sheets.write_attendance_xlsx(rows, tmp_path / "a.xlsx", "t", 36, "zh")).sheetnames
    assert [name[4:] for name in sheets if name.endswith("组")] == [
        "12-09 上午 党政办组", "12-09 上午 教务组", "12-09 上午 学工组",
        "12-09 下午 党政办组", "12-09 下午 教务组", "12-09 下午 学工组"]
    credits = credit_rows(catalog, programme, [(i.module, i.hours) for i in timetable.plan.taught], "zh")
    assert any(c.title.startswith("【学工组】") for c in credits)


def test_a_group_rule_is_located_at_its_field(tmp_path: Path) -> None:
    modules = [cf.module("a", "skills", 3), cf.module("b", "skills", 3)]
    groups = split(["a"], ["b"])
    groups[0]["groups"][1]["venue"] = "nowhere"
    root = cf.write(tmp_path / "repo", cf.Spec(modules=modules, programmes=[
        cf.programme("p", mix={"skills": 100}, schema=2, splits=groups)]))
    with pytest.raises(ContentError) as caught:
        load_catalog(root)
    (problem,) = caught.value.problems
    assert problem.field == "splits[0].groups[1].venue" and problem.location.line > 1


def test_strand_hours_of_groups_that_differ_are_in_the_plan_notes_and_the_trainer_guide_table() -> None:
    from kebao.packs.context import open_pack
    from kebao.packs.page import strand_table

    notes = [note.render("zh") for note in tour().plan.notes]
    assert any("各组的主题学时不同" in note and "教务组 教学与管理 6" in note and "党政办组 领导力 6" in note
               for note in notes), notes
    table = strand_table(open_pack(REPO, TOUR))
    rows = {row["主题"]: row for row in table.to_dict("records")}
    assert rows["领导力"]["计划学时"] == 12 and rows["领导力"]["计划学时（教务组）"] == 6
    assert rows["产业"]["计划学时（学工组）"] == 3
    assert sum(table["计划学时（学工组）"]) == sum(table["计划学时"]) == 15  # one learner's 学时 either way
    same = plan([cf.module("a", "skills", 2), cf.module("b", "skills", 2), cf.module("c", "skills", 2)],
                required=["a"], splits=split(["b"], ["c"]), days=1)[1]
    assert not [n for n in same.plan.notes if n.code == "note-split-strands"]  # same strands: nothing to say
