"""Learner records: roster imports into a real database, on SQLite and on a throw-away PostgreSQL.

Every test here runs twice (``database_url`` is parametrised): the same behaviour is asked of both.
Rosters are made up: 测试 names, 138… phones, ID-card numbers built with a valid check character.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from kebao.cli import main
from kebao.records.database import open_database
from kebao.records.identity import check_character
from kebao.records.models import Base, Import, Learner

from .paths import REPO

pytestmark = pytest.mark.database

COHORT = "xpcc-cadres/xpcc-2026-12-2"  # a cohort file of the repository (cohorts/xpcc-cadres/)


def id_number(body: str) -> str:
    """A valid 18-character ID-card number from its first 17 digits."""
    return body + check_character(body)


ID_A = id_number("11010119900307451")
ID_B = id_number("65010219851201002")
HEADER = "姓名,性别,单位,职务,电话,身份证号"
ROWS = [f"测试甲,男,示例县农业农村局,科员,13800138000,{ID_A}",
        "测试乙,女,示例镇人民政府,,010-62751234,",
        f"测试丙,女,示例团场,连长,+86 139 0013 9000,{ID_B}"]


def roster(folder: Path, rows: list[str], name: str = "roster.csv", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def kebao(database: str, *args: str) -> tuple[int, str, str]:
    """``kebao ARGS --root REPO --database URL`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--root", str(REPO), "--database", database])
    return code, out.getvalue(), err.getvalue()


def every_stored_value(url: str) -> str:
    """Every value of every table, as one text (to look for what must never be stored)."""
    database = open_database(REPO, url)
    try:
        with database.engine.connect() as connection:
            tables = [table for table in Base.metadata.sorted_tables]
            return "\n".join(str(row) for table in tables for row in connection.execute(select(table)))
    finally:
        database.close()


def stored(url: str) -> tuple[list[tuple[str, str, str, str]], int]:
    """(name, post, phone, updated_at) of every learner, and the number of imports."""
    database = open_database(REPO, url)
    try:
        with database.engine.connect() as connection:
            learners = [(r.name, r.post, r.phone, str(r.updated_at))
                        for r in connection.execute(select(Learner.__table__).order_by(text("id")))]
            imports = len(connection.execute(select(Import.__table__)).all())
        return learners, imports
    finally:
        database.close()


def test_a_roster_is_imported_and_listed_with_phones_and_id_numbers_masked(database_url: str,
                                                                         tmp_path: Path) -> None:
    code, out, err = kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS)))
    assert (code, err) == (0, "")
    assert "3 added, 0 changed, 0 unchanged" in out and "recorded as import 1" in out
    code, out, _ = kebao(database_url, "records", "list", COHORT)
    assert code == 0
    assert "测试甲  男  示例县农业农村局  科员  138****8000  110***********" + ID_A[-4:] in out
    assert "测试丙  女  示例团场  连长  139****9000" in out
    assert "13800138000" not in out and ID_A not in out
    learners, imports = stored(database_url)
    assert [(name, phone) for name, _, phone, _ in learners] == [
        ("测试甲", "13800138000"), ("测试乙", "01062751234"), ("测试丙", "13900139000")]
    assert imports == 1


def test_an_id_card_number_is_never_stored_as_written(database_url: str, tmp_path: Path) -> None:
    assert kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS)))[0] == 0
    values = every_stored_value(database_url)
    assert "测试甲" in values  # the dump holds the learners…
    for number in (ID_A, ID_B):
        assert number not in values and number[6:14] not in values  # …but not their numbers or birth dates


def test_importing_the_same_file_again_changes_nothing(database_url: str, tmp_path: Path) -> None:
    path = roster(tmp_path, ROWS)
    assert kebao(database_url, "records", "roster", COHORT, str(path))[0] == 0
    before = stored(database_url)
    code, out, _ = kebao(database_url, "records", "roster", COHORT, str(path))
    assert code == 0
    assert "0 added, 0 changed, 3 unchanged" in out and "nothing changed" in out
    assert stored(database_url) == before  # no new import row, no learner touched


def test_learners_a_later_file_leaves_out_are_kept_and_named(database_url: str, tmp_path: Path) -> None:
    assert kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS)))[0] == 0
    before = stored(database_url)
    code, out, _ = kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS[:1], "one.csv")))
    assert code == 0 and "0 added, 0 changed, 1 unchanged" in out
    assert "kept 2 learner(s) this file does not list: 测试乙、测试丙" in out
    assert stored(database_url) == before


def test_a_changed_learner_is_reported_and_applied_only_with_update(database_url: str, tmp_path: Path) -> None:
    assert kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS)))[0] == 0
    before = stored(database_url)
    changed = [ROWS[0].replace(",科员,13800138000,", ",副科长,13800138001,"), *ROWS[1:],
               "测试丁,男,示例县教育局,教师,13700137000,"]
    path = roster(tmp_path, changed, "roster-2.csv")
    code, out, err = kebao(database_url, "records", "roster", COHORT, str(path))
    assert code == 2 and out == ""
    assert "1 learner(s) of xpcc-cadres/xpcc-2026-12-2 differ from the stored records; nothing was imported" in err
    assert "row 2: 测试甲: 职务 科员 -> 副科长; 电话 138****8000 -> 138****8001" in err
    assert "--update" in err and "13800138001" not in err
    assert stored(database_url) == before  # not even the new learner 测试丁
    code, out, _ = kebao(database_url, "records", "roster", COHORT, str(path), "--update")
    assert code == 0 and "1 added, 1 changed, 2 unchanged" in out
    learners, imports = stored(database_url)
    assert learners[0][:3] == ("测试甲", "副科长", "13800138001") and str(learners[0][3]) >= str(before[0][0][3])
    assert [name for name, *_ in learners][-1] == "测试丁" and imports == 2


def test_bad_rows_are_each_named_by_file_row_and_column_and_nothing_is_written(database_url: str,
                                                                              tmp_path: Path) -> None:
    bad = ["测试甲,X,示例县农业农村局,科员,1380013800," + ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1"),
           ",男,,,13800138000,", ROWS[2]]
    code, out, err = kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, bad)))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert "roster.csv: 5 problem(s) in the roster; nothing was imported" in lines[0]
    assert "  roster.csv:2:B: 性别: 'X' is not a gender (write 男 or 女, or M or F)" in lines
    assert any(line.startswith("  roster.csv:2:E: 电话: '1380013800' is not a phone number (write a mobile's")
               for line in lines)
    assert any(line.startswith("  roster.csv:2:F: 身份证号: the ID-card number fails its check character")
               for line in lines)
    assert any(line.startswith("  roster.csv:3:A: 姓名: empty") for line in lines)
    assert any(line.startswith("  roster.csv:3:C: 单位: empty") for line in lines)
    assert stored(database_url) == ([], 0)


def test_a_misspelt_column_is_named_with_its_fix(database_url: str, tmp_path: Path) -> None:
    path = roster(tmp_path, ["测试甲,男,示例县农业农村局,13800138000"], header="姓名,性别,单位,电活")
    code, _, err = kebao(database_url, "records", "roster", COHORT, str(path))
    assert code == 2
    assert "roster.csv:1: no 电话 (phone) column in the header (rename the column '电活' to 电话)" in err


def test_an_xlsx_roster_with_a_title_row_and_english_headers(database_url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["测试培训班学员名单"])
    sheet.append(["No.", "Name", "Gender", "Organisation", "Post", "Mobile", "ID number"])
    sheet.append([1, "Test Person", "F", "Example Corps Farm", "Team leader", 13800138000, ID_B])
    sheet.append([2, "测试乙", "女", "示例团场", None, 13900139000, int(ID_A[:-1] + "0")])
    workbook.save(tmp_path / "roster.xlsx")
    code, _, err = kebao(database_url, "records", "roster", COHORT, str(tmp_path / "roster.xlsx"))
    assert code == 2
    assert ("roster.xlsx:4:G: ID number: the cell is a number, so Excel may have rounded the ID-card number "
            "(format the column as text (文本) and type the number again)") in err
    sheet.delete_rows(4)
    workbook.save(tmp_path / "roster.xlsx")
    code, out, _ = kebao(database_url, "records", "roster", COHORT, str(tmp_path / "roster.xlsx"))
    assert code == 0 and "1 added" in out
    assert "Test Person  女  Example Corps Farm  Team leader  138****8000" in kebao(
        database_url, "records", "list", COHORT)[1]


def test_a_failed_import_rolls_back_what_it_had_written(database_url: str, tmp_path: Path) -> None:
    """Two rows that are both the stored 测试乙 are found mid-import, after 测试戊 was added: neither stays."""
    assert kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, ROWS)))[0] == 0
    before = stored(database_url)
    twice = ["测试戊,男,示例县,科员,13600136000,",
             f"测试乙,女,示例镇人民政府,,010-62751234,{id_number('11010519800101001')}",
             f"测试乙,女,示例镇人民政府,,010-62751234,{id_number('11010519800101002')}"]
    code, _, err = kebao(database_url, "records", "roster", COHORT, str(roster(tmp_path, twice, "twice.csv")))
    assert code == 2 and "rows 3 and 4 are both 测试乙" in err
    assert stored(database_url) == before


def test_an_unknown_programme_or_a_cohort_without_records(database_url: str) -> None:
    code, _, err = kebao(database_url, "records", "list", "xpcc-cadrez")
    assert code == 2 and "unknown programme 'xpcc-cadrez' (did you mean 'xpcc-cadres'" in err
    code, _, err = kebao(database_url, "records", "list", COHORT)
    assert code == 2 and "no records for cohort xpcc-cadres/xpcc-2026-12-2" in err
    assert "kebao records roster xpcc-cadres/xpcc-2026-12-2 FILE.xlsx" in err
    code, _, err = kebao(database_url, "records", "list", "xpcc-cadres/xpcc-2026-12-3")
    assert code == 2 and "programme 'xpcc-cadres' has no cohort 'xpcc-2026-12-3'" in err
    assert "did you mean 'xpcc-2026-12-2' or 'xpcc-2026-12'?" in err


def test_the_migrations_make_the_schema_the_models_describe(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    for _ in range(2):  # opening an up-to-date database again changes nothing
        database = open_database(REPO, database_url)
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert connection.execute(text("select version_num from alembic_version")).scalar_one() == "0002"
            assert set(inspect(connection).get_table_names()) == {
                "alembic_version", "settings", "cohorts", "learners", "imports", "attendance", "scores",
                "survey_answers", "certificates"}
        database.close()


def test_the_database_comes_from_the_environment_in_a_subprocess(database_url: str, tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), "KEBAO_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "kebao", "records", "roster", COHORT, str(roster(tmp_path, ROWS)),
                           "--root", str(REPO)], env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [name for name, *_ in stored(database_url)[0]] == ["测试甲", "测试乙", "测试丙"]


def test_a_database_that_cannot_be_reached_or_is_not_supported(tmp_path: Path) -> None:
    """No server behind the address: exit code 3 naming it (without the password); MySQL: exit code 2."""
    missing = f"postgresql://kebao:secret@/kebao?host={tmp_path / 'no-server'}&port=5432"
    code, _, err = kebao(missing, "records", "list", COHORT)
    assert code == 3 and "cannot open the records database postgresql+psycopg://kebao:***@/kebao" in err
    assert "secret" not in err and "KEBAO_DATABASE_URL" in err
    code, _, err = kebao("mysql://kebao@localhost/kebao", "records", "list", COHORT)
    assert code == 2 and "kebao's records live in PostgreSQL or SQLite, not 'mysql'" in err


def test_without_an_address_the_database_is_sqlite_under_the_roots_records_folder(
        catalog_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEBAO_DATABASE_URL", raising=False)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["records", "roster", "cadres-course", str(roster(tmp_path, ROWS)), "--root", str(catalog_root)])
    assert code == 0, err.getvalue()
    assert (catalog_root / "records" / "kebao.sqlite").is_file()
    assert "3 added" in out.getvalue()
