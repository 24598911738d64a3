"""Content validation: :func:`kebao.catalog.load_catalog`, one test case per content file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths
from . import CheckResult, Item, result

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog


def content_files(root: Path) -> list[Path]:
    """The files the catalogue is read from (as :mod:`kebao.catalog` lists them), sorted."""
    files = [root / paths.STRANDS, root / paths.AUDIENCES,
             *sorted((root / paths.MODULES).glob("*.md")),
             *sorted((root / paths.PROGRAMMES).glob("*.y*ml")),
             *sorted((root / paths.CASES).glob("*.md")),
             *sorted((root / paths.COHORTS).glob("*/*.y*ml"))]
    return [file for file in files if file.is_file()]


def check_content(root: Path) -> tuple[CheckResult, Catalog | None]:
    """The content check, and the catalogue when the content is valid (other checks need it)."""
    from ..catalog import load_catalog
    from ..errors import ContentError

    started = time.perf_counter()
    try:
        catalog = load_catalog(root)
    except ContentError as error:
        by_file: dict[str, list[str]] = {}
        for problem in error.problems:
            by_file.setdefault(_relative(problem.location.file, root), []).append(problem.render(root))
        items = [Item(name, "failed", problems[0], "\n".join(problems)) if (problems := by_file.pop(name, []))
                 else Item(name, "passed") for name in (_relative(f, root) for f in content_files(root))]
        items += [Item(name, "failed", problems[0], "\n".join(problems)) for name, problems in by_file.items()]
        count = len(error.problems)
        files = sum(item.status == "failed" for item in items)
        return result("content", items, time.perf_counter() - started, "",
                      f"{count} problem(s) in {files} file(s); run `kebao validate`"), None
    from ..sanitize import content_warnings

    warned: dict[str, list[str]] = {}  # raw HTML packs and the site remove: valid content, but CI flags it
    for warning in content_warnings(catalog):
        warned.setdefault(_relative(warning.location.file, root), []).append(warning.render(root))
    items = [Item(name, "failed", found[0], "\n".join(found)) if (found := warned.get(name)) else Item(name, "passed")
             for name in (_relative(file, root) for file in content_files(root))]
    counts = (f"{len(catalog.strands)} strands, {len(catalog.audiences)} audiences, {len(catalog.modules)} modules, "
              f"{len(catalog.cases)} cases, {len(catalog.programmes)} programmes")
    return result("content", items, time.perf_counter() - started, f"valid: {counts}",
                  "{failed} file(s) hold raw HTML that packs and the site remove; run `kebao validate`"), catalog


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()
