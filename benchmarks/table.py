"""Issue 18's speed table in one run: every row, beside plain Python where the row has one, and its target.

Prints times and ratios; asserts nothing (the targets are for a quiet machine; the load average is printed
beside every figure, and the CPU seconds of each command's process tree, which load changes far less).
On a copy of the repository's content in a temporary folder, each command a fresh process as a user runs it:

* cold ``kebao book`` (packs, pages, cases, site), which also builds the packs the next rows use;
* one pack, ``kebao pack P --force``, vs the same work as plain Python (``benchmarks/packs.py``'s ``--plain``:
  compose, schedule, figures, data files, both editions' HTML and PDF in one process, no kernel, papermill or
  nbconvert), interleaved ``--repeat`` times;
* every programme's pack with 2 workers, ``kebao pack --all --force --jobs 2``, vs the plain work in 2
  processes: throughput as a share of plain;
* no-change ``kebao pack --all`` and ``kebao book`` (median of ``--repeat``);
* compose + schedule in process (``benchmarks/plan.py``'s measure), the slowest programme's median.

    .venv/bin/python benchmarks/table.py [--root .] [--repeat 3] [--built FOLDER] [--keep]

``--built`` reuses a copy already built by ``kebao book`` (the cold row is then left out).
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
from collections.abc import Callable, Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
CONTENT = ("curricula", "cases", "notebooks", "book", "_config.yml", "_toc.yml", "jupytext.toml")
KEBAO = [sys.executable, "-m", "kebao"]
PLAIN = [sys.executable, str(BENCHMARKS / "packs.py")]


class Measure:
    """Wall-clock and CPU seconds (user + system of the process tree, as reaped) of some commands, and the load."""

    def __init__(self, wall: float, cpu: float, load: float):
        self.wall, self.cpu, self.load = wall, cpu, load

    @classmethod
    def of(cls, start: Callable[[], Sequence[subprocess.Popen[bytes]]]) -> Measure:
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        processes = start()
        codes = [process.wait() for process in processes]
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if any(codes):
            sys.exit(f"failed: {[process.args for process in processes]}")
        return cls(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), load)

    @classmethod
    def median(cls, runs: Sequence[Measure]) -> Measure:
        return cls(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                   statistics.median(r.load for r in runs))


def command(*args: str, cwd: Path) -> Callable[[], list[subprocess.Popen[bytes]]]:
    return lambda: [subprocess.Popen(list(args), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]


def copy_content(root: Path, folder: Path) -> None:
    for name in CONTENT:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("generated", ".*"))
        elif source.exists():
            shutil.copy2(source, folder / name)


def plain_batch(folder: Path, programmes: list[str], out: Path, workers: int) -> list[subprocess.Popen[bytes]]:
    groups = [programmes[i::workers] for i in range(workers)]
    return [subprocess.Popen([*PLAIN, "--root", str(folder), "--out", str(out), "--plain", *group],
                             stdout=subprocess.DEVNULL) for group in groups if group]


def plan_ms(folder: Path) -> tuple[float, float]:
    """compose + schedule in this process, in ms (benchmarks/plan.py): the median programme's and the slowest
    programme's median of 20 runs, over the programmes that can be planned."""
    sys.path.insert(0, str(BENCHMARKS))
    import plan  # type: ignore[import-not-found]

    catalog, _ = plan.load(folder)
    rows = [plan.measure(catalog, programme, 20) for programme in sorted(catalog.programmes)]
    medians = [float(row[4]) for row in rows if row[4] != "-"]  # "-": the programme cannot be planned
    if not medians:
        sys.exit("no programme of the catalogue can be planned: see benchmarks/plan.py")
    return statistics.median(medians), max(medians)


