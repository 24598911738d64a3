"""One course pack, decided: the catalogue, programme, cohort, plan and timetable it is made from.

A pack is decided once (:func:`decide`): ``kebao pack`` does it before any
kernel starts, so a bad request fails early; the batch worker, the pack
notebook's kernel (:func:`open_pack` with ``decided``) and the site's
programme pages reuse that decision instead of composing and scheduling again.
The course-pack notebook run on its own (in JupyterLab) decides for itself
from its ``root``, ``programme`` and ``cohort`` parameters, the same way.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..catalog import Catalog, load_catalog
from ..cohort import cohort_for
from ..compose import Plan, compose
from ..content import Edition
from ..errors import UsageError
from ..holidaydata import provisional_years
from ..labels import Language, provisional_note
from ..model import Cohort, Programme
from ..paths import PackAddress
from ..schedule import schedule
from ..timetable import Timetable


@dataclass(frozen=True)
class PackContext:
    """One cohort's pack, decided: the notebook and the pack-file writers only present it."""

    root: Path
    catalog: Catalog
    programme: Programme
    cohort: Cohort  # effective: language, days and mix filled in from the programme
    plan: Plan
    timetable: Timetable
    language: Language
    edition: Edition
    requested: Cohort  # as asked for (the notebook's `cohort` parameter); ``cohort`` is it filled in
    case_runs: Mapping[str, str] = field(default_factory=dict)  # case id -> its executed notebook (caseruns.py)

    @property
    def title(self) -> str:
        return self.programme.title.in_language(self.language)

    @property
    def cohort_label(self) -> str:
        end = self.timetable.days[-1].date if self.timetable.days else self.cohort.start
        return f"{self.cohort.id} · {self.cohort.start.isoformat()} – {end.isoformat()} · {self.cohort.venue}"

    @property
    def cases(self) -> list[str]:
        """The cases the pack prints: those of its planned modules written for its audience, in order of use."""
        seen: list[str] = []
        for module_id in self.plan.modules:
            for case_id in self.catalog.modules[module_id].cases:
                if case_id not in seen and self.catalog.cases[case_id].suits(self.programme.audience):
                    seen.append(case_id)
        return seen

    @property
    def large_print(self) -> bool:
        """Whether the pack is set in large print (the audience says so, e.g. seniors)."""
        return self.catalog.audiences[self.programme.audience].large_print

    @property
    def provisional_note(self) -> str:
        """'暂定：…' in the pack's language when a day has no official holiday arrangement yet; '' otherwise."""
        return provisional_note(provisional_years(self.timetable.days), self.language)

    @property
    def address(self) -> PackAddress:
        return PackAddress(self.programme.id, self.cohort.id)

    def portable(self) -> PackContext:
        """This context for another process: its catalogue without field-level source positions.

        A pack needs no field locations once decided; without them the pickle is
        a third smaller and several times faster to write and read.
        """
        return replace(self, catalog=self.catalog.portable())


def decide(catalog: Catalog, programme: str, *, cohort: Cohort | None = None, settings: Sequence[str] = (),
           edition: Edition = "trainer") -> PackContext:
    """Compose and schedule ``programme`` for ``cohort`` (default: the programme's) with ``settings`` applied."""
    if edition not in ("participant", "trainer"):
        raise UsageError(f"unknown edition '{edition}'", "use 'participant' or 'trainer'")
    spec = catalog.programme(programme)
    requested = cohort_for(catalog, spec, settings, base=cohort)
    plan = compose(catalog, spec, requested)
    timetable = schedule(catalog, plan)
    return PackContext(catalog.root, catalog, spec, plan.cohort, plan, timetable, plan.language, edition, requested)


def open_pack(root: str | Path, programme: str, *, cohort: Mapping[str, Any] | Cohort | None = None,
              settings: Sequence[str] = (), edition: Edition = "trainer", catalog: Catalog | None = None,
              decided: str | Path = "") -> PackContext:
    """The pack of ``programme`` for ``cohort``: read from ``decided`` (see :func:`save_decided`) or decided here.

    ``cohort`` is a Cohort or its JSON form (the notebook's ``cohort``
    parameter, validated by the same model); empty or None means the
    programme's default cohort.
    """
    if decided:
        ctx = load_decided(Path(decided))
        if ctx.programme.id != programme:
            raise UsageError(f"{decided} holds the pack of '{ctx.programme.id}', not of '{programme}'",
                             "pass the programme the pack was decided for, or leave `decided` empty")
        return ctx if ctx.edition == edition else replace(ctx, edition=edition)
    chosen = cohort if isinstance(cohort, Cohort) else Cohort.model_validate(cohort) if cohort else None
    catalog = catalog if catalog is not None else load_catalog(root)
    return replace(decide(catalog, programme, cohort=chosen, settings=settings, edition=edition), root=Path(root))


def save_decided(ctx: PackContext, path: Path) -> Path:
    """Write the decided pack for a kernel to read back with ``open_pack(decided=path)``."""
    path.write_bytes(pickle.dumps(ctx.portable(), protocol=pickle.HIGHEST_PROTOCOL))
    return path


def load_decided(path: Path) -> PackContext:
    """A pack written by :func:`save_decided` (kebao's own file in the pack's build folder)."""
    ctx = pickle.loads(path.read_bytes())
    if not isinstance(ctx, PackContext):
        raise UsageError(f"{path} holds no decided course pack", "leave the notebook's `decided` parameter empty")
    return ctx
