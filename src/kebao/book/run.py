"""``kebao book`` as one function: packs, then generated pages, then the Sphinx build (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import paths
from ..errors import BookError
from ..paths import SiteEdition
from .generate import Generated, generate
from .site import SiteResult, build_site, site_lock

if TYPE_CHECKING:  # pragma: no cover
    from ..packs.context import PackContext

Report = Callable[[str], None]


@dataclass(frozen=True)
class BookResult:
    packs: tuple[str, ...]  # programmes whose packs (every cohort's) were built or found fresh; empty with packs=False
    generated: Generated
    site: SiteResult


def build_packs(root: Path, workers: int = paths.JOBS) -> dict[str, PackContext]:
    """Build the pack of every cohort of every programme (fresh ones are skipped); the decided packs of the
    programmes' own cohorts, by programme, or BookError."""
    from ..packs.build import PackFailure, build_all

    results = build_all(root, out=root / paths.PACKS, workers=workers)
    failed = [f"{r.programme}/{r.cohort}: {r.error}" for r in results if isinstance(r, PackFailure)]
    if failed:
        raise BookError(f"{len(failed)} course pack(s) failed to build:",
                        "run `kebao pack <programme> --cohort <cohort>` for the full error; failed notebooks are kept "
                        f"under {(paths.PACKS / paths.FAILED).as_posix()}/", details=failed)
    return {r.programme: r.context for r in results if not isinstance(r, PackFailure) and r.context is not None
            and r.cohort == r.context.programme.cohort.id}


def make_book(root: Path, *, packs: bool = True, jobs: int = paths.SITE_JOBS, report: Report | None = None,
              status: TextIO | None = None, warning: TextIO | None = None,
              edition: SiteEdition = "public") -> BookResult:
    """Packs (unless ``packs`` is False), pages, site (the public one, or the trainer one: ``edition``); raises
    KebaoError subclasses, prints nothing itself.

    The generated pages are the same for both editions (trainer downloads sit in ``{only} trainer`` blocks),
    so building one edition after the other rewrites no page and Sphinx re-reads none for that reason.
    """
    from ..catalog import load_catalog

    say = report or (lambda _line: None)
    catalog = load_catalog(root)
    decided: dict[str, PackContext] = {}
    if packs:
        say("building course packs (unchanged packs are skipped)…")
        decided = build_packs(root, workers=max(jobs, paths.JOBS))
    with site_lock(root, on_wait=say):  # the pages are Sphinx's input: written and read under one lock
        generated = generate(root, catalog, decided=decided)
        changed = len(generated.report.written) + len(generated.report.removed)
        say(f"generated pages: {changed} changed, {len(generated.report.unchanged)} unchanged "
            f"({generated.programmes} programmes, {generated.modules} modules, {generated.cases} cases)")
        site = build_site(root, jobs=jobs, status=status, warning=warning, edition=edition, catalog=catalog)
    return BookResult(tuple(decided), generated, site)
