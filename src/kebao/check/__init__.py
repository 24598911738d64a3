"""``kebao check``: every check a curriculum repository must pass, all reported, none stopping the others.

The checks, in the order :func:`kebao.check.runner.run_checks` runs them (and why):

============  ====================================================================================
content       :func:`kebao.catalog.load_catalog`; every problem with file, line and field.
              Most other checks need the catalogue, so it comes first.
outputs       every notebook in ``notebooks/`` is stored without outputs and execution counts.
coverage      every programme outcome lists modules, and one of them is in the default cohort's plan.
notebooks     every notebook in ``notebooks/`` runs with papermill: with its default parameters and
              with each programme (when it declares ``programme``); in parallel, with a wall-clock limit.
cases         every case study (``cases/*.md``, a MyST notebook) runs, from ``cases/`` as the book runs it.
packs         every programme's default course pack builds (``kebao pack --all``; fresh packs are skipped);
              before the book, whose programme pages link the packs.
book          the site builds with warnings as errors (``kebao book``, into ``_build/html``).
links         every local ``href``/``src`` in the built site resolves, anchors included, and every
              programme page offers its pack for download; after the book, which it reads.
============  ====================================================================================

A check whose input is missing (the content is invalid, the book did not
build) is *skipped*, and says why; the check it waits for has failed already.
This package only computes results; :mod:`kebao.cli.check` prints them and
:mod:`.junit` writes them for CI systems. Nothing heavy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["passed", "failed", "skipped"]

# kind -> title, in the order the checks run and are reported
KINDS: dict[str, str] = {
    "content": "content validation",
    "outputs": "notebooks stored without outputs",
    "coverage": "curriculum coverage",
    "notebooks": "notebooks executed",
    "cases": "case notebooks executed",
    "packs": "course packs built",
    "book": "book built, warnings as errors",
    "links": "internal links and downloads",
}


@dataclass(frozen=True)
class Item:
    """One thing a check looked at (a file, a notebook run, an outcome…): a JUnit test case."""

    name: str
    status: Status
    message: str = ""  # one line: what is wrong (or, when passed, a short note)
    text: str = ""  # the details: every problem, the parameters, the traceback
    seconds: float = 0.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one kind of check: a JUnit test suite."""

    kind: str
    status: Status
    seconds: float
    detail: str  # one line for the summary table
    items: tuple[Item, ...] = ()
    log: str = field(default="", repr=False)  # what the tool printed (Sphinx's warnings), for <system-err>

    @property
    def title(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def failures(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.status == "failed")


def result(kind: str, items: list[Item] | tuple[Item, ...], seconds: float, passed: str, failed: str = "",
           log: str = "") -> CheckResult:
    """A result whose status follows from its items: failed when any item failed.

    ``passed`` and ``failed`` are the summary lines for either case; ``failed``
    may use ``{failed}`` and ``{total}`` (default: "{failed} of {total} failed").
    """
    bad = sum(item.status == "failed" for item in items)
    if bad:
        detail = (failed or "{failed} of {total} failed").format(failed=bad, total=len(items))
        return CheckResult(kind, "failed", seconds, detail, tuple(items), log)
    return CheckResult(kind, "passed", seconds, passed, tuple(items), log)


def skipped(kind: str, reason: str) -> CheckResult:
    """A check that did not run, and why."""
    return CheckResult(kind, "skipped", 0.0, reason, (Item(KINDS.get(kind, kind), "skipped", reason),))


def short_text(text: str, lines: int = 30, width: int = 300) -> str:
    """``text`` without blank and rule lines, at most ``lines`` lines (the last ones) of ``width`` characters."""
    rows = [row.rstrip() for row in text.splitlines()
            if row.strip() and not set(row.strip()) <= set("-=─━")]
    rows = [row if len(row) <= width else row[: width - 1] + "…" for row in rows]
    if len(rows) > lines:
        rows = [f"… ({len(rows) - lines} more lines above)", *rows[-lines:]]
    return "\n".join(rows)


def first_line(text: str, width: int = 200) -> str:
    line = next((row.strip() for row in text.splitlines() if row.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"
