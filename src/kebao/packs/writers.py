"""Pack files that trainers open in Excel, a calendar, or the credit bank's importer.

Each writer takes presentation rows (built by ``kebao.packs.rows``) and a path,
writes one file deterministically (same rows, same bytes) and returns the path.
Text that comes from content never becomes a formula: cells starting with
``= + - @`` (or a tab/CR) are stored as text, and in CSV prefixed with ``'``.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..labels import Language, label
from .rows import CreditRow, SelfPacedRow, TimetableRow

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # a file's date when none is given (packs: their content's)


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
    """A line per module, then the total one learner earns (another group's modules are taken instead)."""
    from decimal import Decimal

    header = [label(c, language) for c in ("module", "title", "strand", "hours", "credits", "outcomes",
                                           "assessment")]
    counted = [r for r in rows if not r.beside]
    total = ["", label("credits_total", language), "", f"{sum(r.hours for r in counted):g}",
             f"{sum((r.credits for r in counted), Decimal('0.00'))}", "", ""]
    return _write_csv(path, header, [*([r.module, r.title, r.strand_label, r.hours, f"{r.credits}",
                                        "；".join(r.outcomes), r.assessment] for r in rows), total])


# -- Excel --------------------------------------------------------------------------------------------
#
# Workbooks are printed. LibreOffice and Excel show a wrapped cell one line high unless the row says how high
# it is, so every row's height is fitted to its longest wrapped text (:func:`row_height`); every sheet has a
# print area, repeats its title rows on each page, fits the page width and numbers its pages.

FONT = "Noto Sans CJK SC"
_LINE = 1.5  # points of line height per point of font size (Noto Sans CJK's ascent and descent, with room)
_PAD = 1.5  # column-width units lost to a cell's margins


def text_units(text: str) -> float:
    """The width of ``text`` in column-width units (one '0' of the default font) at 10 pt: a hanzi takes two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def lines_needed(text: str, width: float, size: float = 10) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` units wide, in a ``size``-point font."""
    usable = max(width - _PAD, 1.0) * 10 / size
    return sum(max(1, math.ceil(text_units(line) / usable)) for line in text.split("\n"))


def row_height(texts: Sequence[tuple[str, float, float]], minimum: float = 0) -> float:
    """Points for a row whose cells hold ``(text, width, font size)``: its tallest wrapped cell, never cut."""
    tallest = max((lines_needed(text, width, size) * size * _LINE + 4 for text, width, size in texts if text),
                  default=0)
    return max(float(math.ceil(tallest)), minimum)


def _workbook(stamp: dt.datetime) -> Workbook:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "kebao"
    utc = stamp.astimezone(dt.UTC).replace(tzinfo=None)  # openpyxl writes naive times as UTC
    workbook.properties.created = utc
    workbook.properties.modified = utc
    return workbook


def _set(ws: Worksheet, row: int, column: int, value: object, like: Any = None, **style: Any) -> Any:
    """Write ``value`` (text never as a formula) with ``style``; or with the style of the cell ``like`` of the
    same workbook, which copies its indexes into the workbook's fonts, fills, borders and alignments instead of
    looking each one up again (a lookup hashes the style object: most of a sheet's time); the cell is returned."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(_FORMULA_START) and like is None:
            from openpyxl.styles import Alignment
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.value = value
    if like is not None:
        cell._style = copy.copy(like._style)  # as openpyxl copies a cell's style (WorksheetCopy)
        return cell
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


SIZES = {"title": 14, "subtitle": 10, "warning": 10, "header": 10, "cell": 10}


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    wrap = Alignment(vertical="top", wrap_text=True)
    return {
        "title": {"font": Font(name=FONT, bold=True, size=SIZES["title"]), "alignment": wrap},
        "subtitle": {"font": Font(name=FONT, size=SIZES["subtitle"], color="444444"), "alignment": wrap},
        "warning": {"font": Font(name=FONT, size=SIZES["warning"], bold=True, color="B91C1C"), "alignment": wrap},
        "header": {"font": Font(name=FONT, bold=True, color="FFFFFF", size=SIZES["header"]),
                   "fill": PatternFill("solid", fgColor="1E3A8A"),
                   "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
                   "border": Border(left=thin, right=thin, top=thin, bottom=thin)},
        "cell": {"font": Font(name=FONT, size=SIZES["cell"]), "alignment": wrap,
                 "border": Border(left=thin, right=thin, top=thin, bottom=thin)},
    }


def _table(ws: Worksheet, title: str, subtitle: str, header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float], *, note: str = "", landscape: bool = True, repeat: str = "4:4",
           row_minimum: float = 0) -> int:
    """A printable table: title, subtitle and ``note`` across the page, header, bordered rows fitted to their text.

    Rows 1–3 hold the title, subtitle and note (merged across the table), row 4 the header, rows from 5 the
    data; ``repeat`` names the rows printed again on every page. Returns the last row.
    """
    from openpyxl.utils import get_column_letter

    styles = _styles()
    last_column = get_column_letter(len(widths))
    full = sum(widths)
    for line, text, kind in ((1, title, "title"), (2, subtitle, "subtitle"), (3, note, "warning")):
        if text:
            _set(ws, line, 1, text, **styles[kind])
            ws.merge_cells(f"A{line}:{last_column}{line}")
            ws.row_dimensions[line].height = row_height([(text, full, SIZES[kind])])
    like = None  # the first cell of a kind is styled, the others copy its style
    for column, text in enumerate(header, start=1):
        like = _set(ws, 4, column, text, like, **styles["header"])
    ws.row_dimensions[4].height = row_height([(text, widths[i], SIZES["header"]) for i, text in enumerate(header)])
    like = None
    for row_index, row in enumerate(rows, start=5):
        for column, value in enumerate(row, start=1):
            like = _set(ws, row_index, column, value, like, **styles["cell"])
        ws.row_dimensions[row_index].height = row_height(
            [(_shown(value), widths[i], SIZES["cell"]) for i, value in enumerate(row)], row_minimum)
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    last = 4 + len(rows)
    ws.freeze_panes = "A5"
    ws.print_title_rows = repeat
    ws.print_area = f"A1:{last_column}{max(last, 4)}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    return last


def _shown(value: object) -> str:
    """A cell's value as it is displayed (4.0 shows as 4)."""
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _save(workbook: Workbook, path: Path, stamp: dt.datetime) -> Path:
    """Save dated ``stamp`` (openpyxl's own save stamps 'now' into the file and the zip)."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    path.write_bytes(normalise_zip(raw.getvalue(), stamp))
    return path


def normalise_zip(data: bytes, stamp: dt.datetime = FIXED_TIME) -> bytes:
    """The same zip with its entries dated ``stamp`` (its wall-clock time: zip dates have no time zone) and
    fixed permissions: equal content gives equal bytes."""
    out = io.BytesIO()
    when = zip_date(stamp)
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


SHEET_COLUMNS = ("date", "weekday", "slot", "start", "end", "title", "strand", "hours", "format", "location",
                 "calendar")  # the printed timetable: no module ids (the CSV keeps them for the office)


def zip_date(stamp: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """``stamp``'s wall-clock time as a zip entry's date (never before 1980, the earliest a zip can say)."""
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second) if stamp.year >= 1980 \
        else (1980, 1, 1, 0, 0, 0)


def write_timetable_xlsx(rows: Sequence[TimetableRow], path: Path, title: str, subtitle: str,
                         language: Language, note: str = "", stamp: dt.datetime = FIXED_TIME,
                         self_paced: Sequence[SelfPacedRow] = ()) -> Path:
    """The timetable; ``note`` (e.g. the 暂定 note of a provisional calendar) goes under the subtitle.

    Self-paced modules (no session) get a sheet of their own: what, 学时, when it opens and falls due.
    """
    workbook = _workbook(stamp)
    ws = workbook.active
    assert ws is not None
    ws.title = label("timetable", language)
    values = [[v for column, v in zip(TIMETABLE_COLUMNS, _timetable_values(r, language), strict=True)
               if column in SHEET_COLUMNS] for r in rows]
    last = _table(ws, title, subtitle, [label(c, language) for c in SHEET_COLUMNS], values,
                  (11, 7, 6, 6, 6, 30, 10, 5, 10, 26, 10), note=note)
    _set(ws, last + 1, 7, label("total", language), **_styles()["header"])
    _set(ws, last + 1, 8, sum(r.hours for r in rows if not r.beside), **_styles()["cell"])  # one learner's
    ws.print_area = f"A1:K{last + 1}"
    if self_paced:
        sheet = workbook.create_sheet(label("sheet_self_paced", language))
        _table(sheet, title, label("section_self_paced", language),
               [label(c, language) for c in ("title", "strand", "hours", "opens", "due", "phase")],
               [[r.title, r.strand_label, r.hours, r.opens.isoformat(), r.due.isoformat(), r.phase]
                for r in self_paced], (34, 12, 6, 12, 12, 16))
    return _save(workbook, path, stamp)


# -- Calendar -----------------------------------------------------------------------------------------


def write_timetable_ics(rows: Sequence[TimetableRow], path: Path, calendar_name: str, timezone: str,
                        uid_prefix: str, stamp: dt.datetime = FIXED_TIME, self_paced: Sequence[SelfPacedRow] = (),
                        language: Language = "zh") -> Path:
    """RFC 5545 calendar: one time-zoned event per session, with location and description.

    A self-paced module is an all-day, free (TRANSPARENT) event from the day it opens to the day it is due.
    """
    import zoneinfo

    from icalendar import Calendar, Event

    zone = zoneinfo.ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//kebao//course pack//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", timezone)
    stamp = stamp.astimezone(dt.UTC)  # DTSTAMP: the content's date
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
    for index, item in enumerate(self_paced, start=1):
        event = Event()
        event.add("uid", f"{uid_prefix}-self-{index:03d}-{item.module}@kebao")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.opens)
        event.add("dtend", item.due + dt.timedelta(days=1))
        event.add("summary", f"{label('sheet_self_paced', language)}：{item.title}" if language == "zh"
                  else f"{label('sheet_self_paced', language)}: {item.title}")
        event.add("description", f"{label('due', language)} {item.due.isoformat()} · {item.strand_label} · "
                                 f"{item.hours:g} 学时")
        event.add("transp", "TRANSPARENT")
        event.add("categories", [item.strand_label])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    path.write_bytes(calendar.to_ical())
    return path
