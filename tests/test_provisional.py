"""Planning past the official holiday data: every output of a provisional (暂定) plan says so.

A cohort on a year that neither chinesecalendar nor curricula/holidays.yml covers is
planned from the statutory holidays (kebao.holidaydata; the rule itself is tested in
test_schedule.py). Here: the words in both languages, the pack's timetable files (their
writers run directly, no kernel), the handbook header, the site's programme page, the
cache key that makes such packs stale when official data arrives, ``--strict-calendar``
and ``kebao check``. All in the pure lane.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from nbformat.v4 import new_notebook

from kebao import holidaydata
from kebao.book.programmes import PackFiles, programme_page
from kebao.catalog import load_catalog
from kebao.check.site import check_packs
from kebao.cli import main
from kebao.errors import PlanError
from kebao.labels import label, provisional_note
from kebao.packs import build as pack_build
from kebao.packs import export, files
from kebao.packs.build import PackOutcome, PackRequest, build_pack, decide_pack
from kebao.packs.context import PackContext, decide
from kebao.packs.files import name_of
from kebao.paths import PackAddress

from .paths import REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
SPRING_2027 = "start=2027-03-08"  # the trainers' guide example (book/guide/trainers.md)
HOLIDAYS_2027 = """\
schema: 1
years:
  - year: 2027
    notice: 测试用的虚构安排
    holidays:
      - {name: 元旦, first: 2027-01-01, last: 2027-01-03}
    workdays: []
