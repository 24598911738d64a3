"""A roster file (XLSX or CSV) read and checked row by row, before anything touches the database.

The header row (one of the first five rows, the first that names 姓名 or name) names the columns, in
Chinese or English, in any order; columns kebao does not know (序号, 民族, 备注…) are left out. Required:
姓名 name, 性别 gender, 单位 organisation, 电话 phone; optional: 职务 post (blank for the retired),
身份证号 ID-card number. Every problem is reported as ``FILE:row:column: header: what is wrong (the fix)``
and the whole file is refused (:class:`~kebao.errors.RecordsError`). A CSV is read as UTF-8 (with or
without BOM) or, failing that, GB18030, which is what Excel and WPS write in China.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RecordsError
from .identity import id_problem, normalise_gender, normalise_id, normalise_phone

# field -> (its Chinese header, its English header, every header accepted, lower-case)
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "name": ("姓名", "name", ("姓名", "name", "学员姓名")),
    "gender": ("性别", "gender", ("性别", "gender", "sex")),
    "organisation": ("单位", "organisation", ("单位", "工作单位", "organisation", "organization")),
    "post": ("职务", "post", ("职务", "职位", "post", "position", "job title")),
    "phone": ("电话", "phone", ("电话", "手机", "手机号", "手机号码", "联系电话", "phone", "mobile")),
    "id_number": ("身份证号", "ID number", ("身份证号", "身份证号码", "身份证", "id number", "id card", "id_number")),
}
REQUIRED = ("name", "gender", "organisation", "phone")
LIMITS = {"name": 50, "organisation": 200, "post": 100}
MAX_ROWS = 10000
HEADER_ROWS = 5  # the header may follow a title row or two (XX培训班学员名单)
SHOWN = 50  # problems listed at most


@dataclass(frozen=True)
class RosterRow:
    """One learner as the roster gives them, checked and normalised (the ID-card number in memory only)."""

    row: int
    name: str
    gender: str
    organisation: str
    post: str
    phone: str
    id_number: str


@dataclass(frozen=True)
class Cell:
    row: int
    column: int  # 1-based
    value: object

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    @property
    def text(self) -> str:
        value = self.value
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()


def column_letter(column: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Problems:
    """The problems of one file, in the order found."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: list[str] = []

    def add(self, row: int, column: int, header: str, message: str, hint: str) -> None:
        where = f"{self.path.name}:{row}:{column_letter(column)}" if column else f"{self.path.name}:{row}"
        self.lines.append(f"{where}: {header + ': ' if header else ''}{message} ({hint})")

    def raise_any(self) -> None:
        if self.lines:
            more = len(self.lines) - SHOWN
            raise RecordsError(
                f"{self.path}: {len(self.lines)} problem(s) in the roster; nothing was imported",
                "fix the rows named above and import the file again",
                details=[*self.lines[:SHOWN], *([f"… and {more} more"] if more > 0 else [])])


def read_roster(path: Path) -> list[RosterRow]:
    """The learners of a roster file, every row checked; RecordsError naming each bad cell otherwise."""
    path = Path(path)
    problems = Problems(path)
    table = read_cells(path)
    header_row, columns = find_columns(table, problems)
    problems.raise_any()
    rows = [check_row(cells, columns, problems) for cells in table[header_row:] if any(c.text for c in cells)]
    learners = [row for row in rows if row is not None]
    if not learners and not problems.lines:
        problems.add(header_row + 1, 0, "", "the roster has a header but no learners",
                     "add one row per learner under the header")
    if len(learners) > MAX_ROWS:
        problems.add(header_row + 1, 0, "", f"{len(learners)} learners: more than {MAX_ROWS}",
                     "split the roster per cohort")
    check_duplicates(learners, columns, problems)
    problems.raise_any()
    return learners


