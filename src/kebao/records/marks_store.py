"""Marks into the database: one filled workbook, one transaction (the only code that writes marks).

:func:`import_marks` matches every line of a read workbook (:mod:`.marks`) to the cohort's roster by name
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
from .marks import Line, Marks, plain_name
from .models import Attendance, Cohort, Import, Learner, Score, SurveyAnswer
from .store import _user

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


# (kind of mark, key) -> (value compared, value shown, the mark to store)
Wanted = dict[tuple[str, object], tuple[object, str, dict[str, object]]]


def import_marks(database: Database, marks: Marks, update: bool = False, cohort_given: str | None = None,
                 progress: Progress | None = None) -> MarksReport:
    """Store ``marks`` (from :func:`~.marks.read_marks`) in one transaction; RecordsError, nothing written, when
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
        pending: list[tuple[tuple[str, object], dict[str, object], object | None]] = []
        for done, (key, (value, shown, row)) in enumerate(wanted.items(), start=1):
            old = stored.get(key)
            if old is None:
                pending.append((key, row, None))
            elif _value(old) == value:
                report.unchanged += 1
            else:
                report.conflicts.append(Conflict(*_what(key, row), _shown(old), old.import_id,
                                                 files.get(old.import_id, "?"), shown))
                pending.append((key, row, old))
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
    cohort = session.scalars(select(Cohort).where(Cohort.programme == programme, Cohort.code == code)).one_or_none()
    if cohort is None or not cohort.learners:
        raise RecordsError(f"cohort {programme}/{code} has no roster in the records, so the workbook's names cannot "
                           "be matched; nothing was imported",
                           f"import its roster first: kebao records roster {programme}/{code} FILE.xlsx")
    return cohort


def _matcher(learners: Sequence[Learner], marks: Marks) -> Callable[[Line], Learner | None]:
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


def _wanted(marks: Marks, match: Callable[[Line], Learner | None]) -> Wanted:
    """Every mark as (key -> value): a learner twice on one sheet, or a name not on the roster, is refused."""
    wanted: Wanted = {}
    seen: dict[tuple[str, object], str] = {}

    def put(key: tuple[str, object], cell: str, value: object, shown: str, row: dict[str, object]) -> None:
        if key in seen:
            marks.problems.append(f"{cell}: the same learner as {seen[key]} (list each learner once)")
            return
        seen[key] = cell
        wanted[key] = (value, shown, row)

    for mark in marks.attendance:
        learner = match(mark.line)
        if learner is not None:
            module = mark.session.module or mark.session.event
            value = (mark.status, mark.session.hours, module)
            put(("attendance", (learner.id, mark.session.key)), mark.line.cell, value,
                STATUS_SHOWN[mark.status], {"learner": learner, "session": mark.session.key, "module": module,
                                            "hours": mark.session.hours, "status": mark.status})
    for score in marks.scores:
        learner = match(score.line)
        if learner is not None:
            put(("score", (learner.id, score.module.id)), score.cell, score.score, f"{score.score}",
                {"learner": learner, "module": score.module.id, "score": score.score})
    for answer in marks.answers:
        learner = match(answer.line) if answer.line is not None else None
        if answer.line is not None and learner is None:
            continue
        respondent = str(learner.id) if learner is not None else answer.respondent
        put(("answer", (answer.survey, respondent, answer.item)), answer.cell, answer.answer, str(answer.answer),
            {"learner": learner, "survey": answer.survey, "respondent": respondent, "item": answer.item,
             "answer": answer.answer, "who": learner.name if learner is not None else f"#{answer.respondent}"})
    if marks.problems:
        raise RecordsError(f"{marks.file.name}: {len(marks.problems)} line(s) cannot be matched to the roster; "
                           "nothing was imported", "correct the cells named above and import the file again",
                           details=marks.problems)
    return wanted


Stored = Attendance | Score | SurveyAnswer


