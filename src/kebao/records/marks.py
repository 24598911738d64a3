"""A cohort's marks out of the database for the ledger, certificate codes, and forgetting a learner.

:func:`cohort_marks` reads every learner of a cohort with their attendance and scores as plain
:class:`~.ledger.Marks` (no phone, no ID number). :func:`issue_codes` gives each learner named a certificate
code once: a code is stored with the learner and never changes, so a certificate printed again carries the
same code. :func:`forget` deletes a learner with everything stored about them (attendance, scores, their
pre/post answers, certificate) in one transaction and records that it happened without saying who.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from ..errors import RecordsError
from .database import Database, reading, transaction
from .export import Person
from .ledger import Mark, Marks
from .models import Attendance, Certificate, Import, Learner, Score, SurveyAnswer, utcnow
from .store import _user, find_cohort

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off paper and typed again


@dataclass(frozen=True)
class Issued:
    """A learner's certificate: its verification code and when it was first issued (ISO date)."""

    code: str
    issued: str


@dataclass(frozen=True)
class Forgotten:
    """What :func:`forget` removed (counts only), and the audit row that records it."""

    cohort: str
    attendance: int
    scores: int
    answers: int
    certificate: bool
    audit: int


def cohort_marks(database: Database, programme: str, code: str) -> list[Marks]:
    """Every learner of the cohort in roster order with their marks; RecordsError for an unknown or empty cohort."""
    with reading(database) as session:
        cohort = find_cohort(session, programme, code)
        learners = list(cohort.learners)
        if not learners:
            raise RecordsError(f"cohort {programme}/{code} has no learners",
                               f"import its roster first: kebao records roster {programme}/{code} FILE.xlsx")
        marks: dict[int, list[Mark]] = {learner.id: [] for learner in learners}
        for row in session.scalars(select(Attendance).where(Attendance.cohort_id == cohort.id)
                                   .order_by(Attendance.session)):
            marks[row.learner_id].append(Mark(row.session, row.module, Decimal(row.hours), row.status))
        scores: dict[int, dict[str, Decimal]] = {learner.id: {} for learner in learners}
        for score in session.scalars(select(Score).where(Score.cohort_id == cohort.id)):
            scores[score.learner_id][score.module] = Decimal(score.score)
        return [Marks(learner.id, number, learner.name, learner.organisation, learner.post,
                      tuple(marks[learner.id]), scores[learner.id])
                for number, learner in enumerate(learners, start=1)]


def people_of(database: Database, programme: str, code: str) -> dict[int, Person]:
    """What the credit-bank export says of each learner besides their marks (gender; the pseudonym's key)."""
    from .identity import GENDER_WORDS

    with reading(database) as session:
        return {learner.id: Person(GENDER_WORDS.get(learner.gender, ""), learner.id_digest)
                for learner in find_cohort(session, programme, code).learners}


def find_learner(cohort: Sequence[Marks], who: str, label: str) -> Marks:
    """The learner ``who`` names: their number in the roster (1, 2, …) or their name; RecordsError otherwise."""
    if who.isdigit():
        found = [marks for marks in cohort if marks.number == int(who)]
    else:
        found = [marks for marks in cohort if marks.name == who.strip()]
    if len(found) == 1:
        return found[0]
    if found:
        raise RecordsError(f"{label}: {len(found)} learners are named {who}",
                           "name the learner by their number (kebao records list shows it)")
    raise RecordsError(f"{label}: no learner {who!r}", "write the name as the roster has it, or the learner's "
                       "number from kebao records list")


def issue_codes(database: Database, programme: str, code: str, learners: Iterable[int],
                year: int) -> dict[int, Issued]:
    """Each learner's certificate code, made and stored for those who have none yet (one transaction).

    ``year`` (the cohort's) begins a new code; a stored code is kept as it is.
    """
    wanted = list(learners)
    with transaction(database) as session:
        cohort = find_cohort(session, programme, code)
        stored = {c.learner_id: c for c in session.scalars(select(Certificate)
                                                            .where(Certificate.cohort_id == cohort.id))}
        taken = set(session.scalars(select(Certificate.code)))
        for learner in wanted:
            if learner in stored:
                continue
            new = _new_code(year, taken)
            taken.add(new)
            stored[learner] = Certificate(cohort_id=cohort.id, learner_id=learner, code=new, issued_at=utcnow())
            session.add(stored[learner])
        session.flush()
        return {learner: Issued(stored[learner].code, stored[learner].issued_at.date().isoformat())
                for learner in wanted}


def issued_codes(database: Database, programme: str, code: str) -> dict[int, Issued]:
    """The certificates the cohort's learners have (learner id -> code), without issuing any."""
    with reading(database) as session:
        cohort = find_cohort(session, programme, code)
        return {c.learner_id: Issued(c.code, c.issued_at.date().isoformat())
                for c in session.scalars(select(Certificate).where(Certificate.cohort_id == cohort.id))}


def forget(database: Database, programme: str, code: str, learner: int) -> Forgotten:
    """Delete a learner and everything stored about them; an audit row of kind 'forget' names no one."""
    with transaction(database) as session:
        cohort = find_cohort(session, programme, code)
        person = session.get(Learner, learner)
        if person is None or person.cohort_id != cohort.id:
            raise RecordsError(f"cohort {programme}/{code} has no learner {learner}", "kebao records list shows them")
        counts = [session.execute(delete(table).where(table.learner_id == learner)).rowcount  # type: ignore[attr-defined]
                  for table in (Attendance, Score, SurveyAnswer, Certificate)]
        session.delete(person)
        audit = Import(cohort=cohort, kind="forget", file_name="", sha256="", imported_by=_user(), added=0,
                       updated=1)
        session.add(audit)
        session.flush()
        return Forgotten(cohort.label, counts[0], counts[1], counts[2], bool(counts[3]), audit.id)



def _new_code(year: int, taken: set[str]) -> str:
    """'2026-7F3K-9QX2-M4PA': the year, then 12 random characters (32^12 ≈ 10^18: never guessed)."""
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        new = f"{year}-{body[:4]}-{body[4:8]}-{body[8:]}"
        if new not in taken:
            return new
