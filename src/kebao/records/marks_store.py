"""Marks into the database: one filled workbook, one transaction (the only code that writes marks).

:func:`import_marks` matches every line of a read workbook (:mod:`.readback`) to the cohort's roster by name
(and organisation where two learners share a name), then compares each mark with what is stored:

* a mark not stored yet is *added*; one stored with the same value is *unchanged*;
* one stored with another value is a *conflict*: all conflicts are listed (learner, session or module or
  statement, the stored value with the import and file it came from, the new value) and the whole file is
  refused, unless ``update`` is given: then they are applied, and the import row counts them as updated.

An import that added or updated something writes its audit row (:class:`~.models.Import`: kind, file name,
SHA-256, who, when, added, updated) and every mark it wrote names it. The same file again writes nothing,
and the report names the earlier import of the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import RecordsError
from .database import Database, reading, transaction
from .models import Attendance, Cohort, Import, Learner, Score, SurveyAnswer
from .readback import Line, WorkbookMarks, plain_name
from .store import _user, find_cohort

Progress = Callable[[int, int], None]
STATUS_SHOWN = {"present": "出勤", "late": "迟到", "left-early": "早退", "leave": "请假", "absent": "缺勤"}


@dataclass(frozen=True)
class Conflict:
    """A mark the file gives another value than an earlier import did."""

    learner: str
    what: str  # session key, module id, or survey item ('pre 3')
    old: str
    earlier: int  # the import that set the stored value
    earlier_file: str
    new: str

    def __str__(self) -> str:
        return (f"{self.learner}: {self.what}: {self.old} (import {self.earlier}, {self.earlier_file}) -> "
                f"{self.new}")


@dataclass
class MarksReport:
    """What an import did (or, refused, would have done)."""

    cohort: str
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    not_recorded: list[str] = field(default_factory=list)
    audit: int | None = None  # the import row written, if anything was
    earlier: list[tuple[int, str]] = field(default_factory=list)  # earlier imports of the same file (id, when)


@dataclass(frozen=True)
class Wanted:
    """One mark as the file gives it: the table it goes to, its columns there, and how a person reads it."""

    table: type[Attendance] | type[Score] | type[SurveyAnswer]
    columns: dict[str, object]  # the row's columns but cohort_id and import_id
    who: str  # the learner's name, or #N for an anonymous form
    what: str  # 'session 2026-12-08T08:30', 'module hv-safety', 'pre item 3'
    shown: str  # the value as a person reads it

    @property
    def value(self) -> tuple[object, ...]:
        """What is compared with the stored mark."""
        return tuple(self.columns[name] for name in VALUES[self.table.__tablename__])


Stored = Attendance | Score | SurveyAnswer
Key = tuple[str, object]
KEYS = {"attendance": ("learner_id", "session"), "scores": ("learner_id", "module"),
        "survey_answers": ("survey", "respondent", "item")}  # a mark's identity within a cohort
VALUES = {"attendance": ("status", "hours", "module"), "scores": ("score",), "survey_answers": ("answer",)}


def _key(table: str, columns: dict[str, object] | Stored) -> Key:
    get = columns.get if isinstance(columns, dict) else lambda name: getattr(columns, name)
    return table, tuple(get(name) for name in KEYS[table])


def import_marks(database: Database, marks: WorkbookMarks, update: bool = False,
                 cohort_given: str | None = None, progress: Progress | None = None) -> MarksReport:
    """Store ``marks`` (from :func:`~.readback.read_marks`) in one transaction; RecordsError, nothing written, when
    the workbook is another cohort's, a name is not on the roster, or marks conflict without ``update``."""
    meta = marks.meta
    if cohort_given is not None and cohort_given != meta.label:
        raise RecordsError(f"{marks.file.name} is the workbook of cohort {meta.label}, not of {cohort_given}; "
                           "nothing was imported",
                           f"import it for its own cohort (--cohort {meta.label}), or fill in {cohort_given}'s "
                           "workbook (kebao records sheets)")
    sha256 = hashlib.sha256(marks.file.read_bytes()).hexdigest()
    report = MarksReport(meta.label, meta.kind, not_recorded=list(marks.not_recorded))
    with transaction(database) as session:
        cohort = _cohort(session, meta.programme, meta.cohort)
        wanted = _wanted(marks, _matcher(cohort.learners, marks))
        stored = _stored(session, cohort)
        files = {i.id: i.file_name for i in cohort.imports}
        pending: list[tuple[Wanted, Stored | None]] = []
        for done, (key, mark) in enumerate(wanted.items(), start=1):
            old = stored.get(key)
            if old is None:
                pending.append((mark, None))
            elif _value(old) == mark.value:
                report.unchanged += 1
            else:
                report.conflicts.append(Conflict(mark.who, mark.what, _shown(old), old.import_id,
                                                 files.get(old.import_id, "?"), mark.shown))
                pending.append((mark, old))
            if progress is not None and (done % 200 == 0 or done == len(wanted)):
                progress(done, len(wanted))
        if report.conflicts and not update:
            raise RecordsError(
                f"{marks.file.name}: {len(report.conflicts)} mark(s) differ from earlier imports of {meta.label}; "
                "nothing was imported", "if this file is right, import it again with --update to apply them",
                details=[str(conflict) for conflict in report.conflicts])
        report.earlier = [(i.id, i.imported_at.isoformat()) for i in cohort.imports if i.sha256 == sha256]
        if pending:
            _write(session, cohort, marks, sha256, pending, report)
    return report


