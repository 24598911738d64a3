"""Rosters into the database, and what it holds out of it: the only code that reads or writes learners.

A roster import (:func:`import_roster`) runs in one transaction. Each row is matched to a learner already
on the cohort by ID-card digest when both have one, else by name; a new learner is added, a learner
whose stored fields equal the row's is left alone, and a learner whose fields differ is a *change*:
changes are refused with the list of them (nothing is written) unless ``update`` is given, and then
applied. An import that added or changed something writes its audit row (:class:`~.models.Import`); a
file imported again unchanged writes nothing at all.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import RecordsError
from .database import Database, reading, transaction
from .identity import GENDER_WORDS, id_digest, mask_id, mask_phone
from .models import Cohort, Import, Learner, utcnow
from .roster import RosterRow

FIELDS = ("gender", "organisation", "post", "phone", "id_masked", "id_digest")
SHOWN_AS = {"gender": "性别", "organisation": "单位", "post": "职务", "phone": "电话", "id_masked": "身份证号"}


@dataclass(frozen=True)
class Change:
    """A stored learner whose row says something else: (field, stored, in the file), shown masked."""

    row: int
    name: str
    fields: tuple[tuple[str, str, str], ...]

    def __str__(self) -> str:
        said = "; ".join(f"{name} {old or '(empty)'} -> {new or '(empty)'}" for name, old, new in self.fields)
        return f"row {self.row}: {self.name}: {said}"


@dataclass
class RosterReport:
    """What an import did (or, with changes refused, would have done)."""

    cohort: str
    added: list[str] = field(default_factory=list)
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # stored learners the file does not list (kept)
    audit: int | None = None  # the Import row's id, when something was written


@dataclass(frozen=True)
class Stored:
    """A learner's fields as the database holds them (what a row is compared with)."""

    gender: str
    organisation: str
    post: str
    phone: str
    id_masked: str
    id_digest: str


def import_roster(database: Database, programme: str, code: str, path: Path, rows: Sequence[RosterRow],
                  update: bool = False) -> RosterReport:
    """``rows`` (from :func:`~.roster.read_roster` of ``path``) onto cohort ``programme/code``, in one transaction."""
    digests = {row.id_number: id_digest(row.id_number, database.salt) for row in rows if row.id_number}
    sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    report = RosterReport(f"{programme}/{code}")
    with transaction(database) as session:
        cohort = find_cohort(session, programme, code, create=True)
        learners = list(cohort.learners)
        matched: dict[int, RosterRow] = {}
        pending: list[tuple[Learner, RosterRow, Stored]] = []
        for row in rows:
            wanted = _stored(row, digests)
            learner = _match(learners, row, wanted)
            if learner is None:
                report.added.append(row.name)
                session.add(Learner(cohort=cohort, row=row.row, name=row.name, **vars(wanted)))
                continue
            if learner.id in matched:
                raise RecordsError(f"{path}: rows {matched[learner.id].row} and {row.row} are both {learner.name}",
                                   "a learner is listed once; delete one of the two rows")
            matched[learner.id] = row
            change = _change(row, learner, wanted)
            if change is None:
                report.unchanged += 1
            else:
                report.changes.append(change)
                pending.append((learner, row, wanted))
        report.missing = [learner.name for learner in learners if learner.id not in matched]
        if report.changes and not update:
            raise RecordsError(
                f"{path}: {len(report.changes)} learner(s) of {report.cohort} differ from the stored records; "
                "nothing was imported", "if the file is right, import it again with --update to apply these changes",
                details=[str(change) for change in report.changes])
        for learner, row, wanted in pending:
            for name, value in vars(wanted).items():
                setattr(learner, name, value)
            learner.name = row.name
            learner.updated_at = utcnow()
        if report.added or pending:
            audit = Import(cohort=cohort, kind="roster", file_name=Path(path).name, sha256=sha256,
                           imported_by=_user(), added=len(report.added), updated=len(pending))
            session.add(audit)
            session.flush()
            report.audit = audit.id
    return report


def learners_of(database: Database, programme: str, code: str) -> tuple[list[Learner], list[Import]]:
    """The cohort's learners in roster order and its imports; RecordsError when nothing is stored for it."""
    with reading(database) as session:
        cohort = find_cohort(session, programme, code)
        return list(cohort.learners), list(cohort.imports)


def find_cohort(session: Session, programme: str, code: str, create: bool = False) -> Cohort:
    """The records' cohort ``programme/code`` (added with ``create``); RecordsError naming the roster import when
    nothing is stored for it."""
    cohort = session.scalars(select(Cohort).where(Cohort.programme == programme, Cohort.code == code)).one_or_none()
    if cohort is not None:
        return cohort
    if not create:
        raise RecordsError(f"no records for cohort {programme}/{code}",
                           f"import its roster first: kebao records roster {programme}/{code} FILE.xlsx")
    cohort = Cohort(programme=programme, code=code)
    session.add(cohort)
    session.flush()
    return cohort


def _stored(row: RosterRow, digests: dict[str, str]) -> Stored:
    return Stored(gender=row.gender, organisation=row.organisation, post=row.post, phone=row.phone,
                  id_masked=mask_id(row.id_number) if row.id_number else "",
                  id_digest=digests.get(row.id_number, ""))


def _match(learners: Sequence[Learner], row: RosterRow, wanted: Stored) -> Learner | None:
    """The stored learner this row is: same ID-card digest, else same name (unless their ID numbers differ)."""
    if wanted.id_digest:
        for learner in learners:
            if learner.id_digest == wanted.id_digest:
                return learner
    for learner in learners:
        if learner.name == row.name and not (learner.id_digest and wanted.id_digest):
            return learner
    return None


def _change(row: RosterRow, learner: Learner, wanted: Stored) -> Change | None:
    fields = []
    for name in FIELDS:
        old, new = getattr(learner, name), getattr(wanted, name)
        if old == new or name == "id_digest":
            continue
        fields.append((SHOWN_AS[name], _shown(name, old), _shown(name, new)))
    if learner.name != row.name:  # matched by ID-card number: the name was corrected
        fields.insert(0, ("姓名", learner.name, row.name))
    return Change(row.row, row.name, tuple(fields)) if fields else None


def _shown(name: str, value: str) -> str:
    """A stored value as a change lists it: phones masked, 男/女 for gender."""
    if name == "phone":
        return mask_phone(value)
    if name == "gender":
        return GENDER_WORDS.get(value, value)
    return value


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

