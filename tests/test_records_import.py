"""Results back from trainers: pre-filled workbooks, filled in with openpyxl, imported into a real database.

Every test runs on SQLite and on a throw-away PostgreSQL (``database_url``). The cohort is the fixture
catalogue's nev-class/2026-11 (three sessions, three modules); the roster is made up (测试 names).
"""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from kebao.cli import main
from kebao.records.database import open_database
from kebao.records.models import Attendance, Import, Score, SurveyAnswer

pytestmark = pytest.mark.database

COHORT = "nev-class/2026-11"
ID_BODY = "11010119900307451"
ROSTER = ["姓名,性别,单位,职务,电话,身份证号",
          "测试甲,男,示例汽车厂,技术员,13800138000,{id_number}",
          "测试乙,女,示例汽车厂,班组长,13800138001,",
          "测试丙,男,示例维修站,技师,13800138002,"]


def kebao(root: Path, database: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--root", str(root), "--database", database])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sheets(catalog_root: Path, database_url: str, tmp_path: Path) -> dict[str, Path]:
    """The roster imported and the cohort's pre-filled workbooks written: kind -> path."""
    from kebao.records.identity import check_character

    text = "\n".join(ROSTER).replace("{id_number}", ID_BODY + check_character(ID_BODY))
    (tmp_path / "roster.csv").write_text(text + "\n", encoding="utf-8")
    assert kebao(catalog_root, database_url, "records", "roster", COHORT, str(tmp_path / "roster.csv"))[0] == 0
    code, out, err = kebao(catalog_root, database_url, "records", "sheets", COHORT)
    assert (code, err) == (0, ""), err
    assert "3 learner(s) in 3 workbook(s)" in out
    folder = catalog_root / "records" / "sheets" / "nev-class" / "2026-11"
    return {kind: folder / f"nev-class-2026-11-{name}.xlsx"
            for kind, name in (("attendance", "签到表"), ("assessment", "评分表"), ("survey", "满意度测评"))}


def fill(path: Path, out: Path, cells: dict[str, dict[str, object]]) -> Path:
    """A copy of ``path`` with ``cells`` ({sheet index or name: {cell: value}}) filled in, saved by openpyxl."""
    book = openpyxl.load_workbook(path)
    for sheet, values in cells.items():
        ws = book.worksheets[int(sheet)] if sheet.isdigit() else book[sheet]
        for cell, value in values.items():
            ws[cell] = value
    book.save(out)
    return out


def rows(url: str, table: type) -> list[tuple[object, ...]]:
    database = open_database(Path("."), url)
    try:
        with database.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(select(table.__table__).order_by(table.id))]
    finally:
        database.close()


def test_pre_filled_sheets_show_names_and_organisations_never_phones_or_id_numbers(
        sheets: dict[str, Path], catalog_root: Path, database_url: str) -> None:
    for kind, path in sheets.items():
        book = openpyxl.load_workbook(path)
        text = json.dumps([[cell for row in ws.iter_rows(values_only=True) for cell in row] for ws in book.worksheets],
                          ensure_ascii=False, default=str)
        assert "13800138000" not in text and "110101" not in text and "技术员" not in text
        meta = json.loads(book["_kebao"]["A1"].value)
        assert (meta["kind"], meta["programme"], meta["cohort"]) == (kind, "nev-class", "2026-11")
        assert book["_kebao"].sheet_state == "veryHidden"
    attendance = openpyxl.load_workbook(sheets["attendance"])
    assert [[c.value for c in row] for row in attendance.worksheets[0].iter_rows(min_row=5, max_col=3)] == [
        [1, "测试甲", "示例汽车厂"], [2, "测试乙", "示例汽车厂"], [3, "测试丙", "示例维修站"]]
    meta = json.loads(attendance["_kebao"]["A1"].value)
    assert [(s["key"], s["module"], s["hours"]) for s in meta["sessions"]] == [
        ("2026-11-16T08:30", "hv-safety", "4"), ("2026-11-16T14:00", "battery-practicum", "4"),
        ("2026-11-17T08:30", "smartphone-tools", "4")]
    assert openpyxl.load_workbook(sheets["survey"]).worksheets[0].max_row == 4 + 3  # a form per learner
    before = {path: path.read_bytes() for path in sheets.values()}
    assert kebao(catalog_root, database_url, "records", "sheets", COHORT)[0] == 0  # the same bytes again
    assert {path: path.read_bytes() for path in sheets.values()} == before
    fill(sheets["attendance"], sheets["attendance"], {"0": {"D5": "√"}})  # a trainer started filling it in
    code, _, err = kebao(catalog_root, database_url, "records", "sheets", COHORT)
    assert code == 2 and "already there and different" in err and "--force" in err
    assert openpyxl.load_workbook(sheets["attendance"]).worksheets[0]["D5"].value == "√"  # kept


