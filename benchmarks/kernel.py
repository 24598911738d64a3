"""What running a pack as a notebook costs, compared with the same work as a plain script.

Prints times and ratios; asserts nothing (machines here are noisy: run it twice).

    .venv/bin/python benchmarks/kernel.py [--repeat 3] [--batch 6]

Workload: a small pandas + matplotlib job (a 300-row timetable, a pivot, CSV,
three PNG figures), the same code as a script and as a
notebook. Measured, each in a fresh process so imports count:

* plain        python script.py
* fresh        a process that runs the notebook with execute_notebook and a kernel started for it
* pre-started  a process that launches a pool kernel first, does 1 s of other work (as `kebao pack`
               does composing and scheduling), then runs the notebook on the booted kernel;
               "+ preload": the pool's kernel also imported pandas and matplotlib.pyplot while booting
* batches of N jobs with 1 and 2 workers: plain scripts vs run_batch of NotebookJobs
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CELLS = [
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nimport pandas as pd",
    "strands = ['party', 'industry', 'skills', 'leadership']\n"
    "rows = [{'day': d // 4, 'slot': d % 4, 'strand': strands[d % 4 * (d % 3) % 4],\n"
    "         'hours': 1.5 + (d % 3) * 0.5} for d in range(300)]\n"
    "frame = pd.DataFrame(rows)\n"
    "pivot = frame.pivot_table(index='day', columns='strand', values='hours', aggfunc='sum').fillna(0)\n"
    "frame.to_csv(f'timetable-{seed}.csv', index=False)",
    "for number, kind in enumerate(['bar', 'line', 'area']):\n"
    "    axes = pivot.head(20).plot(kind=kind, figsize=(6, 3))\n"
    "    axes.figure.savefig(f'figure-{seed}-{number}.png', dpi=80)\n"
    "    plt.close(axes.figure)",
    "print(pivot.sum().round(1).to_dict())",
]

RUN_FRESH = """
import sys
from pathlib import Path
from kebao.notebooks.run import execute_notebook
execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]), {"seed": 1}, cwd=Path(sys.argv[3]), timeout=120)
"""

RUN_PRESTARTED = """
import sys, time
from pathlib import Path
from kebao.notebooks.kernels import KernelPool
pool = KernelPool(prestart=False, preload=sys.argv[4:])
pool.warm("python3", Path(sys.argv[3]))
time.sleep(1.0)  # stands for composing and scheduling the pack while the kernel boots
start = time.perf_counter()
from kebao.notebooks.run import execute_notebook
execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]), {"seed": 1}, cwd=Path(sys.argv[3]), timeout=120,
                 kernel=pool)
pool.close()
print(time.perf_counter() - start)
"""


def write_workload(folder: Path) -> tuple[Path, Path]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    script = folder / "work.py"
    script.write_text("import sys\nseed = int(sys.argv[1]) if len(sys.argv) > 1 else 1\n"
                      + "\n".join(CELLS) + "\n", encoding="utf-8")
    parameters = new_code_cell("seed = 1")
    parameters.metadata["tags"] = ["parameters"]
    notebook = new_notebook(cells=[parameters, *map(new_code_cell, CELLS)], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = folder / "work.ipynb"
    nbformat.write(notebook, path)
    return script, path


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def best(times: list[float]) -> str:
    return f"{min(times):5.2f} s (median {statistics.median(times):.2f})"


def plain_batch(script: Path, cwd: Path, jobs: int, workers: int) -> float:
    start = time.perf_counter()
    with cf.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda n: subprocess.run([sys.executable, str(script), str(n)], cwd=cwd, check=True,
                                               capture_output=True), range(jobs)))
    return time.perf_counter() - start


def notebook_batch(notebook: Path, cwd: Path, jobs: int, workers: int, preload: tuple[str, ...]) -> float:
    from kebao.notebooks.batch import NotebookJob, run_batch

    todo = [NotebookJob(notebook, cwd / f"out-{n}.ipynb", {"seed": n}, cwd, timeout=120) for n in range(jobs)]
    start = time.perf_counter()
    results = run_batch(todo, workers=workers, preload=preload)
    elapsed = time.perf_counter() - start
    failed = [r.error_text for r in results if not r.ok]
    if failed:
        raise SystemExit(f"batch failed: {failed[0]}")
    return elapsed


PRELOAD = ("pandas", "matplotlib.pyplot")


def prestarted(notebook: Path, folder: Path, preload: tuple[str, ...], repeat: int) -> tuple[list[float], list[float]]:
    total, inside = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", RUN_PRESTARTED, str(notebook), str(folder / "out.ipynb"),
                               str(folder), *preload], cwd=folder, check=True, capture_output=True, text=True)
        total.append(time.perf_counter() - start - 1.0)  # minus the stand-in engine work
        inside.append(float(done.stdout.strip().splitlines()[-1]))
    return total, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kebao-bench-") as name:
        folder = Path(name)
        script, notebook = write_workload(folder)
        python = sys.executable
        timed([python, str(script)], folder)  # warm the disk cache and matplotlib's font cache
        plain = [timed([python, str(script)], folder) for _ in range(args.repeat)]
        fresh = [timed([python, "-c", RUN_FRESH, str(notebook), str(folder / "out.ipynb"), str(folder)], folder)
                 for _ in range(args.repeat)]
        pre = {preload: prestarted(notebook, folder, preload, args.repeat) for preload in ((), PRELOAD)}
        p = min(plain)
        print(json.dumps({"python": sys.version.split()[0]}))
        print(f"single pack   plain script                     {best(plain)}")
        print(f"              notebook, fresh kernel           {best(fresh)}   ratio {min(fresh) / p:.2f}")
        for preload, (total, inside) in pre.items():
            label = "pre-started + preload" if preload else "pre-started kernel"
            print(f"              notebook, {label:<22} {best(total)}   ratio {min(total) / p:.2f}"
                  f"   (execute_notebook alone {best(inside)})")
        print("              (pre-started: process time minus 1 s of stand-in engine work)")
        # Batches alternate plain and notebook runs, best of --repeat each, so load spikes hit both alike.
        for workers in (1, 2):
            runs: dict[str, list[float]] = {"plain": [], "notebooks": [], "notebooks + preload": []}
            for _ in range(max(1, args.repeat - 1)):
                runs["plain"].append(plain_batch(script, folder, args.batch, workers))
                runs["notebooks"].append(notebook_batch(notebook, folder, args.batch, workers, ()))
                runs["notebooks + preload"].append(notebook_batch(notebook, folder, args.batch, workers, PRELOAD))
            plain_time = min(runs["plain"])
            for label in ("notebooks", "notebooks + preload"):
                notebook_time = min(runs[label])
                print(f"batch of {args.batch}, {workers} worker(s), {label:<19}: plain {plain_time:5.2f} s, "
                      f"notebooks {notebook_time:5.2f} s, throughput {plain_time / notebook_time:4.0%} of plain")


if __name__ == "__main__":
    main()
