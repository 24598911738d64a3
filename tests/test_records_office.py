"""A workbook that went through a real office suite still imports: metadata and marks survive LibreOffice.

The cohort's pre-filled workbooks are filled in with openpyxl, then opened and saved again as .xlsx by
headless LibreOffice (Debian's ``libreoffice-calc-nogui``, as tests/test_workbook_print.py uses it), which
rewrites every part of the file in its own way (its veryHidden sheet becomes a hidden one, numbers become
floats, styles are renumbered). ``kebao records import`` must read the result as it read the original.
Slow lane: one LibreOffice start (~10-20 s under load); the imports run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from kebao.records.prefill import decide_cohort, prefilled

from .paths import FIXTURES
from .test_records_import import COHORT, ROSTER, kebao, rows

pytestmark = [pytest.mark.slow, pytest.mark.database]

MARKS = {"签到表": {0: {"D5": "√", "D6": "迟到", "E7": "早退"}, 2: {"D5": "请假", "D7": "✓"}},
         "评分表": {"评分表": {"D5": 92, "E6": 78.5, "F7": "66"}, "课后问卷": {"D6": 4}},
         "满意度测评": {0: {"B5": 5, "H5": 4, "I5": "安排紧凑", "B6": 3}}}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The three workbooks filled in by openpyxl and saved again by LibreOffice."""
    soffice = shutil.which("soffice")
    assert soffice is not None, "LibreOffice is missing: apt-get install libreoffice-calc-nogui (.ci/system-packages)"
    folder = tmp_path_factory.mktemp("office")
    learners = [(line.split(",")[0], line.split(",")[2]) for line in ROSTER[1:]]
    filled = []
    for path in prefilled(decide_cohort(FIXTURES / "catalog", "nev-class", "2026-11"), folder / "blank", learners):
        book = openpyxl.load_workbook(path)
        for sheet, cells in next(marks for name, marks in MARKS.items() if name in path.name).items():
            ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
            for cell, value in cells.items():
                ws[cell] = value
        book.save(folder / path.name)
        filled.append(folder / path.name)
    out = folder / "libreoffice"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, filled)], capture_output=True,
                   check=True, timeout=600)
    return [out / path.name for path in filled]


def test_metadata_and_marks_survive_libreoffice(converted: list[Path], catalog_root: Path, database_url: str,
                                                tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("\n".join([ROSTER[0], *(line.replace("{id_number}", "")
                                                                 for line in ROSTER[1:])]) + "\n", encoding="utf-8")
    assert kebao(catalog_root, database_url, "records", "roster", COHORT, str(tmp_path / "roster.csv"))[0] == 0
    for path in converted:
        book = openpyxl.load_workbook(path)
        assert book["_kebao"].sheet_state in ("hidden", "veryHidden"), path.name  # still out of sight
    reports = [kebao(catalog_root, database_url, "records", "import", str(path)) for path in converted]
    assert [code for code, _, _ in reports] == [0, 0, 0], [err for _, _, err in reports]
    outs = "".join(out for _, out, _ in reports)
    assert "attendance: 6 added" in outs and "assessment: 4 added" in outs and "survey: 3 added" in outs
    from kebao.records.models import Attendance, Score, SurveyAnswer

    assert [(row[3], row[6]) for row in rows(database_url, Attendance)] == [
        ("2026-11-16T08:30", "present"), ("2026-11-16T08:30", "late"), ("2026-11-16T08:30", "left-early"),
        ("2026-11-17T08:30", "leave"), ("2026-11-17T08:30", "absent"), ("2026-11-17T08:30", "present")]
    assert [(row[3], float(row[4])) for row in rows(database_url, Score)] == [
        ("hv-safety", 92.0), ("battery-practicum", 78.5), ("smartphone-tools", 66.0)]
    assert [(row[3], row[5], row[6]) for row in rows(database_url, SurveyAnswer)] == [
        ("post", 1, 4), ("satisfaction", 1, 5), ("satisfaction", 7, 4), ("satisfaction", 1, 3)]
    again = kebao(catalog_root, database_url, "records", "import", str(converted[0]))
    assert again[0] == 0 and "nothing changed: already imported as import 2" in again[1]