def _stored(session: Session, cohort: Cohort) -> dict[tuple[str, object], Stored]:
    found: dict[tuple[str, object], Stored] = {}
    for a in session.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id)):
        found[("attendance", (a.learner_id, a.session))] = a
    for s in session.scalars(select(Score).where(Score.cohort_id == cohort.id)):
        found[("score", (s.learner_id, s.module))] = s
    for v in session.scalars(select(SurveyAnswer).where(SurveyAnswer.cohort_id == cohort.id)):
        found[("answer", (v.survey, v.respondent, v.item))] = v
    return found


def _value(stored: Stored) -> object:
    if isinstance(stored, Attendance):
        return (stored.status, Decimal(stored.hours), stored.module)
    if isinstance(stored, Score):
        return Decimal(stored.score)
    return stored.answer


def _shown(stored: Stored) -> str:
    if isinstance(stored, Attendance):
        return STATUS_SHOWN.get(stored.status, stored.status)
    if isinstance(stored, Score):
        return f"{Decimal(stored.score).quantize(Decimal('0.1'))}"
    return str(stored.answer)


def _what(key: tuple[str, object], row: dict[str, object]) -> tuple[str, str]:
    """(learner, what) of a conflict."""
    kind = key[0]
    if kind == "attendance":
        return str(getattr(row["learner"], "name", "")), f"session {row['session']}"
    if kind == "score":
        return str(getattr(row["learner"], "name", "")), f"module {row['module']}"
    return str(row["who"]), f"{row['survey']} item {row['item']}"


def _write(session: Session, cohort: Cohort, marks: Marks, sha256: str,
           pending: list[tuple[tuple[str, object], dict[str, object], object | None]], report: MarksReport) -> None:
    audit = Import(cohort=cohort, kind=marks.meta.kind, file_name=marks.file.name, sha256=sha256,
                   imported_by=_user(), added=sum(old is None for _, _, old in pending),
                   updated=sum(old is not None for _, _, old in pending))
    session.add(audit)
    session.flush()
    for key, row, old in pending:
        if old is not None:  # --update: the new value, and the import that set it
            if isinstance(old, Attendance):
                old.status, old.hours, old.module = str(row["status"]), row["hours"], str(row["module"])  # type: ignore[assignment]
            elif isinstance(old, Score):
                old.score = row["score"]  # type: ignore[assignment]
            elif isinstance(old, SurveyAnswer):
                old.answer = int(row["answer"])  # type: ignore[call-overload]
            old.import_id = audit.id  # type: ignore[attr-defined]
            continue
        session.add(_new(key[0], cohort, row, audit.id))
    report.added, report.updated, report.audit = audit.added, audit.updated, audit.id


def _new(kind: str, cohort: Cohort, row: dict[str, object], import_id: int) -> Stored:
    learner = row["learner"]
    learner_id = learner.id if isinstance(learner, Learner) else None
    if kind == "attendance":
        return Attendance(cohort_id=cohort.id, learner_id=learner_id, session=row["session"], module=row["module"],
                          hours=row["hours"], status=row["status"], import_id=import_id)
    if kind == "score":
        return Score(cohort_id=cohort.id, learner_id=learner_id, module=row["module"], score=row["score"],
                     import_id=import_id)
    return SurveyAnswer(cohort_id=cohort.id, learner_id=learner_id, survey=row["survey"],
                        respondent=row["respondent"], item=row["item"], answer=row["answer"], import_id=import_id)


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
        cohort = session.scalars(select(Cohort).where(Cohort.programme == programme,
                                                      Cohort.code == code)).one_or_none()
        if cohort is None:
            raise RecordsError(f"no records for cohort {programme}/{code}",
                               f"import its roster first: kebao records roster {programme}/{code} FILE.xlsx")
        holds: dict[int, int] = {}
        for table in (Attendance, Score, SurveyAnswer):
            for import_id, count in session.execute(select(table.import_id, func.count()).where(
                    table.cohort_id == cohort.id).group_by(table.import_id)):
                holds[import_id] = holds.get(import_id, 0) + count
        return [ImportSummary(i.id, i.kind, i.file_name, i.sha256, i.imported_by, i.imported_at.isoformat(),
                              i.added, i.updated, holds.get(i.id, 0)) for i in cohort.imports]
