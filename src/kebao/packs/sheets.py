"""The workbooks trainers fill in and send back: sign-in sheets, score sheet and questionnaires, satisfaction.

Each is written by the pack with blank numbered rows (a pack never holds personal data), and by ``kebao
records sheets`` pre-filled with the roster's names and organisations (``learners``). Both carry the same
hidden metadata (:mod:`.sheetmeta`) when they are given the cohort they are for (``origin``), so
``kebao records import`` can read them back. Same arguments, same bytes.

Layout (:mod:`.sheetmeta` fixes it): title, subtitle and note on rows 1-3, the header on row 4, a row per
learner (or respondent) from row 5; 序号, 姓名, 单位 in columns A-C.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import Language, label
from . import sheetmeta
from .rows import CreditRow, OutcomeRow, TimetableRow, outcome_rows
from .writers import FIXED_TIME, _save, _table, _workbook

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.workbook import Workbook

    from .context import PackContext

Learner = tuple[str, str]  # (name, organisation) of a roster's learner: all a pre-filled sheet shows
SATISFACTION = ("satisfaction_content", "satisfaction_design", "satisfaction_trainers", "satisfaction_interaction",
                "satisfaction_organisation", "satisfaction_venue", "satisfaction_overall")


@dataclass(frozen=True)
class Origin:
    """The cohort a workbook is for: written into its hidden metadata."""

    programme: str
    cohort: str


def _hours(value: float) -> Decimal:
    return Decimal(f"{value:g}")


def _lines(learners: Sequence[Learner], size: int, blanks: int) -> list[list[object]]:
    """A numbered line per learner (name and organisation), or ``size`` blank numbered lines."""
    if learners:
        return [[n, name, organisation, *[""] * blanks] for n, (name, organisation) in enumerate(learners, 1)]
    return [[n, "", "", *[""] * blanks] for n in range(1, size + 1)]


def _finish(workbook: Workbook, path: Path, stamp: dt.datetime, origin: Origin | None,
            meta: dict[str, object]) -> Path:
    if origin is not None:
        sheetmeta.attach(workbook, sheetmeta.WorkbookMeta.model_validate(
            {"format": sheetmeta.FORMAT, "programme": origin.programme, "cohort": origin.cohort, **meta}))
    return _save(workbook, path, stamp)


def write_attendance_xlsx(rows: Sequence[TimetableRow], path: Path, title: str, size: int, language: Language,
                          stamp: dt.datetime = FIXED_TIME, *, origin: Origin | None = None,
                          learners: Sequence[Learner] = ()) -> Path:
    """One sign-in sheet per session (and per check-in, opening, closing), with a line per participant; where
    the cohort works in groups, one per group's session, named after the group.

    The programme and the session stand above the table on every printed page.
    """
    workbook = _workbook(stamp)
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    header = [label(c, language) for c in ("number", "name", "organisation", "sign_in", "sign_out", "remarks")]
    sessions = []
    for index, row in enumerate((row for row in rows if row.signed), start=1):
        ws = workbook.create_sheet(f"{index:03d} {row.date:%m-%d} {row.slot} {row.group}".strip()[:31])
        subtitle = f"{row.date.isoformat()} {row.weekday} {row.slot} {row.start}–{row.end} · {row.title}"
        if row.group:  # a group's own sheet: where it meets
            subtitle += f" · {row.location}"
        _table(ws, f"{title} · {label('attendance', language)}", subtitle, header, _lines(learners, size, 3),
               (6, 14, 28, 12, 12, 16), landscape=False, repeat="1:4", row_minimum=24)
        sessions.append({"key": sheetmeta.session_key(row), "sheet": ws.title, "date": row.date.isoformat(),
                         "start": row.start, "end": row.end, "module": row.module, "event": row.event,
                         "group": row.group_id, "hours": _hours(row.hours)})
    keys = [session["key"] for session in sessions]
    for number, session in enumerate(sessions):  # two items starting together (rare): keep keys apart
        if keys.count(session["key"]) > 1:
            session["key"] = f"{str(session['key'])[:sheetmeta.KEY_LENGTH - 4]}#{number:03d}"
    return _finish(workbook, path, stamp, origin, {"kind": "attendance", "sessions": sessions})


def _questionnaire(workbook: Workbook, key: str, title: str, note: str, statements: Sequence[str],
                   lines: list[list[object]], language: Language, extra: Sequence[str] = (),
                   named: bool = True) -> dict[str, object]:
    """A sheet with a row per respondent and a column per numbered statement (answers 1-5); its metadata.

    ``named``: a learner's row (序号, 姓名, 单位); else an anonymous form's (序号 only).
    """
    ws = workbook.create_sheet(label(key, language))
    first = 4 if named else 2
    fixed = [label(c, language) for c in ("number", "name", "organisation")][:first - 1]
    header = [*fixed, *(f"{n}. {text}" for n, text in enumerate(statements, start=1)), *extra]
    widths = (6, 12, 22)[:first - 1] + (14,) * len(statements) + (24,) * len(extra)
    _table(ws, f"{title} · {label(key, language)}", note, header, lines, widths, repeat="1:4", row_minimum=22)
    items = [{"number": n, "text": text, "column": first + n - 1} for n, text in enumerate(statements, start=1)]
    return {"survey": {"pre_survey": "pre", "post_survey": "post", "satisfaction": "satisfaction"}[key],
            "sheet": ws.title, "items": items}


def write_assessment_xlsx(credits: Sequence[CreditRow], outcomes: Sequence[OutcomeRow], path: Path, title: str,
                          language: Language, size: int = 30, stamp: dt.datetime = FIXED_TIME, *,
                          origin: Origin | None = None, learners: Sequence[Learner] = ()) -> Path:
    """The score sheet (a row per learner, a column per module), the rubric, and the pre/post questionnaires
    (a row per learner, a column per statement).

    Without a roster the score sheet and the questionnaires have ``size`` numbered rows.
    """
    workbook = _workbook(stamp)
    scores = workbook.active
    assert scores is not None
    scores.title = label("score_sheet", language)
    modules = [credit.title for credit in credits]
    header = [label(c, language) for c in ("number", "name", "organisation")] + modules + [
        label(c, language) for c in ("overall", "completed", "remarks")]
    _table(scores, f"{title} · {label('score_sheet', language)}", label("score_note", language), header,
           _lines(learners, size, len(header) - 3), (5, 10, 16, *([8] * len(modules)), 7, 7, 12),
           repeat="1:4", row_minimum=22)
    rubric = workbook.create_sheet(label("rubric", language))
    levels = [label(c, language) for c in ("excellent", "good", "pass", "fail")]
    columns = [label(c, language) for c in ("title", "criterion", "assessment")] + levels
    lines: list[list[object]] = []
    for credit in credits:
        for outcome in credit.outcomes:
            lines.append([credit.title, outcome, credit.assessment, "", "", "", ""])
    _table(rubric, f"{title} · {label('rubric', language)}", "", columns, lines, (24, 44, 34, 8, 8, 8, 8))
    statements = [o.text for o in outcomes] or [o for c in credits for o in c.outcomes]
    surveys = [_questionnaire(workbook, key, title, label("survey_note", language), statements,
                              _lines(learners, size, len(statements)), language)
               for key in ("pre_survey", "post_survey")]
    modules_meta = [{"id": credit.module, "title": credit.title, "column": 4 + index, "hours": _hours(credit.hours)}
                    for index, credit in enumerate(credits)]
    return _finish(workbook, path, stamp, origin, {"kind": "assessment", "score_sheet": scores.title,
                                                   "modules": modules_meta, "surveys": surveys})


def write_survey_xlsx(path: Path, title: str, size: int, language: Language, stamp: dt.datetime = FIXED_TIME,
                      *, origin: Origin | None = None) -> Path:
    """The satisfaction survey (培训满意度测评): anonymous, a row per form, a column per numbered statement."""
    workbook = _workbook(stamp)
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    statements = [label(key, language) for key in SATISFACTION]
    lines: list[list[object]] = [[n, *[""] * (len(statements) + 1)] for n in range(1, size + 1)]
    survey = _questionnaire(workbook, "satisfaction", title, label("satisfaction_note", language), statements,
                            lines, language, extra=[label("comments", language)], named=False)
    return _finish(workbook, path, stamp, origin, {"kind": "survey", "surveys": [survey]})


# -- a cohort's three workbooks, for the pack and for kebao records sheets (records/prefill.py) -----------


def attendance_for(ctx: PackContext, rows: Sequence[TimetableRow], path: Path, stamp: dt.datetime,
                   learners: Sequence[Learner] = ()) -> Path:
    return write_attendance_xlsx(rows, path, ctx.title, ctx.cohort.size, ctx.language, stamp,
                                 origin=Origin(ctx.programme.id, ctx.cohort.id), learners=learners)


def assessment_for(ctx: PackContext, credits: Sequence[CreditRow], path: Path, stamp: dt.datetime,
                   learners: Sequence[Learner] = ()) -> Path:
    return write_assessment_xlsx(credits, outcome_rows(ctx.programme), path, ctx.title, ctx.language,
                                 ctx.cohort.size, stamp, origin=Origin(ctx.programme.id, ctx.cohort.id),
                                 learners=learners)


def survey_for(ctx: PackContext, path: Path, stamp: dt.datetime, size: int | None = None) -> Path:
    return write_survey_xlsx(path, ctx.title, size or ctx.cohort.size, ctx.language, stamp,
                             origin=Origin(ctx.programme.id, ctx.cohort.id))