def row(work: str, ours: Measure | None, plain: Measure | None, versus: str, target: str) -> str:
    figure = f"{ours.wall:7.2f} {ours.cpu:7.2f}" if ours else f"{'':7} {'':7}"
    base = f"{plain.wall:7.2f} {plain.cpu:7.2f}" if plain else f"{'':7} {'':7}"
    load = f"{ours.load:4.1f}" if ours else ""
    return f"{work:<36} {figure} {base} {versus:>16} {target:<22} {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository to copy (default: this one)")
    parser.add_argument("--built", type=Path, help="a copy already built by `kebao book` (no cold row)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed command (default: 3)")
    parser.add_argument("--programme", help="the single-pack programme (default: the first)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print its path")
    args = parser.parse_args()
    folder = args.built.resolve() if args.built else Path(tempfile.mkdtemp(prefix="kebao-table-bench-"))
    print(f"{os.cpu_count()} CPUs; wall and CPU seconds (user + system of the process tree); load: the 1-minute "
          "load average when the row's command started")
    print(f"{'work':<36} {'kebao s':>7} {'CPU s':>7} {'plain s':>7} {'CPU s':>7} {'vs plain':>16} "
          f"{'target (quiet machine)':<22} load", flush=True)

    class Lines(list[str]):  # each row printed as soon as it is measured
        def append(self, line: str) -> None:
            print(line, flush=True)
            super().append(line)

    lines = Lines()
    try:
        if args.built is None:
            copy_content(args.root.resolve(), folder)
            cold = Measure.of(command(*KEBAO, "book", "--quiet", cwd=folder))
            lines.append(row("cold kebao book (packs, pages, cases, site)", cold, None, "",
                             f"<= 35 s: {'met' if cold.wall <= 35 else 'missed'}"))
        from kebao.catalog import load_catalog

        programmes = sorted(load_catalog(folder).programmes)
        single = args.programme or programmes[0]
        scratch = folder / "_bench"
        one = [*KEBAO, "pack", single, "--force", "--out", str(folder / "build" / "packs")]
        plain_one = [*PLAIN, "--root", str(folder), "--out", str(scratch / "plain"), "--plain", single]
        Measure.of(command(*plain_one, cwd=folder))  # warm the disk and font caches once
        ours_runs, plain_runs = [], []
        for _ in range(args.repeat):  # interleaved: load changes hit both sides alike
            plain_runs.append(Measure.of(command(*plain_one, cwd=folder)))
            ours_runs.append(Measure.of(command(*one, cwd=folder)))
        ours, plain = Measure.median(ours_runs), Measure.median(plain_runs)
        lines.append(row(f"one pack ({single})", ours, plain, f"{ours.wall - plain.wall:+.2f} s",
                         f"<= +1.0 s: {'met' if ours.wall - plain.wall <= 1.0 else 'missed'}"))
        batch = Measure.of(command(*KEBAO, "pack", "--all", "--force", "--jobs", "2", "--out",
                                   str(folder / "build" / "packs"), cwd=folder))
        plain2 = Measure.of(lambda: plain_batch(folder, programmes, scratch / "plain-batch", 2))
        share = plain2.wall / batch.wall
        lines.append(row(f"{len(programmes)} packs, 2 workers", batch, plain2, f"{share:.0%} of plain",
                         f">= 90 %: {'met' if share >= 0.9 else 'missed'}"))
        Measure.of(command(*KEBAO, "book", "--quiet", cwd=folder))  # the book's stamp is current again
        Measure.of(command(*KEBAO, "pack", "--all", cwd=folder))  # and the packs' (the batch used --out)
        for name, argv, target in (("no-change kebao pack --all", ("pack", "--all"), 0.3),
                                   ("no-change kebao book", ("book", "--quiet"), 0.5)):
            runs = Measure.median([Measure.of(command(*KEBAO, *argv, cwd=folder)) for _ in range(args.repeat)])
            lines.append(row(name, runs, None, "", f"<= {target} s: {'met' if runs.wall <= target else 'missed'}"))
        median, slowest = plan_ms(folder)
        verdict = "<= 2 ms: " + ("kept" if max(median, slowest) <= 2 else "missed")
        lines.append(f"{'compose + schedule, in process (ms)':<36} {median:7.2f} {'':7} {'':7} {'':7} "
                     f"{f'slowest {slowest:.2f}':>16} {verdict:<22} "
                     f"{os.getloadavg()[0]:4.1f}")
        lines.append("(CPU s counts the processes a command waited for: a batch's forkserver workers are not among"
                     " them)")
    finally:
        shutil.rmtree(folder / "_bench", ignore_errors=True)
        if args.built is None and args.keep:
            print(f"kept: {folder}")
        elif args.built is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
