"""The hidden metadata of the workbooks trainers fill in and send back (issue 17).

The sign-in sheets, the score sheet with its questionnaires and the satisfaction survey each carry one
*veryHidden* sheet, ``_kebao`` (Excel and WPS show it nowhere; LibreOffice keeps it, as a hidden sheet),
whose column A holds JSON (:class:`WorkbookMeta`), split into cells of at most :data:`CHUNK` characters. It
says which programme and cohort the workbook is for, what kind it is, every session of a sign-in workbook
(its key, sheet, date, times, module or event, group, 学时 for one learner), the modules of the score sheet
and the statements of each questionnaire, and the workbook's structure: every sheet's name and header
cells, with their SHA-256 digest. ``kebao records import`` reads it back (:func:`read_meta`) and refuses a
workbook whose structure no longer matches (:func:`structure_problems`).

Workbook custom properties would have been the obvious place, but Excel caps a text property at 255
characters, and a programme's sessions need far more; a hidden sheet holds 32,767 characters a cell and
survives Excel, WPS and LibreOffice (tests/test_records_office.py converts through LibreOffice).

The layout the readers rely on is fixed by :data:`FORMAT`: the header on row :data:`HEADER_ROW`, learners'
rows from :data:`FIRST_ROW`, name and organisation in columns B and C.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import RecordsError

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from .rows import TimetableRow

META_SHEET = "_kebao"
FORMAT = 1
CHUNK = 30000  # characters of JSON per cell (a cell holds at most 32,767)
HEADER_ROW = 4
FIRST_ROW = 5
NUMBER_COLUMN, NAME_COLUMN, ORGANISATION_COLUMN = 1, 2, 3
SIGN_IN_COLUMN, SIGN_OUT_COLUMN = 4, 5
KEY_LENGTH = 40  # the attendance table's session column

Kind = Literal["attendance", "assessment", "survey"]
Survey = Literal["satisfaction", "pre", "post"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SessionMeta(_Frozen):
    """One sign-in sheet: the session it is for."""

    key: str  # 2026-12-08T08:30, or 2026-12-08T14:30/<group id> where the cohort works in groups
    sheet: str
    date: str
    start: str
    end: str
    module: str = ""  # the module taught, or ""
    event: str = ""  # the event's kind (check-in, opening, closing, ceremony), or ""
    group: str = ""  # the group's id where the cohort splits, or "" (everyone)
    hours: Decimal  # 学时 for one learner


class ModuleMeta(_Frozen):
    """One module's column on the score sheet."""

    id: str
    title: str
    column: int
    hours: Decimal


class ItemMeta(_Frozen):
    """One numbered statement of a questionnaire, answered 1-5 in its column."""

    number: int
    text: str
    column: int


class SurveyMeta(_Frozen):
    """One questionnaire sheet: a row per learner (pre, post) or per anonymous respondent (satisfaction)."""

    survey: Survey
    sheet: str
    items: tuple[ItemMeta, ...]


class WorkbookMeta(_Frozen):
    """Everything kebao needs to read a filled workbook back (see the module docstring)."""

    format: int
    kind: Kind
    programme: str
    cohort: str
    sessions: tuple[SessionMeta, ...] = ()
    score_sheet: str = ""
    modules: tuple[ModuleMeta, ...] = ()
    surveys: tuple[SurveyMeta, ...] = ()
    structure: dict[str, list[str]] = {}  # sheet name -> its header cells (row HEADER_ROW), in sheet order
    digest: str = ""  # SHA-256 of the structure's JSON

    @property
    def label(self) -> str:
        return f"{self.programme}/{self.cohort}"


def session_key(row: TimetableRow) -> str:
    """The key of a session's attendance: ``2026-12-08T08:30``, or ``2026-12-08T14:30/<group>`` for a group's.

    A key longer than the database column (a long group id) keeps its start and ends in a digest of the rest.
    """
    key = f"{row.date.isoformat()}T{row.start}" + (f"/{row.group_id}" if row.group_id else "")
    if len(key) <= KEY_LENGTH:
        return key
    return key[:KEY_LENGTH - 9] + "~" + hashlib.sha256(key.encode()).hexdigest()[:8]


def header_cells(sheet: Worksheet) -> list[str]:
    """The header row of a sheet as text (empty cells as ''; trailing empty cells dropped)."""
    values = [cell_text(cell.value) for cell in next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), ())]
    while values and not values[-1]:
        values.pop()
    return values


def cell_text(value: object) -> str:
    """A cell's value as the text a person typed: empty for None, 3 for 3.0, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def digest(structure: Mapping[str, Sequence[str]]) -> str:
    text = json.dumps(structure, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def attach(workbook: Workbook, meta: WorkbookMeta) -> WorkbookMeta:
    """Add the metadata sheet to a finished workbook; the structure is read from its sheets as written."""
    structure = {sheet.title: header_cells(sheet) for sheet in workbook.worksheets}
    meta = meta.model_copy(update={"format": FORMAT, "structure": structure, "digest": digest(structure)})
    text = meta.model_dump_json()
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "veryHidden"
    for index in range(0, max(len(text), 1), CHUNK):
        cell = sheet.cell(row=index // CHUNK + 1, column=1)
        cell.value = text[index:index + CHUNK]
        cell.data_type = "s"
    return meta


def read_meta(workbook: Workbook, file: str) -> WorkbookMeta:
    """The workbook's metadata; RecordsError when it has none, or metadata kebao cannot read."""
    if META_SHEET not in workbook.sheetnames:
        raise RecordsError(f"{file}: this workbook has no kebao metadata (sheet {META_SHEET!r}), so kebao cannot "
                           "tell which cohort and sessions it is for",
                           "fill in the workbook kebao wrote for this cohort (the pack's, or kebao records sheets "
                           "COHORT) and copy the marks into it; a copy made with 'save as' from another "
                           "workbook loses the hidden sheet")
    sheet = workbook[META_SHEET]
    text = "".join(str(row[0]) for row in sheet.iter_rows(min_col=1, max_col=1, values_only=True)
                   if row and row[0] is not None)
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("format") != FORMAT:
            raise RecordsError(f"{file}: the workbook's metadata is format {data.get('format')!r}; this kebao "
                               f"reads format {FORMAT}", "upgrade kebao, or fill in a workbook this kebao wrote")
        return WorkbookMeta.model_validate(data)
    except (ValueError, ValidationError):
        raise RecordsError(f"{file}: the workbook's hidden kebao metadata was changed and cannot be read",
                           "fill in a fresh copy of the workbook (kebao records sheets COHORT)") from None


def structure_problems(workbook: Workbook, meta: WorkbookMeta) -> list[str]:
    """How the workbook's sheets and headers differ from those it was written with ([] when they match)."""
    if digest(meta.structure) != meta.digest:
        return ["the hidden kebao metadata was edited (its digest no longer matches)"]
    problems = []
    for name, header in meta.structure.items():
        if name not in workbook.sheetnames:
            problems.append(f"sheet {name!r} is missing (renamed or removed)")
            continue
        found = header_cells(workbook[name])
        from openpyxl.utils import get_column_letter

        for column in range(1, max(len(header), len(found)) + 1):
            was = header[column - 1] if column <= len(header) else ""
            now = found[column - 1] if column <= len(found) else ""
            if was != now:
                problems.append(f"{name}!{get_column_letter(column)}{HEADER_ROW}: the header was {was!r}, "
                                f"now {now!r}")
    return problems
