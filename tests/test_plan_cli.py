"""`kebao plan`: the plan, hours per strand and timetable as aligned text or JSON; exit 2 on bad requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kebao.catalog import load_catalog
from kebao.cli import main
from kebao.cli.plan import table, width

from . import catalog_factory as cf
from .paths import FIXTURES, REPO

KEBAO = Path(sys.executable).with_name("kebao")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small valid repository: three strands, a site visit on the last day, an arrival day."""
    modules = [cf.module(f"party-{n}", "party-building", 4) for n in range(3)]
    modules += [cf.module(f"industry-{n}", "industry", 4) for n in range(3)]
    modules += [cf.module(f"skills-{n}", "skills", 2 + n) for n in range(4)]
    modules += [cf.module("capital-visit", "industry", 8, duration="whole-day")]
    spec = cf.Spec(modules=modules, programmes=[cf.programme(
        "cadre-course", mix={"party-building": 30, "industry": 40, "skills": 30}, days=6, total_hours=36,
        arrival=True, site_visits=[{"module": "capital-visit", "day": "last"}],
        cohort={"id": "2026-autumn", "start": "2026-09-13"}, language="zh")])
    return cf.write(tmp_path / "repo", spec)


def plan(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["plan", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_factory_writes_a_repository_that_validates(repo: Path) -> None:
    catalog = load_catalog(repo)
    assert sorted(catalog.programmes) == ["cadre-course"] and len(catalog.modules) == 11


def test_table_shows_plan_strand_hours_and_timetable_in_aligned_columns(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "cadre-course", "--root", repo)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "培训班cadre-course · Cadre-Course (cadre-course)"
    assert "计划：" in out and "学时分布" in lines and "课表（Asia/Shanghai）" in lines
    assert "现场教学，安排在最后一个教学日" in out and "按主题学时比例选入：党建还差" in out
    timetable = lines[lines.index("课表（Asia/Shanghai）") + 1:]
    assert timetable[0].split() == ["日期", "星期", "时段", "开始", "结束", "课程模块", "主题", "学时"]
    assert "2026-09-13  星期日" in timetable[2] and "报到" in timetable[2]
    session_rows = [row for row in timetable[2:] if row.rstrip().endswith(("2", "3", "4", "5"))]
    assert len(session_rows) >= 9
    assert {width(row) for row in session_rows} == {width(timetable[0])}  # right-aligned 学时 column lines up
    strands = lines[lines.index("学时分布") + 1:lines.index("学时分布") + 7]
    assert strands[2].startswith("党建 (party-building)") and "10.8" in strands[2]
    assert strands[-1].startswith("合计") and "36" in strands[-1]


def test_lang_en_says_the_same_plan_in_english(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "cadre-course", "--root", repo, "--lang", "en")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Cadre-Course · 培训班cadre-course (cadre-course)"
    assert "Hours per strand" in lines and "Timetable (Asia/Shanghai)" in lines
    assert "site visit on the last teaching day" in out and "chosen for strand Party building: it still lacked" in out
    timetable = lines[lines.index("Timetable (Asia/Shanghai)") + 1:]
    assert timetable[0].split() == ["Date", "Day", "Session", "Start", "End", "Module", "Strand", "Hours"]
    assert timetable[2].split() == ["2026-09-13", "Sun", "Arrival"]
    # the words kebao says are English: Chinese is left only in the names the authors wrote (培训班…, 培训中心)
    said = out.replace("培训班cadre-course", "").replace("培训中心", "").replace("学时", "")
    assert not [c for c in said if "\u4e00" <= c <= "\u9fff"]


def test_json_has_the_documented_shape_and_adds_up(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = plan(capsys, "cadre-course", "--root", repo, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["programme"] == "cadre-course"
    assert data["cohort"] == {"id": "2026-autumn", "start": "2026-09-13", "size": 30, "venue": "培训中心",
                              "language": "zh", "days": 6, "dates": [],
                              "mix": {"party-building": 30, "industry": 40, "skills": 30}, "exclude": [],
                              "extra": [], "contacts": []}
    assert [s["id"] for s in data["strands"]] == ["party-building", "industry", "skills"]
    for strand in data["strands"]:
        assert set(strand) >= {"id", "target_hours", "hours"}
        assert strand["hours"] == sum(s["hours"] for s in data["items"] if s.get("strand") == strand["id"])
    for item in data["items"]:
        assert set(item) >= {"kind", "date", "start", "end", "slot", "hours"}
        assert set(item) >= ({"module", "strand", "reason"} if item["kind"] == "teaching" else {"event"})
    assert sum(s["hours"] for s in data["items"]) == data["total_hours"]
    assert data["target_hours"] == 36 and abs(data["total_hours"] - 36) <= 4
    assert [s["date"] for s in data["items"] if s.get("module") == "capital-visit"] == ["2026-09-18"] * 2


def test_start_and_settings_change_the_cohort(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "cadre-course", "--root", repo, "--format", "json", "--start", "2026-09-27",
                          "--set", "size=25", "--set", "days=14")
    assert code == 0, err
    data = json.loads(out)
    assert data["cohort"]["size"] == 25 and data["cohort"]["start"] == "2026-09-27"
    dates = {s["date"] for s in data["items"]}
    assert not any("2026-10-01" <= d <= "2026-10-07" for d in dates)  # 国庆
    assert "2026-10-10" in dates  # a Saturday, worked to make up for 国庆 (调休)
    assert data["calendar"][4] == {"date": "2026-10-01", "kind": "holiday", "label": "国庆节", "teaching_day": None,
                                   "phase": None}


def test_unknown_programme_exits_2_with_did_you_mean(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "cadre-corse", "--root", repo)
    assert code == 2 and out == ""
    assert err.strip() == "kebao: error: unknown programme 'cadre-corse' (did you mean 'cadre-course'?)"


def test_the_trainers_guide_example_plans_provisionally_and_strict_refuses_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    """book/guide/trainers.md plans a spring 2027 cohort, before 2027's holiday arrangement is published."""
    code, out, err = plan(capsys, "xpcc-cadres", "--root", REPO, "--start", "2027-03-08")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2] == ("暂定：2027 年的节假日调休安排尚未公布，本课表按法定节假日编排；"
                        "国务院办公厅公布放假安排后请重新生成。")
    assert "课表（Asia/Shanghai） · 暂定" in lines
    code, out, _ = plan(capsys, "xpcc-cadres", "--root", REPO, "--start", "2027-03-08", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["provisional"] is True and data["provisional_note"].startswith("暂定：2027 年")
    assert data["calendar"][0]["date"] == "2027-03-08"
    code, out, err = plan(capsys, "xpcc-cadres", "--root", REPO, "--start", "2027-03-08", "--strict-calendar")
    assert code == 2 and out == ""
    assert "2027 年的节假日安排尚未正式公布" in err and "curricula/holidays.yml" in err
    code, out, _ = plan(capsys, "xpcc-cadres", "--root", REPO, "--strict-calendar", "--format", "json")
    assert code == 0 and json.loads(out)["provisional"] is False and "暂定" not in out


@pytest.mark.parametrize(("args", "expected"), [
    (["--set", "sise=3"], "unknown cohort setting 'sise' (did you mean 'size'?)"),
    (["--set", "mix.skills=50"], "the strand weights add up to 120, not 100"),
    (["--start", "2026-02-30"], "--start 2026-02-30: not a date"),
    (["--start", "2101-03-01"], "没有 2101 年的数据"),
    (["--set", "mix.skills=90", "--set", "mix.party-building=10", "--set", "mix.industry=0"],
     "技能差 18.4 学时"),
])
def test_bad_requests_exit_2_with_a_clear_message(repo: Path, capsys: pytest.CaptureFixture[str],
                                                  args: list[str], expected: str) -> None:
    code, out, err = plan(capsys, "cadre-course", "--root", repo, *args)
    assert code == 2 and out == ""
    assert err.startswith("kebao: error: ") and expected in err


def test_fixture_programme_that_cannot_meet_its_mix_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = plan(capsys, "cadres-course", "--root", FIXTURES / "catalog")
    assert code == 2 and "技能差 4.4 学时（目标 8.4 = 30% × 28" in err
    code, out, _ = plan(capsys, "cadres-course", "--root", FIXTURES / "catalog", "--set", "mix.skills=15",
                        "--set", "mix.industry=55")
    assert code == 0 and "经开区实地研学（2/2）" in out


def test_table_pads_by_display_width() -> None:
    lines = table(["名称", "n"], [["党建", "1"], ["skills", "10"]], right={1})
    assert lines == ["名称     n", "------  --", "党建     1", "skills  10"]
    assert width("党建ab") == 6


@pytest.mark.slow  # pure, but two interpreters start (~1.4 s): make test (not test-fast) runs it
def test_plan_runs_through_the_console_script_without_importing_pandas() -> None:
    code = ("import sys\nfrom kebao.cli import main\n"
            f"main(['plan', 'nev-class', '--root', {str(FIXTURES / 'catalog')!r}, '--format', 'json'])\n"
            "print('pandas' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONWARNINGS": "error"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")
    result = subprocess.run([str(KEBAO), "plan", "nev-class", "--root", str(FIXTURES / "catalog")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "动力电池实操" in result.stdout


def test_too_few_days_for_whole_modules_says_how_many_days(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    modules = [cf.module(f"class-{n}", "wellbeing", 2) for n in range(5)]
    spec = cf.Spec(modules=modules, audiences=[cf.audience("seniors", day=3, session=2)],
                   programmes=[cf.programme("seniors", audience="seniors", mix={"wellbeing": 100}, days=5,
                                            total_hours=10, start="2026-10-19",
                                            required=[m["id"] for m in modules])])
    root = cf.write(tmp_path / "repo", spec)
    code, out, err = plan(capsys, "seniors", "--root", root, "--set", "days=4")
    assert code == 2 and out == ""
    assert "do not fit whole" in err and "--set days=5" in err
    code, out, err = plan(capsys, "seniors", "--root", root, "--set", "days=12")
    assert code == 0, err
    assert "（1/2）" not in out


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`kebao plan … | head -1`: the pipe closes under kebao, which stops quietly (exit 141, as SIGPIPE would)."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before kebao writes: every write fails
    try:
        run = subprocess.run([str(KEBAO), "plan", "xpcc-cadres", "--root", str(REPO)], stdout=write_end,
                             stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert run.stderr == "" and run.returncode == 141
