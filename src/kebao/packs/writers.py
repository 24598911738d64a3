"""Pack files that trainers open in Excel, a calendar, or the credit bank's importer.

Each writer takes presentation rows (built by ``kebao.packs.rows``) and a path,
writes one file deterministically (same rows, same bytes) and returns the path.
Text that comes from content never becomes a formula: cells starting with
``= + - @`` (or a tab/CR) are stored as text, and in CSV prefixed with ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..labels import Language, label
from .rows import CreditRow, OutcomeRow, TimetableRow

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = dt.datetime(2000, 1, 1)  # written into files where a format insists on a timestamp


def csv_text(value: object) -> str:
    """A CSV cell that spreadsheet programs will not evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([value if isinstance(value, int | float) else csv_text(value) for value in row])
    # UTF-8 with BOM: Excel on Chinese Windows otherwise reads the file as GBK.
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


TIMETABLE_COLUMNS = ("date", "weekday", "slot", "start", "end", "title", "strand", "hours", "format", "location",
                     "module", "calendar")


def _timetable_values(row: TimetableRow, language: Language) -> list[object]:
    return [row.date.isoformat(), row.weekday, row.slot, row.start, row.end, row.title, row.strand_label,
            row.hours, row.format_label, row.location, row.module,
            label("provisional" if row.provisional else "official", language)]


def write_timetable_csv(rows: Sequence[TimetableRow], path: Path, language: Language) -> Path:
    return _write_csv(path, [label(c, language) for c in TIMETABLE_COLUMNS],
                      [_timetable_values(r, language) for r in rows])


def write_credits_csv(rows: Sequence[CreditRow], path: Path, language: Language) -> Path:
    header = [label(c, language) for c in ("module", "title", "strand", "hours", "credits", "outcomes",
                                           "assessment")]
    return _write_csv(path, header, [[r.module, r.title, r.strand_label, r.hours, f"{r.credits}",
                                      "；".join(r.outcomes), r.assessment] for r in rows])


# -- Excel --------------------------------------------------------------------------------------------


def _workbook() -> Workbook:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kebao"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    return workbook


def _set(ws: Worksheet, row: int, column: int, value: object, **style: Any) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(_FORMULA_START):
            from openpyxl.styles import Alignment
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.value = value
    for name, setting in style.items():
        setattr(cell, name, setting)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return {
        "title": {"font": Font(name="Noto Sans CJK SC", bold=True, size=14)},
        "subtitle": {"font": Font(name="Noto Sans CJK SC", size=10, color="444444")},
        "warning": {"font": Font(name="Noto Sans CJK SC", size=10, bold=True, color="B91C1C")},
        "header": {"font": Font(name="Noto Sans CJK SC", bold=True, color="FFFFFF"),
                   "fill": PatternFill("solid", fgColor="1E3A8A"),
                   "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
                   "border": Border(left=thin, right=thin, top=thin, bottom=thin)},
        "cell": {"font": Font(name="Noto Sans CJK SC", size=10),
                 "alignment": Alignment(vertical="top", wrap_text=True),
                 "border": Border(left=thin, right=thin, top=thin, bottom=thin)},
    }


def _table(ws: Worksheet, title: str, subtitle: str, header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float]) -> None:
    """A printable table: title, subtitle, repeated header row, borders, A4 landscape fitted to width."""
    from openpyxl.utils import get_column_letter

    styles = _styles()
    _set(ws, 1, 1, title, **styles["title"])
    _set(ws, 2, 1, subtitle, **styles["subtitle"])
    for column, text in enumerate(header, start=1):
        _set(ws, 4, column, text, **styles["header"])
    for row_index, row in enumerate(rows, start=5):
        for column, value in enumerate(row, start=1):
            _set(ws, row_index, column, value, **styles["cell"])
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _save(workbook: Workbook, path: Path) -> Path:
    """Save with fixed timestamps (openpyxl's own save stamps 'now' into the file and the zip)."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    path.write_bytes(normalise_zip(raw.getvalue()))
    return path


def normalise_zip(data: bytes) -> bytes:
    """The same zip with fixed entry timestamps and permissions, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_timetable_xlsx(rows: Sequence[TimetableRow], path: Path, title: str, subtitle: str,
                         language: Language, note: str = "") -> Path:
    """The timetable; ``note`` (e.g. the 暂定 note of a provisional calendar) goes under the subtitle."""
    workbook = _workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = label("timetable", language)
    _table(ws, title, subtitle, [label(c, language) for c in TIMETABLE_COLUMNS],
           [_timetable_values(r, language) for r in rows], (11, 7, 6, 6, 6, 34, 10, 5, 10, 22, 22, 10))
    if note:
        _set(ws, 3, 1, note, **_styles()["warning"])
    total_row = len(rows) + 5
    _set(ws, total_row, 7, label("total", language), **_styles()["header"])
    _set(ws, total_row, 8, sum(r.hours for r in rows), **_styles()["cell"])
    return _save(workbook, path)


