"""No-change speed: ``kebao pack --all`` and ``kebao book`` when nothing changed (prints times; asserts nothing).

On a copy of the repository's content in a temporary folder (or ``--built`` FOLDER, a copy already built by
``kebao book``), each command a fresh process as a user runs it, ``--repeat`` times; the median and the
fastest are printed next to the targets of issue 18, with a dry run (``kebao pack --all --dry-run``) and,
for comparison, the interpreter starting and ``kebao --help``.

    .venv/bin/python benchmarks/nochange.py [--root .] [--built FOLDER] [--repeat 7] [--keep]

Targets (issue 18): no-change ``kebao pack --all`` <= 0.3 s; no-change ``kebao book`` <= 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONTENT = ("curricula", "cases", "cohorts", "notebooks", "book", "_config.yml", "_toc.yml", "jupytext.toml")


def timed(command: list[str], cwd: Path) -> float:
    return run(command, cwd)[0]


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of ``command`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository to copy (default: this one)")
    parser.add_argument("--built", type=Path, help="a copy already built by `kebao book` (skips the cold build)")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (default: 7)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print its path")
    args = parser.parse_args()
    kebao = [sys.executable, "-m", "kebao"]
    folder = args.built or Path(tempfile.mkdtemp(prefix="kebao-nochange-bench-"))
    try:
        if args.built is None:
            for name in CONTENT:
                source = args.root.resolve() / name
                if source.is_dir():
                    shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("generated", ".*"))
                elif source.exists():
                    shutil.copy2(source, folder / name)
            cold = timed([*kebao, "book", "--quiet"], folder)
            print(f"cold kebao book (packs, pages, cases, site): {cold:.1f} s")
        timed([*kebao, "book", "--quiet"], folder)  # the stamp is current whatever happened before
        rows = [("python -c pass", [sys.executable, "-c", "pass"], None),
                ("kebao --help", [*kebao, "--help"], None),
                ("no-change kebao pack --all", [*kebao, "pack", "--all"], 0.3),
                ("kebao pack --all --dry-run", [*kebao, "pack", "--all", "--dry-run"], None),
                ("no-change kebao book", [*kebao, "book", "--quiet"], 0.5)]
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (CPU s: what a quiet "
              "machine would take, about)")
        print(f"{'work':<28} {'median s':>8} {'fastest':>8} {'CPU s':>6} {'target':>11}")
        for name, command, target in rows:
            runs = [run(command, folder) for _ in range(args.repeat)]
            wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
            goal = f"{target:.2f} {'ok' if wall <= target else 'missed'}" if target else ""
            print(f"{name:<28} {wall:>8.3f} {min(w for w, _ in runs):>8.3f} {cpu:>6.3f} {goal:>11}")
    finally:
        if args.built is None and args.keep:
            print(f"kept: {folder}")
        elif args.built is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
