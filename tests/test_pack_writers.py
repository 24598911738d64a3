"""Pack files opened by their real readers: openpyxl, icalendar, csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from kebao.catalog import load_catalog
from kebao.packs import sheets, writers
from kebao.packs.context import open_pack
from kebao.packs.rows import credit_rows, outcome_rows, timetable_rows

from .paths import FIXTURES

EVIL = '=HYPERLINK("http://x","点我")'


@pytest.fixture(scope="module")
def rows() -> list[writers.TimetableRow]:
    ctx = open_pack(FIXTURES / "catalog", "nev-class", settings=[f"venue={EVIL}"])
    return timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.sessions, "zh")


def test_timetable_csv_has_bom_chinese_headers_and_no_formulas(rows: list[writers.TimetableRow],
                                                               tmp_path: Path) -> None:
    path = writers.write_timetable_csv(rows, tmp_path / "t.csv", "zh")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["日期", "星期", "时段"]
    assert len(table) == len(rows) + 1
    assert table[1][0] == "2026-11-16" and table[1][2] == "上午"
    locations = [line[9] for line in table[1:]]
    assert all(value == "'" + EVIL for value in locations)


def test_timetable_xlsx_is_text_not_formula_and_prints_well(rows: list[writers.TimetableRow], tmp_path: Path) -> None:
    path = writers.write_timetable_xlsx(rows, tmp_path / "t.xlsx", "新能源汽车技术专项培训班", "2026-11", "zh")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "新能源汽车技术专项培训班"
    assert [c.value for c in sheet[4]][:3] == ["日期", "星期", "时段"]
    venue_cell = sheet.cell(row=5, column=10)
    assert venue_cell.value == EVIL and venue_cell.data_type == "s"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.freeze_panes == "A5"
    assert sheet.cell(row=5 + len(rows), column=8).value == sum(r.hours for r in rows)
    assert sheet.print_area == f"'课程表'!$A$1:$K${5 + len(rows)}"
    header = [c.value for c in sheet[4]]
    assert "模块编号" not in header and header[-1] == "节假日安排"  # the printed timetable has no internal ids
    assert sheet.oddFooter.center.text == "&P / &N"


def test_rows_are_as_high_as_their_wrapped_text(tmp_path: Path) -> None:
    long = "赴首都实地研学：中国共产党历史展览馆与香山革命纪念地现场教学（1/2）"
    assert writers.lines_needed("报到", 30) == 1 and writers.lines_needed(long, 30) == 3
    assert writers.lines_needed("第一行\n第二行", 30) == 2
    assert writers.row_height([("报到", 30, 10)]) == 19 and writers.row_height([(long, 30, 10)]) == 49
    assert writers.row_height([("", 30, 10)], minimum=24) == 24
    row = writers.TimetableRow(dt.date(2026, 12, 14), "星期一", "上午", "08:30", "11:05", "m", long, "s", "党建",
                               3, "现场教学", "北京市中国共产党历史展览馆（朝阳区）与香山革命纪念地（海淀区）", "")
    sheet = openpyxl.load_workbook(writers.write_timetable_xlsx([row], tmp_path / "t.xlsx", "标题" * 40, "x",
                                                                "zh")).active
    assert sheet is not None
    assert sheet.row_dimensions[5].height == writers.row_height([(long, 30, 10), (row.location, 26, 10)])
    assert "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}  # the title spans the table and wraps
    assert sheet.row_dimensions[1].height > writers.row_height([("标题", 150, 14)])


def test_xlsx_is_byte_identical_across_runs(rows: list[writers.TimetableRow], tmp_path: Path) -> None:
    first = writers.write_timetable_xlsx(rows, tmp_path / "a.xlsx", "标题", "x", "zh").read_bytes()
    second = writers.write_timetable_xlsx(rows, tmp_path / "b.xlsx", "标题", "x", "zh").read_bytes()
    assert first == second


def test_ics_is_valid_time_zoned_one_event_per_session(rows: list[writers.TimetableRow], tmp_path: Path) -> None:
    path = writers.write_timetable_ics(rows, tmp_path / "t.ics", "课程表", "Asia/Shanghai", "nev-class-2026-11")
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == len(rows)
    assert len(calendar.walk("VTIMEZONE")) == 1
    first = events[0]
    start = first.decoded("dtstart")
    assert start == dt.datetime(2026, 11, 16, 8, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert start.utcoffset() == dt.timedelta(hours=8)
    assert str(first["summary"]) == rows[0].title
    assert str(first["location"]) == EVIL
    assert "学时" in str(first["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)
    assert all(len(line) <= 75 for line in path.read_bytes().split(b"\r\n"))  # RFC 5545 folding


def test_attendance_has_one_sheet_per_session_with_a_line_per_participant(rows: list[writers.TimetableRow],
                                                                          tmp_path: Path) -> None:
    path = sheets.write_attendance_xlsx(rows, tmp_path / "a.xlsx", "班", 24, "zh")
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == len(rows)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[4]] == ["序号", "姓名", "单位", "签到", "签退", "备注"]
    assert sheet.cell(row=4 + 24, column=1).value == 24
    assert sheet.cell(row=5 + 24, column=1).value is None
    assert sheet.print_title_rows == "$1:$4"  # the programme and the session on every printed page
    assert rows[0].title in str(sheet["A2"].value) and sheet.page_setup.orientation == "portrait"


def test_assessment_and_credits(tmp_path: Path) -> None:
    catalog = load_catalog(FIXTURES / "catalog")
    programme = catalog.programmes["cadres-course"]
    credits = credit_rows(catalog, programme, [("party-theory", 4), ("industry-visit", 8)], "zh")
    book = openpyxl.load_workbook(sheets.write_assessment_xlsx(credits, outcome_rows(programme),
                                                               tmp_path / "r.xlsx", "班", "zh"))
    assert book.sheetnames == ["评分表", "评价标准", "课前问卷", "课后问卷"]
    pre = book["课前问卷"]  # a row per learner, a column per statement
    assert [c.value for c in pre[4]][:4] == ["序号", "姓名", "单位", "1. 能够运用党的理论指导基层工作"]
    assert [pre.cell(row=r, column=1).value for r in (5, 34, 35)] == [1, 30, None]
    scores = book["评分表"]
    assert [c.value for c in scores[4]] == ["序号", "姓名", "单位", *(c.title for c in credits), "总评", "结业", "备注"]
    assert [scores.cell(row=r, column=1).value for r in range(5, 36)] == [*range(1, 31), None]  # size 30: 30 rows
    assert scores.print_title_rows == "$1:$4"
    table = list(csv.reader(io.StringIO(writers.write_credits_csv(credits, tmp_path / "c.csv", "zh")
                                        .read_bytes().decode("utf-8-sig"))))
    assert table[0] == ["模块编号", "课程模块", "主题", "学时", "学分", "学习成果", "考核方式"]
    assert table[2][:5] == ["industry-visit", "经开区实地研学", "产业", "8", "0.50"]


@pytest.mark.parametrize("text,expected", [("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-x", "'-x"),
                                           ("@SUM(A1)", "'@SUM(A1)"), ("-3", "-3"), ("普通文本", "普通文本")])
def test_csv_text_neutralises_formulas(text: str, expected: str) -> None:
    assert writers.csv_text(text) == expected