def write_attendance_xlsx(rows: Sequence[TimetableRow], path: Path, title: str, size: int,
                          language: Language) -> Path:
    """One sign-in sheet per session (and per check-in, opening, closing), with a line per participant."""
    workbook = _workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    header = [label(c, language) for c in ("number", "name", "organisation", "sign_in", "sign_out", "remarks")]
    for index, row in enumerate((row for row in rows if row.signed), start=1):
        ws = workbook.create_sheet(f"{index:03d} {row.date:%m-%d} {row.slot}"[:31])
        subtitle = f"{row.date.isoformat()} {row.weekday} {row.slot} {row.start}–{row.end} · {row.title}"
        _table(ws, f"{title} · {label('attendance', language)}", subtitle, header,
               [[n, "", "", "", "", ""] for n in range(1, size + 1)], (6, 14, 28, 12, 12, 16))
        for line in range(5, size + 5):
            ws.row_dimensions[line].height = 24
        ws.page_setup.orientation = "portrait"
    return _save(workbook, path)


def write_assessment_xlsx(credits: Sequence[CreditRow], outcomes: Sequence[OutcomeRow], path: Path, title: str,
                          language: Language) -> Path:
    """The assessment rubric (one block per module) and the pre/post questionnaires."""
    workbook = _workbook()
    rubric = workbook.active
    assert rubric is not None
    rubric.title = label("rubric", language)
    levels = [label(c, language) for c in ("excellent", "good", "pass", "fail")]
    header = [label(c, language) for c in ("title", "criterion", "assessment")] + levels + [label("score", language)]
    lines: list[list[object]] = []
    for credit in credits:
        for outcome in credit.outcomes:
            lines.append([credit.title, outcome, credit.assessment, "", "", "", "", ""])
    _table(rubric, f"{title} · {label('rubric', language)}", "", header, lines, (26, 40, 30, 8, 8, 8, 8, 8))
    statements = [o.text for o in outcomes] or [o for c in credits for o in c.outcomes]
    scale = "1 2 3 4 5"
    for key in ("pre_survey", "post_survey"):
        ws = workbook.create_sheet(label(key, language))
        note = ("请按 1（完全不能）到 5（完全能够）为每一项打分" if language == "zh"
                else "Rate each statement from 1 (not at all) to 5 (fully)")
        _table(ws, f"{title} · {label(key, language)}", note,
               [label("number", language), label("statement", language), scale],
               [[n, text, ""] for n, text in enumerate(statements, start=1)], (6, 70, 14))
    return _save(workbook, path)


# -- Calendar -----------------------------------------------------------------------------------------


def write_timetable_ics(rows: Sequence[TimetableRow], path: Path, calendar_name: str, timezone: str,
                        uid_prefix: str) -> Path:
    """RFC 5545 calendar: one time-zoned event per session, with location and description."""
    import zoneinfo

    from icalendar import Calendar, Event

    zone = zoneinfo.ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//kebao//course pack//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", timezone)
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for index, row in enumerate(rows, start=1):
        event = Event()
        event.add("uid", f"{uid_prefix}-{index:03d}-{row.date.isoformat()}-{row.start.replace(':', '')}@kebao")
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(row.date, dt.time.fromisoformat(row.start), tzinfo=zone))
        event.add("dtend", dt.datetime.combine(row.date, dt.time.fromisoformat(row.end), tzinfo=zone))
        event.add("summary", row.title)
        event.add("location", row.location)
        event.add("description", row.description)
        if row.provisional:  # the date may still change when the year's holiday arrangement is published
            event.add("status", "TENTATIVE")
        event.add("categories", [row.strand_label])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    path.write_bytes(calendar.to_ical())
    return path
