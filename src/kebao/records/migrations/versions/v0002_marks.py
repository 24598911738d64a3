"""Marks back from the pack's workbooks, and certificates (issue 17, part two).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _cohort() -> sa.Column[int]:
    return sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False)


def _import() -> sa.Column[int]:
    return sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False)


def _learner(nullable: bool = False) -> sa.Column[int]:
    return sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer, primary_key=True), _cohort(), _learner(),
        sa.Column("session", sa.String(40), nullable=False),
        sa.Column("module", sa.String(80), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("status", sa.String(12), nullable=False), _import(),
        sa.UniqueConstraint("learner_id", "session", name="uq_attendance_learner_session"))
    op.create_table(
        "scores",
        sa.Column("id", sa.Integer, primary_key=True), _cohort(), _learner(),
        sa.Column("module", sa.String(80), nullable=False),
        sa.Column("score", sa.Numeric(5, 1), nullable=False), _import(),
        sa.UniqueConstraint("learner_id", "module", name="uq_scores_learner_module"))
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer, primary_key=True), _cohort(), _learner(nullable=True),
        sa.Column("survey", sa.String(20), nullable=False),
        sa.Column("respondent", sa.String(40), nullable=False),
        sa.Column("item", sa.Integer, nullable=False),
        sa.Column("answer", sa.Integer, nullable=False), _import(),
        sa.UniqueConstraint("cohort_id", "survey", "respondent", "item", name="uq_survey_answers"))
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer, primary_key=True), _cohort(),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("code", sa.String(24), nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False))
    for table in ("attendance", "scores", "survey_answers", "certificates"):
        op.create_index(f"ix_{table}_cohort_id", table, ["cohort_id"])
    for table in ("attendance", "scores"):
        op.create_index(f"ix_{table}_learner_id", table, ["learner_id"])
    for table in ("attendance", "scores", "survey_answers"):
        op.create_index(f"ix_{table}_import_id", table, ["import_id"])


def downgrade() -> None:
    for table in ("certificates", "survey_answers", "scores", "attendance"):
        op.drop_table(table)