def _cohort(session: Session, programme: str, code: str) -> Cohort:
    """The cohort a workbook belongs to, with its roster (names are matched against it)."""
    cohort = session.scalars(select(Cohort).where(Cohort.programme == programme, Cohort.code == code)).one_or_none()
    if cohort is None or not cohort.learners:
        raise RecordsError(f"cohort {programme}/{code} has no roster in the records, so the workbook's names cannot "
                           "be matched; nothing was imported",
                           f"import its roster first: kebao records roster {programme}/{code} FILE.xlsx")
    return cohort


def _matcher(learners: Sequence[Learner], marks: WorkbookMarks) -> Callable[[Line], Learner | None]:
    """Line -> its learner (by name, then organisation); an unknown or ambiguous name is a located problem."""
    by_name: dict[str, list[Learner]] = {}
    for learner in learners:
        by_name.setdefault(plain_name(learner.name), []).append(learner)
    cohort = f"{marks.meta.programme}/{marks.meta.cohort}"

    def match(line: Line) -> Learner | None:
        found = by_name.get(line.name, [])
        if len(found) > 1:
            found = [lr for lr in found if plain_name(lr.organisation) == plain_name(line.organisation)]
            if len(found) != 1:
                marks.problems.append(f"{line.cell}: two learners of {cohort} are called {line.name}; write the "
                                      f"organisation in {line.sheet}!C{line.row} exactly as the roster has it")
                return None
        if not found:
            marks.problems.append(f"{line.cell}: {line.name!r} is not on the roster of {cohort} (correct the name "
                                  f"as the roster writes it, or import the roster first: kebao records roster "
                                  f"{cohort} FILE.xlsx)")
            return None
        return found[0]
    return match


def _once(match: Callable[[Line], Learner | None], marks: WorkbookMarks) -> Callable[[Line], Learner | None]:
    """``match``, and a learner on two lines of one sheet a problem (reported once, at the second line)."""
    first: dict[tuple[str, int], int] = {}
    reported: set[tuple[str, int]] = set()

    def learner_of(line: Line) -> Learner | None:
        learner = match(line) if (line.sheet, line.row) not in reported else None
        if learner is None:
            return None
        row = first.setdefault((line.sheet, learner.id), line.row)
        if row != line.row:
            if (line.sheet, line.row) not in reported:
                reported.add((line.sheet, line.row))
                marks.problems.append(f"{line.cell}: the same learner as {line.sheet}!B{row} (list each learner "
                                      "once)")
            return None
        return learner
    return learner_of


