"""Check a curriculum repository for CI: content, notebooks, cases, packs, the book, links and coverage.

Runs every check and reports all results, never stopping at the first failure:
content validation; notebooks stored without outputs; curriculum coverage
(every programme outcome taught by a planned module); every notebook in
notebooks/ executed with its default parameters and with each programme; every
case study executed; every default course pack built; the book built with
warnings as errors; internal links and pack downloads of the built site.
Prints each failure in full, then a summary table. Exit code 0 when every check
passes, 1 when any fails, 2 for a bad command line or folder. docs/check.md
describes each check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kebao.check import KINDS

if TYPE_CHECKING:  # pragma: no cover
    from kebao.check import CheckResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kebao import paths

    parser.add_argument("root", nargs="?", default=".", type=Path,
                        help="the curriculum repository (default: the current folder)")
    parser.add_argument("--jobs", type=int, default=paths.JOBS,
                        help=f"notebooks, cases and packs run at once, and Sphinx processes (default: {paths.JOBS})")
    parser.add_argument("--timeout", type=float, default=paths.NOTEBOOK_TIMEOUT, metavar="SECONDS",
                        help="wall-clock limit for one notebook, case or pack run "
                             f"(default: {paths.NOTEBOOK_TIMEOUT:g})")
    parser.add_argument("--junit-xml", type=Path, metavar="FILE", help="also write the results as JUnit XML")
    parser.add_argument("--no-packs", action="store_true",
                        help=f"do not build packs; the book links those already in {paths.PACKS}/")
    parser.add_argument("--skip", action="append", default=[], choices=list(KINDS), metavar="CHECK",
                        help=f"leave out a check (repeatable): {', '.join(KINDS)}")


def run(args: argparse.Namespace) -> int:
    from kebao.check.junit import write_junit
    from kebao.check.runner import Options, run_checks

    def report(line: str) -> None:
        print(f"kebao: {line}", file=sys.stderr, flush=True)

    options = Options(args.root, jobs=args.jobs, timeout=args.timeout, packs=not args.no_packs,
                      skip=frozenset(args.skip))
    results = run_checks(options, report)
    print_failures(results)
    print_summary(results)
    if args.junit_xml is not None:
        report(f"JUnit XML written to {write_junit(results, args.junit_xml)}")
    return 1 if any(check.status == "failed" for check in results) else 0


def print_failures(results: Sequence[CheckResult]) -> None:
    """Every failed item: its one-line message, then its details indented."""
    for check in results:
        for item in check.failures:
            print(f"FAILED {check.kind}: {item.name}")
            print(f"    {item.message}")
            details = [line for line in item.text.splitlines() if line.strip() and line != item.message]
            for line in details:
                print(f"    {line}")
            print()


def print_summary(results: Sequence[CheckResult]) -> None:
    """The table: check, status, seconds, detail (with rich when it is installed)."""
    rows = [(check.kind, check.status, f"{check.seconds:.1f}", check.detail) for check in results]
    failed = sum(check.status == "failed" for check in results)
    verdict = f"{failed} of {len(results)} checks failed" if failed else "every check passed"
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        width = max(len(kind) for kind, *_ in rows)
        print(f"{'check':<{width}}  {'status':<7}  {'seconds':>7}  detail")
        for kind, status, seconds, detail in rows:
            print(f"{kind:<{width}}  {status:<7}  {seconds:>7}  {detail}")
        print(verdict)
        return
    colours = {"passed": "green", "failed": "bold red", "skipped": "yellow"}
    table = Table(title="kebao check", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    table.add_column("detail", overflow="fold")
    for kind, status, seconds, detail in rows:
        table.add_row(Text(kind), Text(status, style=colours[status]), seconds, Text(detail))
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)  # CI logs are wide
    console.print(table)
    console.print(verdict, markup=False)
