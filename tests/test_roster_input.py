"""Roster files and personal fields, without a database (the pure lane): checks, masks, what git ignores."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kebao.errors import RecordsError
from kebao.records.identity import (
    check_character,
    id_digest,
    id_problem,
    mask_id,
    mask_phone,
    normalise_gender,
    normalise_phone,
)
from kebao.records.roster import column_letter, read_roster

from .paths import REPO


def test_an_id_card_number_is_checked_by_its_check_character_and_date() -> None:
    assert check_character("11010519491231002") == "X"  # GB 11643's published example
    assert id_problem("11010519491231002X") is None
    assert id_problem("110105194912310021") == "fails its check character (a digit was mistyped)"
    assert id_problem("11010519491331002X") == "holds no valid date of birth (19491331)"
    assert id_problem("1101051949123100") == "has 16 characters, not 18"
    assert id_problem("11010519491231002Y") == "must be 17 digits and a last digit or X"


def test_masks_keep_only_what_a_person_needs_to_recognise_a_number() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("01062751234") == "0106*****34"
    assert mask_phone("") == ""


def test_a_digest_depends_on_the_number_and_the_database_salt() -> None:
    first = id_digest("11010519491231002X", b"salt-one")
    assert first == id_digest("11010519491231002X", b"salt-one")
    assert first != id_digest("11010519491231002X", b"salt-two")
    assert first != id_digest("110105194912310021", b"salt-one")
    assert "11010519491231002X" not in first and len(first) == 64


@pytest.mark.parametrize(("written", "phone"), [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("+86-138-0013-8000", "13800138000"),
    ("8613800138000", "13800138000"), ("010-62751234", "01062751234"), ("（0998）2612345", "09982612345"),
    ("1380013800", None), ("12800138000", None), ("62751234", None), ("电话", None)])
def test_phones_are_normalised_or_refused(written: str, phone: str | None) -> None:
    assert normalise_phone(written) == phone


def test_genders_in_chinese_and_english() -> None:
    assert [normalise_gender(g) for g in ("男", "女", "M", "f", "Female", "x")] == ["m", "f", "m", "f", "f", None]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_a_gbk_csv_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes("姓名,性别,单位,电话\r\n测试甲,男,示例县农业农村局,13800138000\r\n".encode("gb18030"))
    [learner] = read_roster(path)
    assert (learner.row, learner.name, learner.gender, learner.organisation, learner.post, learner.phone) == (
        2, "测试甲", "m", "示例县农业农村局", "", "13800138000")


def test_two_learners_of_one_name_need_their_id_numbers(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("姓名,性别,单位,电话\n测试甲,男,甲单位,13800138000\n\n测试甲,男,乙单位,13800138001\n",
                    encoding="utf-8")
    with pytest.raises(RecordsError) as raised:
        read_roster(path)
    assert raised.value.details == ("roster.csv:4:A: 姓名: 测试甲 is on rows 2, 4 (delete the repeated row; for "
                                    "two learners of one name, give both their 身份证号)",)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("roster.txt", b"x", "a roster is an .xlsx or .csv file, not .txt"),
    ("roster.xlsx", b"not a zip", "not a readable Excel workbook"),
    ("roster.csv", "序号,单位\n1,x\n".encode(), "1 problem(s) in the roster"),
    ("roster.csv", "姓名,性别,单位,电话\n".encode(), "1 problem(s) in the roster"),
])
def test_files_that_are_no_roster_are_refused(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RecordsError) as raised:
        read_roster(path)
    assert message in raised.value.message and raised.value.exit_code == 2


def test_git_ignores_the_records_folder_but_not_the_records_package() -> None:
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0

    assert ignored("records/kebao.sqlite")
    assert not ignored("src/kebao/records/store.py")