def _wanted(marks: WorkbookMarks, matcher: Callable[[Line], Learner | None]) -> dict[Key, Wanted]:
    """Every mark by its key: a learner twice on one sheet, or a name not on the roster, is refused."""
    wanted: dict[Key, Wanted] = {}
    match = _once(matcher, marks)

    def put(cell: str, mark: Wanted) -> None:
        wanted[_key(mark.table.__tablename__, mark.columns)] = mark

    for attendance in marks.attendance:
        if (learner := match(attendance.line)) is not None:
            session = attendance.session
            put(attendance.line.cell, Wanted(Attendance, {
                "learner_id": learner.id, "session": session.key, "module": session.module or session.event,
                "hours": session.hours, "status": attendance.status}, learner.name, f"session {session.key}",
                STATUS_SHOWN[attendance.status]))
    for score in marks.scores:
        if (learner := match(score.line)) is not None:
            put(score.cell, Wanted(Score, {"learner_id": learner.id, "module": score.module.id, "score": score.score},
                                   learner.name, f"module {score.module.id}", f"{score.score}"))
    for answer in marks.answers:
        learner = match(answer.line) if answer.line is not None else None
        if answer.line is not None and learner is None:
            continue
        put(answer.cell, Wanted(SurveyAnswer, {
            "learner_id": learner.id if learner else None, "survey": answer.survey,
            "respondent": str(learner.id) if learner else answer.respondent, "item": answer.item,
            "answer": answer.answer}, learner.name if learner else f"#{answer.respondent}",
            f"{answer.survey} item {answer.item}", str(answer.answer)))
    if marks.problems:
        raise RecordsError(f"{marks.file.name}: {len(marks.problems)} line(s) cannot be matched to the roster; "
                           "nothing was imported", "correct the cells named above and import the file again",
                           details=marks.problems)
    return wanted


def _stored(session: Session, cohort: Cohort) -> dict[Key, Stored]:
    marks: list[Stored] = [*session.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id)),
                           *session.scalars(select(Score).where(Score.cohort_id == cohort.id)),
                           *session.scalars(select(SurveyAnswer).where(SurveyAnswer.cohort_id == cohort.id))]
    return {_key(mark.__tablename__, mark): mark for mark in marks}


def _value(stored: Stored) -> tuple[object, ...]:
    return tuple(getattr(stored, name) for name in VALUES[stored.__tablename__])  # Numeric columns: Decimal


def _shown(stored: Stored) -> str:
    if isinstance(stored, Attendance):
        return STATUS_SHOWN.get(stored.status, stored.status)
    if isinstance(stored, Score):
        return f"{Decimal(stored.score).quantize(Decimal('0.1'))}"
    return str(stored.answer)


def _write(session: Session, cohort: Cohort, marks: WorkbookMarks, sha256: str,
           pending: list[tuple[Wanted, Stored | None]], report: MarksReport) -> None:
    audit = Import(cohort=cohort, kind=marks.meta.kind, file_name=marks.file.name, sha256=sha256,
                   imported_by=_user(), added=sum(old is None for _, old in pending),
                   updated=sum(old is not None for _, old in pending))
    session.add(audit)
    session.flush()
    for mark, old in pending:
        if old is None:
            session.add(mark.table(cohort_id=cohort.id, import_id=audit.id, **mark.columns))
            continue
        for name in VALUES[old.__tablename__]:  # --update: the new value, and the import that set it
            setattr(old, name, mark.columns[name])
        old.import_id = audit.id
    report.added, report.updated, report.audit = audit.added, audit.updated, audit.id


@dataclass(frozen=True)
class ImportSummary:
    """One import of a cohort, and how many of the marks stored now it set."""

    id: int
    kind: str
    file: str
    sha256: str
    by: str
    at: str
    added: int
    updated: int
    holds: int


def imports_of(database: Database, programme: str, code: str) -> list[ImportSummary]:
    """Every import of a cohort (rosters and workbooks), oldest first, with the marks each still holds."""
    from sqlalchemy import func

    with reading(database) as session:
        cohort = find_cohort(session, programme, code)
        holds: dict[int, int] = {}
        for table in (Attendance, Score, SurveyAnswer):
            for import_id, count in session.execute(select(table.import_id, func.count()).where(
                    table.cohort_id == cohort.id).group_by(table.import_id)):
                holds[import_id] = holds.get(import_id, 0) + count
        return [ImportSummary(i.id, i.kind, i.file_name, i.sha256, i.imported_by, i.imported_at.isoformat(),
                              i.added, i.updated, holds.get(i.id, 0)) for i in cohort.imports]
