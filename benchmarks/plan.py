"""How long compose + schedule take for every example programme, and how close each strand gets.

Prints one row per programme: modules and 学时 planned (target), sessions, the
median in-process time of compose + schedule (wall ms, and CPU ms by
``time.process_time``, which load on a shared machine changes less; aim: ≤ 2 ms),
and the error per strand in 学时 (planned minus target); then a summary line with
the median programme's and the slowest programme's figures. Asserts nothing.

    .venv/bin/python benchmarks/plan.py [--root DIR] [--repeat 20]

Reads the repository's catalogue; if it does not validate yet, the fixture
catalogue in tests/fixtures/catalog. A programme that cannot be planned shows
its PlanError instead of figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from kebao.catalog import Catalog, load_catalog
from kebao.compose import compose
from kebao.errors import ContentError, PlanError
from kebao.schedule import schedule

REPO = Path(__file__).resolve().parent.parent


def load(root: Path) -> tuple[Catalog, Path]:
    try:
        return load_catalog(root), root
    except ContentError as error:
        fixture = REPO / "tests" / "fixtures" / "catalog"
        print(f"{root}: not valid ({error}); using {fixture}", file=sys.stderr)
        return load_catalog(fixture), fixture


def measure(catalog: Catalog, programme_id: str, repeat: int) -> list[str]:
    programme = catalog.programmes[programme_id]
    times, cpu = [], []
    try:
        for _ in range(repeat):
            began, began_cpu = time.perf_counter(), time.process_time()
            plan = compose(catalog, programme)
            timetable = schedule(catalog, plan)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
    except PlanError as error:
        return [programme_id, "-", "-", "-", "-", "-", f"PlanError: {error}"]
    errors = " ".join(f"{catalog.strands[s.id].name.zh if s.id in catalog.strands else s.id} {s.error:+.3g}"
                      for s in plan.strands)
    return [programme_id, str(len(plan.items)), f"{plan.total_hours:g}/{plan.target_hours:.4g}",
            str(len(timetable.sessions)), f"{statistics.median(times) * 1000:.2f}",
            f"{statistics.median(cpu) * 1000:.2f}", errors]


def summary(rows: list[list[str]]) -> str:
    """'median programme … ms, slowest … ms (programme)' over measured rows (wall, then CPU)."""
    timed = [row for row in rows if row[4] != "-"]
    if not timed:
        return "no programme could be planned"
    parts = []
    for column, what in ((4, "wall"), (5, "CPU")):
        values = {row[0]: float(row[column]) for row in timed}
        slowest = max(values, key=lambda programme: values[programme])
        parts.append(f"{what}: median programme {statistics.median(values.values()):.2f} ms, "
                     f"slowest {values[slowest]:.2f} ms ({slowest})")
    return "; ".join(parts)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="curriculum repository (default: this one)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per programme (median reported)")
    args = parser.parse_args()
    catalog, root = load(args.root)
    print(f"catalogue: {root} ({len(catalog.programmes)} programmes, {len(catalog.modules)} modules)")
    if not catalog.programmes:
        print("no programmes to plan")
        return 0
    measured = [measure(catalog, programme_id, args.repeat) for programme_id in sorted(catalog.programmes)]
    rows = [["programme", "modules", "学时 (target)", "sessions", "ms", "CPU ms", "error per strand (学时)"],
            *measured]
    widths = [max(width(row[c]) for row in rows) for c in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell + " " * (widths[c] - width(cell)) for c, cell in enumerate(row[:-1])]
        print("  ".join([*cells, row[-1]]))
    print(f"compose + schedule ({args.repeat} runs each, median): {summary(measured)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
