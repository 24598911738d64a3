"""The hidden metadata of the workbooks trainers send back, and reading marks from them (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from kebao.errors import RecordsError
from kebao.packs import sheetmeta, sheets
from kebao.packs.rows import TimetableRow
from kebao.records.readback import read_marks

ORIGIN = sheets.Origin("demo-programme", "demo-2026")


def row(day: int, start: str, group: str = "", group_id: str = "", module: str = "m1") -> TimetableRow:
    return TimetableRow(dt.date(2026, 12, day), "星期一", "上午", start, "11:30", module, f"模块{day}", "s", "党建",
                        3.0, "专题讲座", "报告厅", "", group=group, group_id=group_id)


def test_session_keys_name_the_date_the_start_and_the_group() -> None:
    assert sheetmeta.session_key(row(8, "08:30")) == "2026-12-08T08:30"
    assert sheetmeta.session_key(row(8, "14:30", "教务组", "academic")) == "2026-12-08T14:30/academic"
    long = sheetmeta.session_key(row(8, "14:30", "组", "a-very-long-group-identifier-of-forty-chars"))
    assert len(long) == sheetmeta.KEY_LENGTH and long.startswith("2026-12-08T14:30/a-very-long-gr~")


def test_the_same_inputs_give_the_same_bytes_and_the_metadata_reads_back(tmp_path: Path) -> None:
    rows = [row(8, "08:30"), row(8, "14:30", "教务组", "academic", "m2"), row(8, "14:30", "学工组", "students", "m3")]
    learners = [("测试学员01", "示例单位"), ("测试学员02", "示例单位")]
    first = sheets.write_attendance_xlsx(rows, tmp_path / "a.xlsx", "班", 30, "zh", origin=ORIGIN, learners=learners)
    second = sheets.write_attendance_xlsx(rows, tmp_path / "b.xlsx", "班", 30, "zh", origin=ORIGIN, learners=learners)
    assert first.read_bytes() == second.read_bytes()
    book = openpyxl.load_workbook(first)
    meta = sheetmeta.read_meta(book, "a.xlsx")
    assert (meta.kind, meta.label, meta.format) == ("attendance", "demo-programme/demo-2026", 1)
    assert [(s.key, s.sheet, s.group, str(s.hours)) for s in meta.sessions] == [
        ("2026-12-08T08:30", "001 12-08 上午", "", "3"),
        ("2026-12-08T14:30/academic", "002 12-08 上午 教务组", "academic", "3"),
        ("2026-12-08T14:30/students", "003 12-08 上午 学工组", "students", "3")]
    assert meta.structure["001 12-08 上午"] == ["序号", "姓名", "单位", "签到", "签退", "备注"]
    assert sheetmeta.structure_problems(book, meta) == []
    assert book.worksheets[0]["B6"].value == "测试学员02" and book.worksheets[0].max_row == 6


def test_metadata_longer_than_a_cell_is_split_and_joined(tmp_path: Path) -> None:
    sessions = [sheetmeta.SessionMeta(key=f"2026-12-08T{n:05d}", sheet=f"第{n}节签到表" * 3, date="2026-12-08",
                                      start="08:30", end="11:30", module="m" * 40, hours=3) for n in range(300)]
    book = openpyxl.Workbook()
    sheetmeta.attach(book, sheetmeta.WorkbookMeta(format=1, kind="attendance", programme="p", cohort="c",
                                                  sessions=tuple(sessions)))
    book.save(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book["_kebao"]["A2"].value  # more than one cell of JSON
    assert sheetmeta.read_meta(book, "a.xlsx").sessions == tuple(sessions)


def test_a_groups_sheet_records_only_the_lines_marked_on_it(tmp_path: Path) -> None:
    rows = [row(8, "08:30"), row(8, "14:30", "教务组", "academic", "m2"), row(8, "14:30", "学工组", "students", "m3")]
    learners = [("测试学员01", "示例单位"), ("测试学员02", "示例单位")]
    path = sheets.write_attendance_xlsx(rows, tmp_path / "a.xlsx", "班", 30, "zh", origin=ORIGIN, learners=learners)
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["D5"] = "√"  # everyone's session: 测试学员02's blank line is 缺勤
    book.worksheets[1]["D5"] = "√"  # 测试学员01 is in 教务组
    book.worksheets[2]["D6"] = "迟到"  # 测试学员02 in 学工组
    book.save(tmp_path / "filled.xlsx")
    marks = read_marks(tmp_path / "filled.xlsx")
    assert [(m.line.name, m.session.key, m.status) for m in marks.attendance] == [
        ("测试学员01", "2026-12-08T08:30", "present"), ("测试学员02", "2026-12-08T08:30", "absent"),
        ("测试学员01", "2026-12-08T14:30/academic", "present"), ("测试学员02", "2026-12-08T14:30/students", "late")]
    assert marks.not_recorded == []


def test_a_file_that_is_not_a_workbook_or_has_no_metadata(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("名单", encoding="utf-8")
    with pytest.raises(RecordsError, match=r"x.xlsx: not an Excel workbook \(.xlsx\) kebao can open"):
        read_marks(tmp_path / "x.xlsx")
    plain = sheets.write_attendance_xlsx([row(8, "08:30")], tmp_path / "plain.xlsx", "班", 2, "zh")  # no origin
    with pytest.raises(RecordsError, match="has no kebao metadata"):
        read_marks(plain)