"""


@pytest.fixture
def spring(catalog_root: Path) -> PackContext:
    return decide(load_catalog(catalog_root), "nev-class", settings=[SPRING_2027])


def test_the_words_in_both_languages() -> None:
    assert label("provisional", "zh") == "暂定" and label("provisional", "en") == "Provisional"
    assert label("official", "zh") == "正式" and label("calendar", "zh") == "节假日安排"
    assert provisional_note([2027], "zh") == ("暂定：2027 年的节假日调休安排尚未公布，本课表按法定节假日编排；"
                                              "国务院办公厅公布放假安排后请重新生成。")
    assert provisional_note([2028, 2027], "zh").startswith("暂定：2027、2028 年")
    assert provisional_note([2027], "en").startswith("Provisional: the official holiday arrangement for 2027 ")
    assert provisional_note([], "zh") == ""


def test_a_pack_context_carries_the_note_in_its_language(spring: PackContext, catalog_root: Path) -> None:
    assert spring.timetable.provisional and spring.provisional_note.startswith("暂定：2027 年")
    english = decide(load_catalog(catalog_root), "nev-class", settings=[SPRING_2027, "language=en"])
    assert english.provisional_note.startswith("Provisional: ")
    assert decide(load_catalog(catalog_root), "nev-class").provisional_note == ""


def test_timetable_files_mark_every_provisional_session(spring: PackContext, tmp_path: Path) -> None:
    build = files.PackBuild(spring, new_notebook(), tmp_path, {})
    rows = build.timetable
    assert rows and all(row.provisional for row in rows)

    files._timetable_csv(build, tmp_path / "t.csv")
    table = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_bytes().decode("utf-8-sig"))))
    assert table[0][-1] == "节假日安排" and {line[-1] for line in table[1:]} == {"暂定"}

    files._timetable_xlsx(build, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    assert sheet["A3"].value == spring.provisional_note and sheet["A3"].font.b
    assert sheet.cell(row=4, column=11).value == "节假日安排" and sheet.cell(row=5, column=11).value == "暂定"

    files._timetable_ics(build, tmp_path / "t.ics")
    events = Calendar.from_ical((tmp_path / "t.ics").read_bytes()).walk("VEVENT")
    assert len(events) == len(rows)
    for event in events:
        assert str(event["description"]).startswith(spring.provisional_note + "\n")
        assert str(event["status"]) == "TENTATIVE"


def test_official_packs_say_so_and_are_not_tentative(catalog_root: Path, tmp_path: Path) -> None:
    build = files.PackBuild(decide(load_catalog(catalog_root), "nev-class"), new_notebook(), tmp_path, {})
    files._timetable_csv(build, tmp_path / "t.csv")
    table = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_bytes().decode("utf-8-sig"))))
    assert {line[-1] for line in table[1:]} == {"正式"}
    files._timetable_xlsx(build, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None and sheet["A3"].value is None
    files._timetable_ics(build, tmp_path / "t.ics")
    events = Calendar.from_ical((tmp_path / "t.ics").read_bytes()).walk("VEVENT")
    assert all("status" not in event and "暂定" not in str(event["description"]) for event in events)


def test_the_handbook_and_trainer_guide_say_it_on_the_cover_and_every_page(spring: PackContext, tmp_path: Path) -> None:
    build = files.PackBuild(spring, new_notebook(), tmp_path, {})
    build.__dict__["body"] = export.Body("<p>正文</p>", "t")  # the notebook's body, without running it
    for edition in ("participant", "trainer"):
        page = build.page(edition)
        cover = page[page.index('<section class="cover">'):page.index("</section>")]
        assert '<p class="provisional">暂定：2027 年' in cover
        assert '@top-right { content: "暂定 · ' in page  # the running header of every printed page
    plain = files.PackBuild(dataclasses.replace(spring, timetable=dataclasses.replace(spring.timetable, days=())),
                            new_notebook(), tmp_path, {})
    plain.__dict__["body"] = export.Body("<p>正文</p>", "t")
    assert "暂定" not in plain.page("participant")


def test_the_programme_page_warns(spring: PackContext, catalog_root: Path) -> None:
    pack = PackFiles("build/packs/nev-class/2026-11", "build/packs/nev-class/2026-11/x.zip", ())
    page = programme_page(spring, pack)
    assert "```{warning}\n暂定：2027 年的节假日调休安排尚未公布" in page
    assert "{warning}" not in programme_page(decide(load_catalog(catalog_root), "nev-class"), pack)


def test_a_provisional_pack_is_stale_once_official_data_arrives(catalog_root: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    request = PackRequest(catalog_root, "nev-class", (SPRING_2027,), notebook=NOTEBOOK, out=catalog_root / "out")
    provisional = decide_pack(request)
    assert provisional.ctx.timetable.provisional

    # a newer chinesecalendar that covers 2027 (its days as the statutory rule has them, for the test)
    import chinese_calendar

    original = chinese_calendar.get_holiday_detail

    def covers_2027(date: dt.date) -> tuple[bool, str | None]:
        if date.year == 2027:
            name = (holidaydata.statutory_days(2027) or {}).get(date)
            return name is not None or date.weekday() >= 5, name
        return original(date)  # type: ignore[no-any-return]

    with monkeypatch.context() as patch:
        patch.setattr(chinese_calendar, "get_holiday_detail", covers_2027)
        patch.setattr(holidaydata, "_chinesecalendar_years", lambda: (2004, 2027))
        upgraded = decide_pack(request)
        assert not upgraded.ctx.timetable.provisional
        assert upgraded.ctx.timetable.days == tuple(
            dataclasses.replace(day, provisional=False) for day in provisional.ctx.timetable.days)
        assert upgraded.key != provisional.key  # same dates, but official now: rebuilt

    (catalog_root / "curricula" / "holidays.yml").write_text(HOLIDAYS_2027, encoding="utf-8")
    listed = decide_pack(request)
    assert not listed.ctx.timetable.provisional and listed.key not in (provisional.key, upgraded.key)
    assert decide_pack(request).key == listed.key


def test_the_chinesecalendar_version_is_in_the_key(catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chinese_calendar

    request = PackRequest(catalog_root, "nev-class", notebook=NOTEBOOK, out=catalog_root / "out")
    before = decide_pack(request).key
    monkeypatch.setattr(chinese_calendar, "__version__", "9.9.9", raising=False)
    assert decide_pack(request).key != before


def test_strict_calendar_refuses_a_provisional_pack_before_any_kernel(catalog_root: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PlanError, match="2027 年的节假日安排尚未正式公布"):
        build_pack(PackRequest(catalog_root, "nev-class", (SPRING_2027,), notebook=NOTEBOOK,
                               out=catalog_root / "out", strict_calendar=True))
    code = main(["pack", "nev-class", "--root", str(catalog_root), "--set", SPRING_2027, "--strict-calendar",
                 "--out", str(catalog_root / "out"), "--notebook", str(NOTEBOOK)])
    err = capsys.readouterr().err
    assert code == 2 and "2027" in err and "curricula/holidays.yml" in err
    assert not (catalog_root / "out").exists()


def test_check_fails_a_provisional_default_pack_and_says_why(catalog_root: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    official = decide(load_catalog(catalog_root), "nev-class")
    # the programme's own cohort (its id kept) planned in 2027, as when the programme's file says so
    spring = decide(load_catalog(catalog_root), "nev-class", settings=[SPRING_2027, "id=2026-11"])

    def built(root: Path, **_options: object) -> list[PackOutcome]:
        folder = catalog_root / "build" / "packs" / "nev-class" / "2026-11"
        return [PackOutcome("nev-class", "2026-11", "fresh", folder, folder / "x.zip", 0.0, spring),
                PackOutcome("other", "2026-11", "fresh", folder, folder / "x.zip", 0.0, official)]

    monkeypatch.setattr(pack_build, "build_all", built)
    result = check_packs(catalog_root, jobs=1, timeout=60)
    assert result.status == "failed"
    failed, passed = result.items
    assert failed.status == "failed" and passed.status == "passed"
    assert failed.message == "nev-class: the default cohort 2026-11 is planned provisionally (暂定)"
    assert "2027 年的节假日安排尚未正式公布" in failed.text
    assert "curricula/holidays.yml" in failed.text and "国务院办公厅关于2027年部分节假日安排的通知" in failed.text


def test_plan_json_of_the_fixture(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "nev-class", "--root", str(catalog_root), "--set", SPRING_2027, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["provisional"] is True and data["provisional_note"].startswith("暂定：2027 年")


@pytest.mark.slow
@pytest.mark.kernel
def test_a_real_provisional_pack_is_marked_and_rebuilt_when_official_data_arrives(catalog_root: Path) -> None:
    """The one end-to-end build here: the marks reach the published files; holidays.yml makes the pack stale."""
    request = PackRequest(catalog_root, "nev-class", (SPRING_2027,), notebook=NOTEBOOK,
                          out=catalog_root / "build" / "packs")
    outcome = build_pack(request)
    assert outcome.status == "built" and build_pack(request).status == "fresh"
    folder = outcome.folder
    address = PackAddress(outcome.programme, outcome.cohort)
    for name in (name_of(address, "handbook.html"), name_of(address, "trainer-guide.html")):
        page = (folder / name).read_text(encoding="utf-8")
        assert '<p class="provisional">暂定：2027 年的节假日调休安排尚未公布' in page
    events = Calendar.from_ical((folder / name_of(address, "timetable.ics")).read_bytes()).walk("VEVENT")
    assert events and all(str(e["status"]) == "TENTATIVE" and "暂定" in str(e["description"]) for e in events)
    sheet = openpyxl.load_workbook(folder / name_of(address, "timetable.xlsx")).active
    assert sheet is not None and str(sheet["A3"].value).startswith("暂定：")

    (catalog_root / "curricula" / "holidays.yml").write_text(HOLIDAYS_2027, encoding="utf-8")
    assert not decide_pack(request).fresh()
    rebuilt = build_pack(request)
    assert rebuilt.status == "built"
    assert "暂定" not in (folder / name_of(address, "handbook.html")).read_text(encoding="utf-8")
    assert "STATUS:TENTATIVE" not in (folder / name_of(address, "timetable.ics")).read_text(encoding="utf-8")
