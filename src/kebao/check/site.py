"""The course packs and the book, built exactly as ``kebao pack --all`` and ``kebao book`` build them.

Both build in place (the packs folder, the generated pages and the built site) with
the same caches, so a check after ``kebao book`` costs seconds, a ``kebao
book`` after a check finds everything fresh, and CI keeps the packs and the
site that were checked. A failed build leaves the caches as ``kebao book``
does (Sphinx's saved environment is dropped, so the next build reports the
same problems again).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths
from . import CheckResult, Item, first_line, result

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog
    from ..packs.context import PackContext

_LOCATION = re.compile(r"^(?P<where>.+?):(?:(?P<line>\d+):)? ?(?:WARNING|ERROR|CRITICAL|SEVERE):")


def check_packs(root: Path, *, jobs: int, timeout: float, progress: Callable[[int, int], None] | None = None,
                packs: Path = paths.PACKS, decided: dict[str, PackContext] | None = None) -> CheckResult:
    """Every cohort's pack (each programme's own and every cohort file's), built (or found fresh) into the
    packs folder; an item per pack, named ``programme`` (its own cohort) or ``programme/cohort``.

    A pack planned on a year without the official holiday arrangement (暂定, provisional) is built, so the
    book still links it, but fails the check, as ``kebao pack --strict-calendar`` would refuse it.
    ``decided`` receives each programme's own cohort's decided pack, for the book check to reuse.
    """
    from ..errors import PlanError
    from ..holidaydata import require_official
    from ..packs.build import PackFailure, build_all

    started = time.perf_counter()
    items = []
    for outcome in build_all(root, out=root / packs, workers=jobs, timeout=timeout, progress=progress):
        context = None if isinstance(outcome, PackFailure) else outcome.context
        own = context is None or outcome.cohort == context.programme.cohort.id
        name = outcome.programme if own or not outcome.cohort else f"{outcome.programme}/{outcome.cohort}"
        if isinstance(outcome, PackFailure):
            error = outcome.error
            failed = (packs / paths.FAILED).as_posix()
            command = f"kebao pack {outcome.programme}" + ("" if own else f" --cohort {outcome.cohort}")
            items.append(Item(name, "failed", f"{name}: {first_line(error.message)}",
                              f"{error}\n(`{command}` shows the full error; the failed "
                              f"notebook is kept under {failed}/)", outcome.seconds))
        else:
            if decided is not None and outcome.context is not None and own:
                decided[outcome.programme] = outcome.context
            note = "built" if outcome.status == "built" else "up to date"
            try:
                if outcome.context is not None:
                    require_official(outcome.context.timetable.days, outcome.context.catalog.holidays,
                                     outcome.context.timetable.plan.language)
            except PlanError as provisional:
                cohort = outcome.context.cohort.id if outcome.context is not None else outcome.cohort
                items.append(Item(name, "failed",
                                  f"{outcome.programme}: the {'default ' if own else ''}cohort {cohort} is planned "
                                  "provisionally (暂定)",
                                  f"{note}: {_relative(outcome.zip, root)}, but {provisional}",
                                  outcome.seconds))
                continue
            items.append(Item(name, "passed", f"{note}: {_relative(outcome.zip, root)}",
                              seconds=outcome.seconds))
    built = sum(item.message.startswith("built") for item in items)
    return result("packs", items, time.perf_counter() - started,
                  f"{len(items)} pack(s): {built} built, {len(items) - built} up to date",
                  "{failed} of {total} pack(s) failed")


def check_book(root: Path, catalog: Catalog, *, jobs: int, packs: Path = paths.PACKS,
               decided: Mapping[str, PackContext] | None = None,
               on_wait: Callable[[str], None] | None = None) -> CheckResult:
    """Generate the pages and build the site into ``_build/html``, warnings as errors; an item per problem.

    Both under the site's lock (``on_wait`` hears when another run holds it), as ``kebao book`` does.
    """
    from ..book.generate import generate
    from ..book.site import build_site, site_lock
    from ..errors import KebaoError, ResourceError

    started = time.perf_counter()
    log = io.StringIO()
    try:
        with site_lock(root, on_wait=on_wait):
            generate(root, catalog, packs, decided)
            site = build_site(root, jobs=jobs, status=None, warning=log, catalog=catalog, packs=packs)
    except ResourceError:  # the machine refused (a full disk…): kebao check stops with it (exit code 3)
        raise
    except KebaoError as error:
        prefix = str(root) + "/"
        items = []
        for problem in error.details or ((f"{error.location}: " if error.location else "") + error.message,):
            text = problem.replace(prefix, "")
            match = _LOCATION.match(text)  # Sphinx's own warning lines: "file:line: WARNING: …"
            name = (match["where"] + (f":{match['line']}" if match["line"] else "")) if match else "build"
            items.append(Item(name, "failed", text))
        hint = error.hint
        if hint and items:
            last = items[-1]
            items[-1] = Item(last.name, last.status, last.message, f"{last.message}\n({hint})")
        return result("book", items, time.perf_counter() - started, "",
                      "{failed} problem(s); warnings are errors", log.getvalue().replace(prefix, ""))
    index = _relative(site.index, root)
    return result("book", [Item(index, "passed", f"built in {site.seconds:.1f} s", seconds=site.seconds)],
                  time.perf_counter() - started, index, log=log.getvalue().replace(str(root) + "/", ""))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
