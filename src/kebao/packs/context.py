"""Everything one course pack is made from: the catalogue, programme, cohort, plan and timetable.

``open_pack`` is what the course-pack notebook calls first, and what ``kebao
pack`` calls before any kernel starts, so a bad request fails early and the
same way in both places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog, load_catalog
from ..cohort import cohort_for
from ..compose import Plan, compose
from ..content import Edition
from ..errors import UsageError
from ..labels import Language
from ..model import Cohort, Programme
from ..schedule import Timetable, schedule


@dataclass(frozen=True)
class PackContext:
    """One cohort's pack, decided: the notebook only presents it."""

    root: Path
    catalog: Catalog
    programme: Programme
    cohort: Cohort
    plan: Plan
    timetable: Timetable
    language: Language
    edition: Edition

    @property
    def title(self) -> str:
        return self.programme.title.in_language(self.language)

    @property
    def cohort_label(self) -> str:
        end = self.timetable.days[-1].date if self.timetable.days else self.cohort.start
        return f"{self.cohort.id} · {self.cohort.start.isoformat()} – {end.isoformat()} · {self.cohort.venue}"


def cohort_settings(cohort: str | None = None, start: str | None = None, size: int | None = None,
                    venue: str | None = None, language: str | None = None,
                    overrides: Sequence[str] = ()) -> list[str]:
    """``key=value`` settings (see kebao.cohort) for the notebook's parameters; None means 'the default'."""
    settings = [f"{key}={value}" for key, value in
                (("id", cohort), ("start", start), ("size", size), ("venue", venue), ("language", language))
                if value is not None and value != "" and not (key == "size" and value == 0)]
    return [*settings, *overrides]


def open_pack(root: str | Path, programme: str, *, settings: Sequence[str] = (), edition: Edition = "trainer",
              catalog: Catalog | None = None) -> PackContext:
    """Load, compose and schedule ``programme`` for the cohort its default and ``settings`` describe."""
    catalog = catalog if catalog is not None else load_catalog(root)
    spec = catalog.programme(programme)
    if edition not in ("participant", "trainer"):
        raise UsageError(f"unknown edition '{edition}'", "use 'participant' or 'trainer'")
    cohort = cohort_for(catalog, spec, list(settings))
    plan = compose(catalog, spec, cohort)
    timetable = schedule(catalog, plan)
    return PackContext(Path(root), catalog, spec, plan.cohort, plan, timetable, plan.language, edition)


def end_date(timetable: Timetable) -> dt.date:
    return timetable.days[-1].date


def cohort_file_settings(path: Path) -> list[str]:
    """``key=value`` settings from a cohort file (YAML: id, start, size, venue and optional overrides).

    The file is read strictly and validated as a Cohort, so mistakes name their line.
    """
    from pydantic import ValidationError

    from ..catalog import problems_from_validation
    from ..errors import ContentError
    from ..yamlio import read_yaml

    doc = read_yaml(path)
    try:
        cohort = Cohort.model_validate(doc.data)
    except ValidationError as error:
        raise ContentError(problems_from_validation(error, Cohort, doc.data, doc)) from None
    settings = [f"id={cohort.id}", f"start={cohort.start.isoformat()}", f"size={cohort.size}",
                f"venue={cohort.venue}"]
    if cohort.language:
        settings.append(f"language={cohort.language}")
    if cohort.days:
        settings.append(f"days={cohort.days}")
    if cohort.mix:
        settings.append("mix=" + ",".join(f"{k}:{v:g}" for k, v in cohort.mix.items()))
    if cohort.exclude:
        settings.append("exclude=" + ",".join(cohort.exclude))
    if cohort.extra:
        settings.append("extra=" + ",".join(cohort.extra))
    return settings
