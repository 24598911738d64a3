"""Marks read back from a filled workbook: attendance, scores, questionnaire answers, each with its cell.

:func:`read_marks` opens the workbook, reads its hidden metadata (:mod:`kebao.packs.sheetmeta`), refuses a
changed structure, and reads every learner's line. It does not touch the database: matching names to the
roster and storing are :mod:`.marks_store`'s. Every problem names its cell (``sheet!D7``) and the fix;
all are collected, then raised together as one RecordsError.

Accepted attendance marks (签到 and 签退 columns), case aside:

* present (出勤): √ ✓ ✔ 到 出勤 present; late (迟到): 迟到 late; left early (早退): 早退 left-early;
  on leave (请假): 请假 假 leave; absent (缺勤): 缺勤 缺 ✗ ✘ × x absent.
* A learner's status is the weightier of the two cells (absent, leave, left early, late, present, in that
  order); a leave or absence beside a presence mark is a contradiction and an error.
* A sheet without a single mark is a session not recorded yet: skipped and reported. On a recorded sheet a
  named line without marks is 缺勤, except on a group's sheet, where it is a learner of another group and
  records nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RecordsError
from ..packs import sheetmeta
from ..packs.sheetmeta import FIRST_ROW, ModuleMeta, SessionMeta, SurveyMeta, WorkbookMeta, cell_text

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

WORDS = {
    "present": ("√", "✓", "✔", "☑", "到", "出勤", "present"),
    "late": ("迟到", "late"),
    "left-early": ("早退", "left-early", "left early"),
    "leave": ("请假", "假", "leave"),
    "absent": ("缺勤", "缺", "✗", "✘", "×", "x", "absent"),
}
WEIGHT = ("present", "late", "left-early", "leave", "absent")  # the weightier of two marks wins
STATUS = {word.lower(): status for status, words in WORDS.items() for word in words}
ACCEPTED = "√ ✓ 到 出勤 / 迟到 / 早退 / 请假 / 缺勤 ✗"
_SPACES = re.compile(r"[\s\u3000]+")


def plain_name(text: str) -> str:
    """A name as it is compared: no spaces (full-width ones included)."""
    return _SPACES.sub("", text)


@dataclass(frozen=True)
class Line:
    """A learner's line on a sheet, as written (matched to the roster later)."""

    sheet: str
    row: int
    name: str
    organisation: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!B{self.row}"


@dataclass(frozen=True)
class AttendanceMark:
    line: Line
    session: SessionMeta
    status: str  # present | late | left-early | leave | absent


@dataclass(frozen=True)
class ScoreMark:
    line: Line
    module: ModuleMeta
    score: Decimal
    cell: str


@dataclass(frozen=True)
class AnswerMark:
    survey: str  # satisfaction | pre | post
    line: Line | None  # None: an anonymous form (satisfaction)
    respondent: str  # the form's 序号 for an anonymous form; the learner's, once matched, otherwise
    item: int
    answer: int
    cell: str


@dataclass
class WorkbookMarks:
    """What one workbook says (see the module docstring)."""

    file: Path
    meta: WorkbookMeta
    attendance: list[AttendanceMark] = field(default_factory=list)
    scores: list[ScoreMark] = field(default_factory=list)
    answers: list[AnswerMark] = field(default_factory=list)
    not_recorded: list[str] = field(default_factory=list)  # sheets (sessions, questionnaires) with no marks
    problems: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.attendance) + len(self.scores) + len(self.answers)


def read_marks(path: Path) -> WorkbookMarks:
    """Every mark of a filled workbook; RecordsError (nothing read) for a foreign, changed or wrongly filled one."""
    workbook = _open(path)
    meta = sheetmeta.read_meta(workbook, path.name)
    changed = sheetmeta.structure_problems(workbook, meta)
    if changed:
        raise RecordsError(f"{path.name}: the workbook's structure was changed since kebao wrote it, so its "
                           "columns cannot be trusted; nothing was imported",
                           "copy the marks into a fresh copy (kebao records sheets COHORT) without renaming, "
                           "removing or reordering sheets and header cells", details=changed)
    marks = WorkbookMarks(path, meta)
    for session in meta.sessions:
        _attendance(workbook[session.sheet], session, marks)
    if meta.score_sheet:
        _scores(workbook[meta.score_sheet], meta.modules, marks)
    for survey in meta.surveys:
        _answers(workbook[survey.sheet], survey, marks)
    if marks.problems:
        raise RecordsError(f"{path.name}: {len(marks.problems)} cell(s) kebao cannot read; nothing was imported",
                           "correct the cells named above and import the file again", details=marks.problems)
    return marks


def _open(path: Path) -> Workbook:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    if not path.is_file():
        raise RecordsError(f"{path}: no such file", "name the filled workbook (.xlsx)")
    try:
        return load_workbook(path, data_only=True)  # a formula's last computed value, as the trainer saw it
    except (BadZipFile, KeyError, OSError, ValueError):
        raise RecordsError(f"{path.name}: not an Excel workbook (.xlsx) kebao can open",
                           "save it as an Excel workbook (.xlsx) from Excel, WPS or LibreOffice") from None


