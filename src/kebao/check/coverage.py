"""Curriculum coverage: every programme outcome is taught by a module its default cohort takes.

An outcome fails when it lists no modules, or when none of its modules is in
the plan :func:`kebao.compose.compose` makes for the programme's default
cohort (a programme whose default cohort cannot be planned fails as a whole).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import CheckResult, Item, result

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog


def check_coverage(catalog: Catalog) -> CheckResult:
    from ..compose import compose
    from ..errors import KebaoError

    started = time.perf_counter()
    root = catalog.root
    items: list[Item] = []
    outcomes = 0
    for programme in sorted(catalog.programmes.values(), key=lambda p: p.id):
        if not programme.outcomes:
            continue
        try:
            plan = compose(catalog, programme)
        except KebaoError as error:
            where = _where(catalog.locate(programme).file, catalog.locate(programme).line, root)
            items.append(Item(programme.id, "failed", f"{where}: the default cohort cannot be planned: {error}",
                              f"`kebao plan {programme.id}` shows the problem"))
            continue
        planned = set(plan.modules)
        for index, outcome in enumerate(programme.outcomes):
            outcomes += 1
            name = f"{programme.id}/{outcome.id}"
            if not outcome.modules:
                location = catalog.locate(programme, "outcomes", index)
                items.append(Item(name, "failed",
                                  f"{_where(location.file, location.line, root)}: outcomes[{index}].modules: outcome "
                                  f"'{outcome.id}' of programme '{programme.id}' lists no modules",
                                  "list the modules that teach it under 'modules:'"))
                continue
            taught = [module for module in outcome.modules if module in planned]
            if taught:
                items.append(Item(name, "passed", "taught by " + ", ".join(taught)))
                continue
            location = catalog.locate(programme, "outcomes", index, "modules")
            items.append(Item(
                name, "failed",
                f"{_where(location.file, location.line, root)}: outcomes[{index}].modules: outcome '{outcome.id}' of "
                f"programme '{programme.id}': none of its modules ({', '.join(outcome.modules)}) is in the plan of "
                f"the default cohort '{programme.cohort.id}'",
                f"planned: {', '.join(plan.modules)}\n(make one of its modules required, or list a planned module "
                f"that teaches it; `kebao plan {programme.id}` shows why each module is in)"))
    programmes = sum(1 for p in catalog.programmes.values() if p.outcomes)
    return result("coverage", items, time.perf_counter() - started,
                  f"{outcomes} outcome(s) of {programmes} programme(s) covered",
                  "{failed} of {total} outcome(s) or programme(s) not covered")


def _where(file: Path, line: int, root: Path) -> str:
    try:
        name = file.relative_to(root).as_posix()
    except ValueError:
        name = file.as_posix()
    return f"{name}:{line}"
