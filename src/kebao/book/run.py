"""``kebao book`` as one function: packs, then generated pages, then the Sphinx build (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import BookError
from .generate import DEFAULT_PACKS, Generated, generate
from .site import SiteResult, build_site

Report = Callable[[str], None]


@dataclass(frozen=True)
class BookResult:
    packs: tuple[str, ...]  # one summary line per programme ("built", "fresh"); empty with packs=False
    generated: Generated
    site: SiteResult


def build_packs(root: Path, workers: int = 2) -> tuple[str, ...]:
    """Build every programme's default pack (fresh ones are skipped); BookError if any fails."""
    from ..packs.build import build_all

    results = build_all(root, out=root / DEFAULT_PACKS, workers=workers)
    failed = [f"{r.programme}: {r.detail}" for r in results if r.status == "failed"]
    if failed:
        raise BookError(f"{len(failed)} course pack(s) failed to build:",
                        "run `kebao pack <programme>` for the full error; failed notebooks are kept under "
                        "build/packs/_failed/", tuple(failed))
    return tuple(f"{r.programme}: {r.status}" for r in results)


def make_book(root: Path, *, packs: bool = True, jobs: int = 1, report: Report | None = None,
              status: TextIO | None = None, warning: TextIO | None = None) -> BookResult:
    """Packs (unless ``packs`` is False), pages, site; raises KebaoError subclasses, prints nothing itself."""
    from ..catalog import load_catalog

    say = report or (lambda _line: None)
    catalog = load_catalog(root)
    built: tuple[str, ...] = ()
    if packs:
        say("building course packs (unchanged packs are skipped)…")
        built = build_packs(root, workers=max(jobs, 2))
    generated = generate(root, catalog)
    changed = len(generated.report.written) + len(generated.report.removed)
    say(f"generated pages: {changed} changed, {len(generated.report.unchanged)} unchanged "
        f"({generated.programmes} programmes, {generated.modules} modules, {generated.cases} cases)")
    site = build_site(root, jobs=jobs, status=status, warning=warning)
    return BookResult(built, generated, site)
