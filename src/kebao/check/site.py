"""The course packs and the book, built exactly as ``kebao pack --all`` and ``kebao book`` build them.

Both build in place (``build/packs/``, ``book/generated/``, ``_build/``) with
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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import CheckResult, Item, result

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog

_LOCATION = re.compile(r"^(?P<where>.+?):(?:(?P<line>\d+):)? ?(?:WARNING|ERROR|CRITICAL|SEVERE):")


def check_packs(root: Path, *, jobs: int, timeout: float, progress: Callable[[int, int], None] | None = None,
                packs: str = "build/packs") -> CheckResult:
    """Every programme's default pack, built (or found fresh) into ``build/packs/``."""
    from ..packs.build import build_all

    started = time.perf_counter()
    items = []
    for outcome in build_all(root, out=root / packs, workers=jobs, timeout=timeout, progress=progress):
        if outcome.status == "failed":
            items.append(Item(outcome.programme, "failed", f"{outcome.programme}: {outcome.detail.splitlines()[0]}",
                              outcome.detail + "\n(`kebao pack " + outcome.programme + "` shows the full error; "
                              "the failed notebook is kept under build/packs/_failed/)", outcome.seconds))
        else:
            note = "built" if outcome.status == "built" else "up to date"
            items.append(Item(outcome.programme, "passed", f"{note}: {_relative(Path(outcome.detail), root)}",
                              seconds=outcome.seconds))
    built = sum(item.message.startswith("built") for item in items)
    return result("packs", items, time.perf_counter() - started,
                  f"{len(items)} pack(s): {built} built, {len(items) - built} up to date",
                  "{failed} of {total} pack(s) failed")


def check_book(root: Path, catalog: Catalog, *, jobs: int, packs: str = "build/packs") -> CheckResult:
    """Generate the pages and build the site into ``_build/html``, warnings as errors; an item per problem."""
    from ..book.generate import generate
    from ..book.site import build_site
    from ..errors import KebaoError

    started = time.perf_counter()
    log = io.StringIO()
    try:
        generate(root, catalog, packs)
        site = build_site(root, jobs=jobs, status=None, warning=log)
    except KebaoError as error:
        problems = getattr(error, "problems", ()) or (str(error),)
        prefix = str(root) + "/"
        items = []
        for problem in problems:
            text = str(problem).replace(prefix, "")
            match = _LOCATION.match(text)
            name = (match["where"] + (f":{match['line']}" if match["line"] else "")) if match else "build"
            items.append(Item(name, "failed", text))
        hint = getattr(error, "hint", "")
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
