"""The example records (examples/records.py): fake, deterministic, and imported whole by kebao records."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest

from .paths import REPO
from .test_records_import import kebao

pytestmark = pytest.mark.database

PROGRAMME, LEARNERS = "college-managers-study-tour", 12  # the example cohort that works in groups


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_records", REPO / "examples" / "records.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("example")
    first = script().example(REPO, folder / "a", PROGRAMME, LEARNERS)
    second = script().example(REPO, folder / "b", PROGRAMME, LEARNERS)
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]  # seeded, dated
    return first


def test_the_example_roster_is_clearly_fake_and_its_workbooks_import_whole(example: list[Path],
                                                                          database_url: str) -> None:
    roster, *workbooks = example
    lines = roster.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "姓名,性别,单位,职务,电话" and len(lines) == 1 + LEARNERS
    assert all(line.startswith("测试学员") and ",示例" in line for line in lines[1:])
    assert kebao(REPO, database_url, "records", "roster", PROGRAMME, str(roster))[0] == 0
    outs = []
    for path in workbooks:
        code, out, err = kebao(REPO, database_url, "records", "import", str(path))
        assert (code, err) == (0, ""), err
        assert "not recorded yet" not in out  # every session and sheet is filled in
        outs.append(out)
    # 12 learners: 8 sessions each (their own group's), 10 scores and answers each (no other group's modules), 7 answers
    assert "attendance: 96 added" in outs[0] and "assessment: 120 added" in outs[1] and "survey: 84 added" in outs[2]
    attendance = openpyxl.load_workbook(workbooks[0])
    group_sheets = [ws for ws in attendance.worksheets if ws.title.endswith("组")]
    assert group_sheets and all(  # a group's sheet marks only its own learners (a third of them)
        sum(1 for row in ws.iter_rows(min_row=5, min_col=4, max_col=4, values_only=True) if row[0]) == LEARNERS // 3
        for ws in group_sheets)