def read_cells(path: Path) -> list[list[Cell]]:
    """Every row of the file's first sheet (XLSX) or of the CSV, as cells; RecordsError if unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _xlsx_cells(path)
        if suffix == ".csv":
            return _csv_cells(path.read_bytes())
    except FileNotFoundError:
        raise RecordsError(f"{path}: no such file", "check the file's name and folder") from None
    raise RecordsError(f"{path}: a roster is an .xlsx or .csv file, not {suffix or 'a file without suffix'}",
                       "save it from Excel, WPS or LibreOffice as .xlsx (Excel workbook) or .csv")


def _xlsx_cells(path: Path) -> list[list[Cell]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError) as error:
        raise RecordsError(f"{path}: not a readable Excel workbook ({error})",
                           "open it in Excel, WPS or LibreOffice and save it again as .xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        return [[Cell(r, c, value) for c, value in enumerate(values, start=1)]
                for r, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _csv_cells(data: bytes) -> list[list[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    return [[Cell(r, c, value) for c, value in enumerate(values, start=1)]
            for r, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]


def find_columns(table: Sequence[Sequence[Cell]], problems: Problems) -> tuple[int, dict[str, Cell]]:
    """(the header's row number, field -> its header cell); problems for a missing header or column."""
    aliases = {alias: field for field, (_, _, names) in COLUMNS.items() for alias in names}
    for header in table[:HEADER_ROWS]:
        found = {aliases[c.text.lower()]: c for c in header if c.text.lower() in aliases}
        if "name" not in found:
            continue
        seen: dict[str, Cell] = {}
        for cell in header:
            field = aliases.get(cell.text.lower())
            if field in seen:
                problems.add(cell.row, cell.column, cell.text, f"a second {COLUMNS[field][0]} column "
                             f"(the first is {seen[field].letter})", "keep one and delete the other")
            elif field:
                seen[field] = cell
        unknown = [c.text for c in header if c.text and c.text.lower() not in aliases]
        for field in REQUIRED:
            if field not in found:
                zh, en, _ = COLUMNS[field]
                close = difflib.get_close_matches(zh, unknown, 1, 0.4) or difflib.get_close_matches(en, unknown, 1, 0.6)
                problems.add(header[0].row, 0, "", f"no {zh} ({en}) column in the header",
                             f"rename the column {close[0]!r} to {zh}" if close else
                             f"add a column headed {zh} or {en}")
        return header[0].row, found
    headers = "、".join(zh for zh, _, _ in COLUMNS.values())
    problems.add(1, 0, "", f"no header row: none of the first {HEADER_ROWS} rows names a 姓名 (name) column",
                 f"put the headers {headers} in the first row")
    return 1, {}


def check_row(cells: Sequence[Cell], columns: dict[str, Cell], problems: Problems) -> RosterRow | None:
    """One learner's row checked; None (and problems added) when something is wrong."""
    before = len(problems.lines)
    values: dict[str, str] = {}
    row = cells[0].row
    for field, header in columns.items():
        cell = cells[header.column - 1] if header.column <= len(cells) else Cell(row, header.column, None)
        values[field] = _check_cell(field, cell, header.text, problems)
    if len(problems.lines) > before:
        return None
    return RosterRow(row=row, name=values["name"], gender=values["gender"], organisation=values["organisation"],
                     post=values.get("post", ""), phone=values["phone"], id_number=values.get("id_number", ""))


def _check_cell(field: str, cell: Cell, header: str, problems: Problems) -> str:  # size: one rule per column
    text = cell.text

    def bad(message: str, hint: str) -> str:
        problems.add(cell.row, cell.column, header, message, hint)
        return ""

    if not text:
        if field in REQUIRED:
            return bad("empty", f"write the learner's {COLUMNS[field][0]}, or delete the row if it is not a learner")
        return ""
    if field in LIMITS and len(text) > LIMITS[field]:
        return bad(f"{len(text)} characters, more than {LIMITS[field]}", "shorten it")
    if field == "gender":
        return normalise_gender(text) or bad(f"{text!r} is not a gender", "write 男 or 女, or M or F")
    if field == "phone":
        return normalise_phone(text) or bad(
            f"{text!r} is not a phone number",
            "write a mobile's 11 digits, e.g. 13800138000, or a landline with its area code, e.g. 010-62751234")
    if field == "id_number":
        if isinstance(cell.value, int | float):
            return bad("the cell is a number, so Excel may have rounded the ID-card number",
                       "format the column as text (文本) and type the number again")
        number = normalise_id(text)
        why = id_problem(number)
        if why:
            return bad(f"the ID-card number {why}", "copy it again from the ID card, or leave the cell empty")
        return number
    return text


def check_duplicates(learners: Sequence[RosterRow], columns: dict[str, Cell], problems: Problems) -> None:
    """Two rows of one ID-card number, or of one name that no ID-card number tells apart."""
    by_id: dict[str, RosterRow] = {}
    by_name: dict[str, list[RosterRow]] = {}
    for learner in learners:
        if learner.id_number:
            first = by_id.setdefault(learner.id_number, learner)
            if first is not learner:
                header = columns["id_number"]
                problems.add(learner.row, header.column, header.text, f"the same ID-card number as row {first.row}",
                             "a learner is listed once; delete one of the two rows")
        by_name.setdefault(learner.name, []).append(learner)
    for name, rows in by_name.items():
        if len(rows) > 1 and (not all(r.id_number for r in rows) or len({r.id_number for r in rows}) < len(rows)):
            header = columns["name"]
            later = rows[-1]
            problems.add(later.row, header.column, header.text,
                         f"{name} is on rows {', '.join(str(r.row) for r in rows)}",
                         "delete the repeated row; for two learners of one name, give both their 身份证号")
