"""The records database's tables, as SQLAlchemy 2 declarative models.

What is stored, and what is not (docs/records.md says the same for the office's IT person):

* a cohort: its programme's id and its own id (the pair is unique);
* a learner of a cohort: name, gender, organisation, post, phone; of an ID-card number (身份证号) only a
  masked form for people (``110101********123X``) and a salted scrypt digest that recognises the same
  number on the next import (``records.identity``): the number itself is never stored;
* an import: which file (its name and SHA-256), of what kind, when, by whom (the operating-system user),
  and how many learners it added and changed: the audit trail;
* marks brought back from the pack's workbooks: a learner's attendance per session, a score per module, and
  survey answers (satisfaction answers are anonymous: no learner), each naming the import that set it;
* a certificate issued to a learner: its verification code and when it was issued.

The schema is changed only by a migration (``records/migrations/versions``), never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """One value the database keeps about itself (the salt of ID-number digests)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Cohort(Base):
    """A cohort of a programme, as the records know it."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("programme", "code", name="uq_cohorts_programme_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(80))  # the cohort's id in kebao (e.g. xpcc-2026-12)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    learners: Mapped[list[Learner]] = relationship(back_populates="cohort", order_by="Learner.row")
    imports: Mapped[list[Import]] = relationship(back_populates="cohort", order_by="Import.id")

    @property
    def label(self) -> str:
        return f"{self.programme}/{self.code}"


class Learner(Base):
    """A learner on a cohort's roster."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)  # the roster's row when first imported: keeps the roster's order
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))  # 'm' | 'f'
    organisation: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    id_masked: Mapped[str] = mapped_column(String(18), default="")  # 110101********123X, or ''
    id_digest: Mapped[str] = mapped_column(String(64), default="")  # scrypt, hex, or ''
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="learners")


class Import(Base):
    """One import that changed the records: the audit trail."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # 'roster' | 'attendance' | 'assessment' | 'survey' | 'forget'
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)

    cohort: Mapped[Cohort] = relationship(back_populates="imports")


class Attendance(Base):
    """Whether a learner was at one session, as the trainer's sign-in sheet says.

    ``session`` is the session's key in the pack's workbook metadata (date, start, group: ``2026-12-08T08:30``
    or ``2026-12-08T14:30/a``); ``hours`` is that session's 学时 for one learner; ``status`` is one of
    ``present`` (出勤), ``late`` (迟到), ``left-early`` (早退), ``leave`` (请假), ``absent`` (缺勤).
    """

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("learner_id", "session", name="uq_attendance_learner_session"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    session: Mapped[str] = mapped_column(String(40))
    module: Mapped[str] = mapped_column(String(80))  # module id, or the event's kind (opening, closing…)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(12))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)


class Score(Base):
    """A learner's result in one module's assessment (0-100), as the trainer's score sheet says."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("learner_id", "module", name="uq_scores_learner_module"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    module: Mapped[str] = mapped_column(String(80))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)


class SurveyAnswer(Base):
    """One answer (1-5) to one statement of a questionnaire.

    ``survey`` is ``satisfaction`` (培训满意度, anonymous: ``learner_id`` is empty), ``pre`` or ``post`` (the
    pre/post self-assessment, a learner's own); ``respondent`` tells answers of one form apart (the learner's
    id, or the satisfaction form's row), ``item`` is the statement's number on the form.
    """

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("cohort_id", "survey", "respondent", "item", name="uq_survey_answers"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), nullable=True)
    survey: Mapped[str] = mapped_column(String(20))
    respondent: Mapped[str] = mapped_column(String(40))
    item: Mapped[int] = mapped_column(Integer)
    answer: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), index=True)


class Certificate(Base):
    """A 结业证书 issued to a learner: the code a reader checks it by (on the published verification list)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
