"""A cohort's workbooks pre-filled with its roster's names: ``kebao records sheets``.

The sign-in, score and survey workbooks are those of the cohort's pack (:mod:`kebao.packs.sheets`, the same
hidden metadata, the same file names), with a numbered line per roster learner showing only the name and
organisation (never a phone or an ID number). They go to ``records/sheets/<programme>/<cohort>/`` (git-ignored,
never published), not into the pack: a pack is published on the site and handed to participants, and
personal data never enters either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..packs.files import name_of
from ..packs.rows import credit_rows, timetable_rows
from ..packs.sheets import Learner, assessment_for, attendance_for, survey_for
from ..packs.writers import FIXED_TIME

if TYPE_CHECKING:  # pragma: no cover
    from ..packs.context import PackContext


def prefilled(ctx: PackContext, folder: Path, learners: Sequence[Learner],
              stamp: dt.datetime = FIXED_TIME) -> list[Path]:
    """The cohort's three workbooks in ``folder``, named as in its pack, with a line per roster learner."""
    rows = timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language,
                          provisional={day.date for day in ctx.timetable.days if day.provisional},
                          phases=ctx.timetable.phases)
    credits = credit_rows(ctx.catalog, ctx.programme, [(item.module, item.hours) for item in ctx.plan.taught],
                          ctx.language)
    folder.mkdir(parents=True, exist_ok=True)
    address = ctx.address
    return [attendance_for(ctx, rows, folder / name_of(address, "attendance.xlsx"), stamp, learners),
            assessment_for(ctx, credits, folder / name_of(address, "assessment.xlsx"), stamp, learners),
            survey_for(ctx, folder / name_of(address, "survey.xlsx"), stamp, len(learners))]


def write_prefilled(ctx: PackContext, folder: Path, learners: Sequence[Learner], force: bool = False) -> list[Path]:
    """:func:`prefilled` published into ``folder``: each file atomically, and a different file already there
    (one a trainer may have started filling in) kept unless ``force``; UsageError then, nothing written."""
    import tempfile

    from ..atomic import write_atomic
    from ..errors import UsageError

    with tempfile.TemporaryDirectory(prefix="kebao-sheets-") as scratch:
        made = [(folder / path.name, path.read_bytes()) for path in prefilled(ctx, Path(scratch), learners)]
    kept = [path for path, data in made if path.is_file() and path.read_bytes() != data]
    if kept and not force:
        raise UsageError(f"{', '.join(str(path) for path in kept)}: already there and different (filled in, or "
                         "written for an older roster); nothing was written",
                         "import or move the filled workbook first, or write again with --force")
    return [write_atomic(path, data) for path, data in made]


def decide_cohort(root: Path, programme: str, code: str) -> PackContext:
    """The decided pack of cohort ``programme/code`` (the cohort as :func:`.course.cohort_spec` finds it)."""
    from ..catalog import load_catalog
    from ..packs.context import decide
    from .course import cohort_spec

    catalog = load_catalog(root)
    spec = catalog.programme(programme)
    cohort = cohort_spec(catalog, spec, code)
    return decide(catalog, programme, cohort=None if cohort is spec.cohort else cohort)