def _lines(sheet: Worksheet, columns: range, marks: WorkbookMarks) -> list[tuple[Line, list[object]]]:
    """Each row with a name, and the values of ``columns``; a value on a row without a name is a problem."""
    found = []
    for row in sheet.iter_rows(min_row=FIRST_ROW, max_col=max(columns.stop - 1, 3)):
        values = [row[column - 1].value if column - 1 < len(row) else None for column in columns]
        name = plain_name(cell_text(row[1].value)) if len(row) > 1 else ""
        if not name:
            filled = [column for column, value in zip(columns, values, strict=True) if cell_text(value)]
            if filled:
                number = row[0].row
                marks.problems.append(f"{sheet.title}!{_letter(filled[0])}{number}: a mark on a line without a name "
                                      f"(write the learner's name in {sheet.title}!B{number})")
            continue
        line = Line(sheet.title, row[0].row, name, cell_text(row[2].value) if len(row) > 2 else "")
        found.append((line, values))
    return found


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _attendance(sheet: Worksheet, session: SessionMeta, marks: WorkbookMarks) -> None:
    columns = range(sheetmeta.SIGN_IN_COLUMN, sheetmeta.SIGN_OUT_COLUMN + 1)
    lines = _lines(sheet, columns, marks)
    if not any(cell_text(value) for _, values in lines for value in values):
        marks.not_recorded.append(sheet.title)
        return
    for line, values in lines:
        statuses = []
        for column, value in zip(columns, values, strict=True):
            word = cell_text(value)
            if not word:
                continue
            status = STATUS.get(word.lower())
            if status is None:
                marks.problems.append(f"{sheet.title}!{_letter(column)}{line.row}: {word!r} is not an attendance "
                                      f"mark (write {ACCEPTED}, or leave both cells blank for 缺勤)")
                continue
            statuses.append(status)
        if not statuses and not _filled(values):
            if session.group:  # a group's sheet lists everyone: an unmarked line is another group's learner
                continue
            statuses = ["absent"]
        if {"leave", "absent"} & set(statuses) and {"present", "late", "left-early"} & set(statuses):
            marks.problems.append(f"{sheet.title}!D{line.row}:E{line.row}: {line.name} is marked both present and "
                                  "absent or on leave (keep one of the two)")
            continue
        if statuses:
            marks.attendance.append(AttendanceMark(line, session, max(statuses, key=WEIGHT.index)))


def _filled(values: list[object]) -> bool:
    """Whether a line's cells hold something (an unreadable mark, reported already)."""
    return any(cell_text(value) for value in values)


def _number(value: object, cell: str, low: int, high: int, what: str, marks: WorkbookMarks) -> Decimal | None:
    """A number from ``low`` to ``high`` (a number cell or text of one), or None after reporting a problem."""
    text = cell_text(value)
    try:
        number = Decimal(text) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        marks.problems.append(f"{cell}: {text!r} is not {what} (write a number from {low} to {high}, or leave "
                              "the cell blank)")
        return None
    return number


def _scores(sheet: Worksheet, modules: tuple[ModuleMeta, ...], marks: WorkbookMarks) -> None:
    if not modules:
        return
    columns = range(modules[0].column, modules[-1].column + 1)
    before = len(marks.scores)
    for line, values in _lines(sheet, columns, marks):
        for module, value in zip(modules, values, strict=True):
            if not cell_text(value):
                continue
            cell = f"{sheet.title}!{_letter(module.column)}{line.row}"
            score = _number(value, cell, 0, 100, "a score", marks)
            if score is None:
                continue
            if score != score.quantize(Decimal("0.1")):
                marks.problems.append(f"{cell}: {cell_text(value)!r} has more than one decimal place (round it to 0.1)")
                continue
            marks.scores.append(ScoreMark(line, module, score.quantize(Decimal("0.1")), cell))
    if len(marks.scores) == before:
        marks.not_recorded.append(sheet.title)


def _answers(sheet: Worksheet, survey: SurveyMeta, marks: WorkbookMarks) -> None:
    if not survey.items:
        return
    columns = range(survey.items[0].column, survey.items[-1].column + 1)
    anonymous = survey.survey == "satisfaction"
    rows = _forms(sheet, columns, marks) if anonymous else _lines(sheet, columns, marks)
    before = len(marks.answers)
    for line, values in rows:
        respondent = line.name if anonymous else ""
        for item, value in zip(survey.items, values, strict=True):
            if not cell_text(value):
                continue
            cell = f"{sheet.title}!{_letter(item.column)}{line.row}"
            answer = _number(value, cell, 1, 5, "an answer", marks)
            if answer is not None and answer != answer.to_integral_value():
                marks.problems.append(f"{cell}: {cell_text(value)!r} is not a whole number (answer 1, 2, 3, 4 or 5)")
            elif answer is not None:
                marks.answers.append(AnswerMark(survey.survey, None if anonymous else line, respondent, item.number,
                                                int(answer), cell))
    if len(marks.answers) == before:
        marks.not_recorded.append(sheet.title)


def _forms(sheet: Worksheet, columns: range, marks: WorkbookMarks) -> list[tuple[Line, list[object]]]:
    """An anonymous form's rows: the respondent is the row's 序号 (or, without one, ``row N``)."""
    found: list[tuple[Line, list[object]]] = []
    seen: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=FIRST_ROW, max_col=columns.stop - 1):
        values = [row[column - 1].value if column - 1 < len(row) else None for column in columns]
        if any(cell_text(value) for value in values):
            number = (cell_text(row[0].value) or f"row {row[0].row}")[:40]
            if number in seen:
                marks.problems.append(f"{sheet.title}!A{row[0].row}: 序号 {number} is used by row {seen[number]} too "
                                      "(number each form once)")
                continue
            seen[number] = row[0].row
            found.append((Line(sheet.title, row[0].row, number, ""), values))
    return found
