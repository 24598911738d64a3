"""Run every check in order (see the package docstring), carrying on past failures."""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths
from . import KINDS, CheckResult, Item, short_text, skipped

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog
    from ..packs.context import PackContext

Report = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    """What ``kebao check`` was asked to do."""

    root: Path
    jobs: int = paths.JOBS  # notebooks, cases and packs run this many at once; Sphinx uses as many processes
    timeout: float = paths.NOTEBOOK_TIMEOUT  # wall-clock seconds for one notebook (case, pack) run
    packs: bool = True  # False: the book links the packs already built (as `kebao book --no-packs`)
    skip: frozenset[str] = field(default_factory=frozenset)


def repository(root: Path) -> Path:
    """``root`` as an absolute path, if it is a curriculum repository; UsageError otherwise."""
    from ..errors import UsageError

    path = Path(root).resolve()
    if not path.is_dir():
        raise UsageError(f"{root}: no such folder", "pass the curriculum repository's folder, e.g. kebao check .")
    if not (path / "curricula").is_dir():
        raise UsageError(f"{root}: not a curriculum repository (it has no curricula/ folder)",
                         "run kebao check in the repository's top folder, or pass that folder")
    return path


def run_checks(options: Options, report: Report | None = None) -> list[CheckResult]:
    """Every check, in :data:`kebao.check.KINDS` order; one result per kind, skipped ones included."""
    from ..errors import UsageError

    say = report or (lambda _line: None)
    unknown = sorted(options.skip - set(KINDS))
    if unknown:
        raise UsageError(f"unknown check {unknown[0]!r}", f"checks: {', '.join(KINDS)}")
    if options.jobs < 1:
        raise UsageError(f"--jobs {options.jobs}: must be at least 1")
    if not options.timeout > 0:
        raise UsageError(f"--timeout {options.timeout:g}: must be a positive number of seconds")
    root = repository(options.root)
    return _Run(root, options, say).all()


class _Run:
    def __init__(self, root: Path, options: Options, say: Report):
        self.root = root
        self.options = options
        self.say = say
        self.results: dict[str, CheckResult] = {}
        self.catalog: Catalog | None = None

    def all(self) -> list[CheckResult]:
        from .content import check_content
        from .coverage import check_coverage
        from .execute import check_cases, check_notebooks
        from .links import check_links
        from .site import check_book, check_packs
        from .stored import check_outputs

        root, jobs, timeout = self.root, self.options.jobs, self.options.timeout
        if "content" in self.options.skip:  # not reported, but the other checks still need the catalogue
            self.catalog = check_content(root)[1]
        self.run("content", lambda: self._content(check_content))
        self.run("outputs", lambda: check_outputs(root))
        self.run("coverage", lambda: check_coverage(self._catalog()), needs_catalog=True)
        with tempfile.TemporaryDirectory(prefix="kebao-check-") as work:
            workdir = Path(work)
            self.run("notebooks", lambda: check_notebooks(root, self.catalog, workdir, jobs=jobs, timeout=timeout,
                                                          progress=self.progress("notebooks")))
            self.run("cases", lambda: check_cases(root, workdir, jobs=jobs, timeout=timeout,
                                                  progress=self.progress("cases")))
        if not self.options.packs and "packs" not in self.options.skip:
            self.results["packs"] = skipped("packs",
                                            f"--no-packs: the book links the packs in {paths.PACKS}/ as they are")
        decided: dict[str, PackContext] = {}  # each pack decided once, for the packs and the book
        self.run("packs", lambda: check_packs(root, jobs=jobs, timeout=timeout, progress=self.progress("packs"),
                                              packs=paths.PACKS, decided=decided), needs_catalog=True)
        self.run("book", lambda: check_book(root, self._catalog(), jobs=jobs, packs=paths.PACKS, decided=decided,
                                            on_wait=self.say), needs_catalog=True)
        book = self.results.get("book")
        if book is not None and book.status != "passed" and "links" not in self.options.skip:
            why = "the book did not build" if book.status == "failed" else f"the book was skipped ({book.detail})"
            self.results["links"] = skipped("links", f"{why}, so there is no site to read")
        self.run("links", lambda: check_links(root, root / paths.HTML, self.catalog, paths.PACKS))
        return [self.results[kind] for kind in KINDS]

    def run(self, kind: str, check: Callable[[], CheckResult], needs_catalog: bool = False) -> None:
        from ..errors import ResourceError

        if kind in self.results:  # already decided (skipped for a reason of its own)
            return
        if kind in self.options.skip:
            self.results[kind] = skipped(kind, "--skip " + kind)
            return
        if needs_catalog and self.catalog is None:
            self.results[kind] = skipped(kind, "the content is invalid (see content)")
            return
        self.say(f"{KINDS[kind]}…")
        started = time.perf_counter()
        try:
            self.results[kind] = check()
        except ResourceError:  # the machine refused (a missing font, a full disk): no check can say more
            raise
        except Exception as error:  # a bug or a broken tool must not hide the other checks' results
            text = short_text("".join(traceback.format_exception(error)), 40)
            self.results[kind] = CheckResult(kind, "failed", time.perf_counter() - started,
                                             f"the check itself failed: {type(error).__name__}",
                                             (Item(KINDS[kind], "failed", f"{type(error).__name__}: {error}",
                                                   text),))
        finished = self.results[kind]
        self.say(f"{KINDS[kind]}: {finished.status} ({finished.seconds:.1f} s)")

    def progress(self, kind: str) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            if total:
                self.say(f"{KINDS[kind]}: {done}/{total}")

        return report

    def _content(self, check: Callable[[Path], tuple[CheckResult, Catalog | None]]) -> CheckResult:
        checked, self.catalog = check(self.root)
        return checked

    def _catalog(self) -> Catalog:
        if self.catalog is None:  # run() only calls the checks that need it when it is there
            raise RuntimeError("no catalogue")
        return self.catalog