def test_attendance_marks_are_imported_and_unmarked_sessions_reported(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    filled = fill(sheets["attendance"], tmp_path / "签到.xlsx",
                  {"0": {"D5": "√", "D6": "迟到", "E6": "√"}, "1": {"D5": "✓", "E5": "早退", "D6": "请假"}})
    code, out, err = kebao(catalog_root, database_url, "records", "import", str(filled))
    assert (code, err) == (0, ""), err
    assert "nev-class/2026-11: attendance: 6 added, 0 updated, 0 unchanged" in out
    assert "not recorded yet (no marks, skipped): 003 11-17 上午" in out and "recorded as import 2" in out
    stored = [(session, module, Decimal(hours), status, import_id)
              for _, _, _, session, module, hours, status, import_id in rows(database_url, Attendance)]
    assert stored == [("2026-11-16T08:30", "hv-safety", 4, "present", 2),
                      ("2026-11-16T08:30", "hv-safety", 4, "late", 2),
                      ("2026-11-16T08:30", "hv-safety", 4, "absent", 2),  # a blank line on a recorded sheet
                      ("2026-11-16T14:00", "battery-practicum", 4, "left-early", 2),
                      ("2026-11-16T14:00", "battery-practicum", 4, "leave", 2),
                      ("2026-11-16T14:00", "battery-practicum", 4, "absent", 2)]
    audit = rows(database_url, Import)[-1]
    assert audit[2:4] == ("attendance", "签到.xlsx") and audit[-2:] == (6, 0) and len(audit[4]) == 64
    code, out, _ = kebao(catalog_root, database_url, "records", "list", COHORT)
    assert "import 2: attendance 签到.xlsx by " in out and "6 added, 0 updated, holds 6 mark(s)" in out


def test_the_same_file_again_writes_nothing_and_names_the_earlier_import(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    filled = fill(sheets["attendance"], tmp_path / "a.xlsx", {"0": {"D5": "√"}})
    assert kebao(catalog_root, database_url, "records", "import", str(filled))[0] == 0
    before = rows(database_url, Import), rows(database_url, Attendance)
    code, out, _ = kebao(catalog_root, database_url, "records", "import", str(filled))
    assert code == 0 and "0 added, 0 updated, 3 unchanged" in out
    assert "nothing changed: already imported as import 2 (" in out
    assert (rows(database_url, Import), rows(database_url, Attendance)) == before


def test_a_conflicting_re_import_is_listed_and_refused_unless_update(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    first = fill(sheets["assessment"], tmp_path / "scores-1.xlsx", {"评分表": {"D5": 85, "E5": 90.5, "D6": "78"}})
    assert kebao(catalog_root, database_url, "records", "import", str(first))[0] == 0
    before = rows(database_url, Score)
    second = fill(first, tmp_path / "scores-2.xlsx", {"评分表": {"D5": 88, "F7": 60}})
    code, out, err = kebao(catalog_root, database_url, "records", "import", str(second))
    assert code == 2 and out == ""
    assert "scores-2.xlsx: 1 mark(s) differ from earlier imports of nev-class/2026-11; nothing was imported" in err
    assert "  测试甲: module hv-safety: 85.0 (import 2, scores-1.xlsx) -> 88" in err and "--update" in err
    assert rows(database_url, Score) == before  # not even the new score of 测试丙
    code, out, _ = kebao(catalog_root, database_url, "records", "import", str(second), "--update")
    assert code == 0 and "1 added, 1 updated, 2 unchanged" in out and "recorded as import 3" in out
    scores = {(row[2], row[3]): (Decimal(row[4]), row[5]) for row in rows(database_url, Score)}
    assert scores[(1, "hv-safety")] == (Decimal("88"), 3) and scores[(1, "battery-practicum")] == (Decimal("90.5"), 2)
    assert scores[(3, "smartphone-tools")] == (Decimal("60"), 3)
    assert rows(database_url, Import)[-1][-2:] == (1, 1)  # the audit row: added, updated


@pytest.mark.parametrize("tamper,expected", [
    ("rename", "sheet '002 11-16 下午' is missing (renamed or removed)"),
    ("header", "002 11-16 下午!D4: the header was '签到', now '到否'"),
    ("metadata", "the workbook's hidden kebao metadata was changed and cannot be read"),
    ("no-metadata", "this workbook has no kebao metadata"),
])
def test_a_tampered_workbook_is_refused_and_nothing_is_written(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path, tamper: str,
        expected: str) -> None:
    book = openpyxl.load_workbook(sheets["attendance"])
    book.worksheets[0]["D5"] = "√"
    if tamper == "rename":
        book.worksheets[1].title = "下午"
    elif tamper == "header":
        book.worksheets[1]["D4"] = "到否"
    elif tamper == "metadata":
        book["_kebao"]["A1"] = book["_kebao"]["A1"].value[:-5]
    else:
        book.remove(book["_kebao"])
    book.save(tmp_path / "t.xlsx")
    code, out, err = kebao(catalog_root, database_url, "records", "import", str(tmp_path / "t.xlsx"))
    assert code == 2 and out == "" and expected in err
    assert rows(database_url, Attendance) == [] and len(rows(database_url, Import)) == 1  # the roster's only


def test_another_cohorts_workbook_or_a_cohort_without_roster_is_refused(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    other = catalog_root / "cohorts" / "nev-class" / "2027-03.yml"  # another cohort of the programme
    other.parent.mkdir(parents=True)
    other.write_text("id: 2027-03\nstart: 2026-12-14\nsize: 20\nvenue: 实训中心\n", encoding="utf-8")
    filled = fill(sheets["attendance"], tmp_path / "a.xlsx", {"0": {"D5": "√"}})
    code, _, err = kebao(catalog_root, database_url, "records", "import", str(filled), "--cohort",
                         "nev-class/2027-03")
    assert code == 2 and "a.xlsx is the workbook of cohort nev-class/2026-11, not of nev-class/2027-03" in err
    book = openpyxl.load_workbook(filled)
    book["_kebao"]["A1"] = book["_kebao"]["A1"].value.replace('"cohort":"2026-11"', '"cohort":"2027-03"')
    book.save(tmp_path / "other.xlsx")
    code, _, err = kebao(catalog_root, database_url, "records", "import", str(tmp_path / "other.xlsx"))
    assert code == 2 and "cohort nev-class/2027-03 has no roster in the records" in err
    assert "kebao records roster nev-class/2027-03 FILE.xlsx" in err
    assert rows(database_url, Attendance) == []


def test_bad_cells_and_unknown_names_are_each_named_with_their_fix(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    bad = fill(sheets["assessment"], tmp_path / "bad.xlsx",
               {"评分表": {"D5": "优", "E5": 101, "F6": 85.25, "B8": "测试丁", "D8": 70, "D9": 60},
                "课前问卷": {"D5": 6}})
    code, out, err = kebao(catalog_root, database_url, "records", "import", str(bad))
    assert code == 2 and out == ""
    assert "bad.xlsx: 5 cell(s) kebao cannot read; nothing was imported" in err
    for line in ("评分表!D5: '优' is not a score (write a number from 0 to 100, or leave the cell blank)",
                 "评分表!E5: '101' is not a score", "评分表!F6: '85.25' has more than one decimal place",
                 "评分表!D9: a mark on a line without a name (write the learner's name in 评分表!B9)",
                 "课前问卷!D5: '6' is not an answer (write a number from 1 to 5"):
        assert line in err
    unknown = fill(sheets["attendance"], tmp_path / "unknown.xlsx", {"0": {"B6": "测试乙乙", "D5": "√", "D7": "X"}})
    code, _, err = kebao(catalog_root, database_url, "records", "import", str(unknown))
    assert code == 2
    assert ("001 11-16 上午!B6: '测试乙乙' is not on the roster of nev-class/2026-11 (correct the name as the "
            "roster writes it, or import the roster first: kebao records roster nev-class/2026-11 FILE.xlsx)") in err
    wrong = fill(sheets["attendance"], tmp_path / "wrong.xlsx", {"0": {"D5": "有", "D6": "请假", "E6": "√"}})
    code, _, err = kebao(catalog_root, database_url, "records", "import", str(wrong))
    assert code == 2 and "001 11-16 上午!D5: '有' is not an attendance mark (write √ ✓ 到 出勤 / 迟到" in err
    assert "001 11-16 上午!D6:E6: 测试乙 is marked both present and absent or on leave" in err
    assert rows(database_url, Score) == [] and rows(database_url, Attendance) == []


def test_questionnaires_and_the_anonymous_satisfaction_survey(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    assessment = fill(sheets["assessment"], tmp_path / "q.xlsx", {"课前问卷": {"D5": 2, "E5": "3"},
                                                                  "课后问卷": {"D5": 4, "D7": 5}})
    code, out, _ = kebao(catalog_root, database_url, "records", "import", str(assessment))
    assert code == 0 and "assessment: 4 added" in out and "not recorded yet (no marks, skipped): 评分表" in out
    survey = fill(sheets["survey"], tmp_path / "s.xlsx", {"0": {"B5": 5, "H5": 4, "I5": "很好", "B6": 3}})
    code, out, _ = kebao(catalog_root, database_url, "records", "import", str(survey))
    assert code == 0 and "survey: 3 added" in out
    answers = [(row[2] is not None, row[3], row[4], row[5], row[6]) for row in rows(database_url, SurveyAnswer)]
    assert answers == [(True, "pre", "1", 1, 2), (True, "pre", "1", 2, 3), (True, "post", "1", 1, 4),
                       (True, "post", "3", 1, 5),
                       (False, "satisfaction", "1", 1, 5), (False, "satisfaction", "1", 7, 4),
                       (False, "satisfaction", "2", 1, 3)]  # the comments (I5) are for people, not stored


def test_the_packs_blank_workbook_filled_by_hand_is_read_the_same_way(
        sheets: dict[str, Path], catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    """A trainer who typed names into the pack's numbered lines: names matched, an unnamed line ignored."""
    from kebao.packs.rows import timetable_rows
    from kebao.packs.sheets import attendance_for
    from kebao.packs.writers import FIXED_TIME
    from kebao.records.prefill import decide_cohort

    ctx = decide_cohort(catalog_root, "nev-class", "2026-11")
    rows_ = timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language)
    blank = attendance_for(ctx, rows_, tmp_path / "blank.xlsx", FIXED_TIME)
    assert openpyxl.load_workbook(blank).worksheets[0]["B5"].value in (None, "")  # no names in a pack
    filled = fill(blank, tmp_path / "hand.xlsx",
                  {"2": {"B5": "测试 丙", "D5": "到", "B6": "测试甲", "C6": "示例汽车厂"}})
    code, out, _ = kebao(catalog_root, database_url, "records", "import", str(filled))
    assert code == 0 and "2 added" in out
    assert [(row[2], row[6]) for row in rows(database_url, Attendance)] == [(3, "present"), (1, "absent")]


def test_learners_of_one_name_are_told_apart_by_organisation_and_listed_once(
        catalog_root: Path, database_url: str, tmp_path: Path) -> None:
    from kebao.records.identity import check_character

    ids = [body + check_character(body) for body in ("11010119900307451", "65010219851201002")]
    (tmp_path / "roster.csv").write_text("\n".join([
        "姓名,性别,单位,电话,身份证号", f"测试甲,男,示例汽车厂,13800138000,{ids[0]}",
        f"测试甲,男,示例维修站,13800138001,{ids[1]}"]) + "\n", encoding="utf-8")
    assert kebao(catalog_root, database_url, "records", "roster", COHORT, str(tmp_path / "roster.csv"))[0] == 0
    assert kebao(catalog_root, database_url, "records", "sheets", COHORT, "--out", str(tmp_path / "s"))[0] == 0
    blank = tmp_path / "s" / "nev-class-2026-11-评分表.xlsx"
    code, out, _ = kebao(catalog_root, database_url, "records", "import",
                         str(fill(blank, tmp_path / "ok.xlsx", {"评分表": {"D5": 70, "D6": 90}})))
    assert code == 0 and "2 added" in out
    assert [(row[2], float(row[4])) for row in rows(database_url, Score)] == [(1, 70.0), (2, 90.0)]
    code, _, err = kebao(catalog_root, database_url, "records", "import", str(
        fill(blank, tmp_path / "bad.xlsx", {"评分表": {"D5": 70, "C6": "示例厂", "D6": 90, "B7": "测试甲",
                                                   "C7": "示例汽车厂", "E7": 80}})))
    assert code == 2
    assert ("评分表!B6: two learners of nev-class/2026-11 are called 测试甲; write the organisation in 评分表!C6 "
            "exactly as the roster has it") in err
    assert "评分表!B7: the same learner as 评分表!B5 (list each learner once)" in err
