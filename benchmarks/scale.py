"""Scale: N cohorts of the example programmes, built three ways, packs per second and peak memory (one table).

Generates N cohorts in memory (nothing is written into the repository): cohort i is the default cohort of
the i-th example programme (round robin), with its own id (``scale-001`` …) and its dates moved on by
whole weeks, one week per round, so weekdays, sessions and venues stay valid while every pack differs.
All packs are decided once in this process (timed apart), the cases the packs print are run once into a
seed ``_cases/`` folder that each run starts from (as on a build server that has run them before), then
the same decided packs are built into a temporary folder by:

* the local executor with 1 worker, and with 2 workers (``kebao pack --all --jobs N``);
* a dask.distributed LocalCluster of 2 worker processes, 1 thread each (``--executor dask --jobs 2``).

While each runs, every process below this one is sampled with psutil (every 0.25 s): the table gives the
peak RSS of one worker process (forkserver or dask worker; its kernels are separate processes, forked from
a template) and the peak RSS of all processes together (workers, kernel template and kernels, the dask
scheduler and nannies; RSS counts pages forked kernels share with their template once per process, so the
sum overstates). It also says how many packs came out byte-identical under all three executors.

    .venv/bin/python benchmarks/scale.py [--cohorts 10] [--cohorts 50 100] [--only local-1 dask-2]

It prints, per executor, the wall and CPU seconds (user + system of this process and of every process below
it, sampled with the memory; a process's last quarter second before it ends is missed), packs per second,
how many packs on dask found their kernel already running (the workers' pre-start), and at the end the
elapsed time of the whole run and one line saying whether packs per second grew from 1 worker to 2 (locally
and on dask; "grew" means at least 1.10x).

Default N is 10 (the first 10 example programmes, one cohort each), so that the 3N = 30 builds, the cases
run once and the clusters' start fit in 10 minutes on this 2-core machine when it is quiet: measured quiet
after issue 18's second round, the whole run took 3.7 minutes (docs/speed.md, "Scale"). Under load every
figure grows with the load: under a load average of 10-16 (six builds sharing the machine) N = 8 took
21.7 minutes. N = 50, 100 and 200 are for quiet or bigger machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RUNS = ("local-1", "local-2", "dask-2")
COHORTS = 10  # the default N: see the docstring for why
GREW = 1.10  # packs/s with 2 workers over 1 worker that counts as growth (noise on a quiet machine is less)


def cohorts(catalog: Any, count: int) -> list[tuple[str, Any]]:
    """``count`` (programme id, Cohort) pairs: each programme's default cohort, renamed and moved on by weeks."""
    programmes = sorted(catalog.programmes)
    made = []
    for index in range(count):
        programme = catalog.programmes[programmes[index % len(programmes)]]
        base = programme.cohort
        weeks = dt.timedelta(weeks=index // len(programmes))
        update: dict[str, Any] = {"id": f"scale-{index + 1:03d}", "start": base.start + weeks}
        if base.dates:
            update["dates"] = [day + weeks for day in base.dates]
        made.append((programme.id, base.model_copy(update=update)))
    return made


@dataclass
class Memory:
    """Peak RSS seen per process below this one, and of all of them together (sampled in a thread)."""

    interval: float = 0.25
    peak: dict[int, tuple[int, str]] = field(default_factory=dict)  # pid -> (peak RSS, kind)
    total: int = 0
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> user + system seconds last seen
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Memory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        me = os.getpid()
        while not self._stop.wait(self.interval):
            total = 0
            for process in psutil.Process(me).children(recursive=True):
                try:
                    rss = process.memory_info().rss
                    kind = _kind(process, me)
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                self.cpu[process.pid] = times.user + times.system  # its own, not its children's: no twice
                total += rss
                seen, was = self.peak.get(process.pid, (0, kind))
                self.peak[process.pid] = (max(seen, rss), "worker" if "worker" in (kind, was) else kind)
            self.total = max(self.total, total)

    def cpu_seconds(self) -> float:
        """CPU seconds of every process seen below this one (up to one interval of each lost when it ended)."""
        return sum(self.cpu.values())

    def worker_peak(self) -> tuple[int, int]:
        """The number of worker processes seen and the highest peak RSS among them."""
        workers = [rss for rss, kind in self.peak.values() if kind == "worker"]
        return len(workers), max(workers, default=0)


def _kind(process: Any, me: int) -> str:
    command = " ".join(process.cmdline())
    if "spawn_main" in command or command.startswith("dask worker"):  # a LocalCluster's worker (its nanny and
        return "worker"  # scheduler live in this process); dask may set its process title
    if "multiprocessing.forkserver" in command and process.ppid() != me:  # forked by the fork server
        return "worker"
    return "other"


def seed_cases(root: Path, decided: list[Any], seed: Path) -> float:
    """Run every case the packs print once into ``seed/_cases`` (as earlier builds would have); seconds."""
    from kebao import __version__
    from kebao.notebooks.kernels import KernelPool
    from kebao.packs.build import KERNEL_PRELOAD, engine_digest
    from kebao.packs.caseruns import ensure_runs

    started = time.perf_counter()
    cases = sorted({case for pack in decided for case in pack.ctx.cases})
    work = seed / ".work"
    work.mkdir(parents=True)
    with KernelPool(prestart=False, preload=KERNEL_PRELOAD) as pool:
        ensure_runs(decided[0].ctx.catalog, cases, seed, f"{__version__}+{engine_digest()}", work, kernel=pool,
                    timeout=600, cwd=root)
    shutil.rmtree(work)
    return time.perf_counter() - started


def run(name: str, root: Path, pairs: list[tuple[str, Any]], out: Path, seed: Path) -> dict[str, Any]:
    """Decide the packs into ``out`` and build them with executor ``name``; timings, memory, zip digests."""
    from kebao.catalog import load_catalog
    from kebao.packs.build import PackOutcome, PackRequest, build_stale, decide_pack

    shutil.copytree(seed, out)
    catalog = load_catalog(root)
    decided = [decide_pack(PackRequest(root, programme, out=out, cohort=cohort), catalog)
               for programme, cohort in pairs]
    executor = None
    if name.startswith("dask"):
        from kebao.packs.distributed import DaskPacks

        executor = DaskPacks(root, workers=int(name.split("-")[1]))
    started, cpu = time.perf_counter(), time.process_time()
    with Memory() as memory:
        results = build_stale(decided, workers=int(name.split("-")[1]), executor=executor)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu + memory.cpu_seconds()
    built = [r for r in results if isinstance(r, PackOutcome)]
    count, worker_rss = memory.worker_peak()
    ahead = sum(1 for n in executor.started_ahead if n) if executor is not None else None
    return {"name": name, "seconds": seconds, "cpu": cpu, "built": len(built), "failed": len(results) - len(built),
            "workers_seen": count, "worker_rss": worker_rss, "total_rss": memory.total, "ahead": ahead,
            "zips": {(r.programme, r.cohort): _members(r.zip) for r in built},
            "errors": [str(r.error).splitlines()[0] for r in results if not isinstance(r, PackOutcome)][:3]}


def _members(path: Path) -> dict[str, str]:
    """A zip's members and the sha256 of each (to name what differs between executors)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}
    return {"": hashlib.sha256(path.read_bytes()).hexdigest(), **members}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--cohorts", type=int, nargs="+", default=[COHORTS], metavar="N")
    parser.add_argument("--only", nargs="+", choices=RUNS, default=list(RUNS), help="which executors")
    args = parser.parse_args()

    from kebao.catalog import load_catalog
    from kebao.packs.build import PackRequest, decide_pack

    root = args.root.resolve()
    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, load average {_load()} at the start")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kebao-scale-") as scratch:
        for count in args.cohorts:
            catalog = load_catalog(root)
            pairs = cohorts(catalog, count)
            started = time.perf_counter()
            decided = [decide_pack(PackRequest(root, programme, out=Path(scratch) / "seed", cohort=cohort), catalog)
                       for programme, cohort in pairs]
            decide_seconds = time.perf_counter() - started
            seed = Path(scratch) / f"seed-{count}"
            cases_seconds = seed_cases(root, decided, seed)
            print(f"N={count}: decided in {decide_seconds:.1f} s ({decide_seconds / count * 1000:.0f} ms a pack); "
                  f"cases run once in {cases_seconds:.1f} s")
            results = []
            for name in args.only:
                result = run(name, root, pairs, Path(scratch) / f"{name}-{count}", seed)
                ahead = "" if result["ahead"] is None else \
                    f", {result['ahead']} of {result['built'] + result['failed']} packs found their kernel up"
                print(f"  {name}: {result['seconds']:.1f} s, {result['cpu']:.1f} CPU s{ahead}, "
                      f"load average {_load()}", flush=True)
                results.append(result)
            same = 0
            for key, first in results[0]["zips"].items():
                others = [r["zips"].get(key, {}) for r in results[1:]]
                differ = sorted({name for other in others for name in first if other.get(name) != first[name]})
                same += not differ
                if differ:
                    print(f"  {key[0]} {key[1]}: differs between executors in {', '.join(differ[:6])}")
            rows.append((count, results, same))
    print()
    print(f"{'N':>4}  {'executor':<8}  {'built':>5}  {'failed':>6}  {'seconds':>7}  {'packs/s':>7}  "
          f"{'CPU s':>6}  {'CPU s/pack':>10}  {'worker peak MB':>14}  {'all processes MB':>16}")
    for count, results, same in rows:
        for r in results:
            print(f"{count:>4}  {r['name']:<8}  {r['built']:>5}  {r['failed']:>6}  {r['seconds']:>7.1f}  "
                  f"{r['built'] / r['seconds']:>7.3f}  {r['cpu']:>6.0f}  {r['cpu'] / max(r['built'], 1):>10.1f}  "
                  f"{r['worker_rss'] / 2**20:>14.0f}  {r['total_rss'] / 2**20:>16.0f}")
            for error in r["errors"]:
                print(f"      failed: {error}")
        print(f"{count:>4}  byte-identical zips under every executor: {same} of {len(results[0]['zips'])}")
        print(f"{count:>4}  {verdict(results)}")
    print(f"load average at the end: {_load()}; {time.perf_counter() - began:.0f} s in all "
          f"({(time.perf_counter() - began) / 60:.1f} minutes)")


def verdict(results: list[dict[str, Any]]) -> str:
    """One line: did packs per second grow from 1 worker to 2, locally and on dask?"""
    rate = {r["name"]: r["built"] / r["seconds"] for r in results if r["built"] and not r["failed"]}
    if "local-1" not in rate or len(rate) < 2:
        return "throughput against workers: not comparable (needs local-1 and another executor, none failed)"
    gains = {name: rate[name] / rate["local-1"] for name in ("local-2", "dask-2") if name in rate}
    grew = all(gain >= GREW for gain in gains.values())
    said = ", ".join(f"{name} {gain:.2f}x" for name, gain in gains.items())
    return (f"throughput grew with workers: {'yes' if grew else 'NO'} ({said} the packs/s of local-1; "
            f"grown means at least {GREW:.2f}x)")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
