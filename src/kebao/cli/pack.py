"""Generate course packs: handbook, trainer guide, timetable (XLSX/CSV/ICS), attendance, credits, zip.

``kebao pack PROGRAMME`` builds one cohort's pack: the programme's own cohort,
or ``--cohort ID`` (a cohort file ``cohorts/PROGRAMME/ID.yml``) or ``--cohort
FILE.yml`` (a cohort file anywhere), changed with ``--set key=value``;
``kebao pack --all`` builds the pack of every cohort of every programme in
parallel, skips packs whose inputs did not change, carries on past failures and
prints a summary. Packs go to <out>/<programme>/<cohort>/ (--out, by default the
repository's packs folder). Settings that change a cohort give it its own id
(derived from its start date and a digest of the other changes, or ``--set
id=NEW``), so they never replace another cohort's pack; an id whose pack holds
other parameters is refused (exit code 2). A failed build keeps the previous pack and leaves
its notebook and error under <out>/_failed/. One run writes to an output folder at
a time: a second one waits (--no-wait: refuses, exit code 3). A full disk, a
read-only or missing folder or a permission problem is one error line with a
hint (exit code 3); the previous pack stays. A cohort on a year without an
official holiday arrangement yet is planned from the statutory holidays and
its pack marked 暂定 (provisional); ``--strict-calendar`` refuses it.
``--executor dask`` builds the batch on a dask.distributed cluster: a local one
of ``--jobs`` worker processes, or the running one at ``--scheduler ADDRESS``
(docs/scale.md). ``--dry-run`` decides the packs and lists which would be built and why (which
input changed since each was built), building nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from kebao.model import Cohort


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kebao import paths

    parser.add_argument("programme", nargs="?", help="the programme's id (omit with --all)")
    parser.add_argument("--all", action="store_true",
                        help="build every cohort's pack: each programme's own and every cohort file's")
    parser.add_argument("--root", type=Path, default=Path("."), help="the curriculum repository (default: .)")
    parser.add_argument("--cohort", metavar="ID|FILE.yml",
                        help="a cohort of the programme: the id of a cohort file (cohorts/PROGRAMME/ID.yml) or a "
                             "cohort file's path (id, start, size, venue, …)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                        help="change a cohort parameter, e.g. --set size=30 (repeatable)")
    parser.add_argument("--lang", choices=("zh", "en"), help="the pack's language (default: the programme's)")
    parser.add_argument("--out", type=Path, default=paths.PACKS, help=f"where packs go (default: {paths.PACKS})")
    parser.add_argument("--jobs", type=int, default=paths.JOBS,
                        help=f"packs built at once with --all (default: {paths.JOBS})")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="where --all builds: worker processes here (local) or a dask.distributed cluster "
                             "(dask: a local cluster of --jobs workers, or the one at --scheduler)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --executor dask: a running dask scheduler, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--dry-run", action="store_true",
                        help="build nothing: list the packs that would be built and why (which input changed)")
    parser.add_argument("--strict-calendar", action="store_true",
                        help="refuse a pack on a year without the official holiday arrangement (暂定, provisional)")
    parser.add_argument("--notebook", type=Path, help="the pack notebook (default: ROOT/notebooks/course_pack.ipynb)")
    parser.add_argument("--no-wait", action="store_true",
                        help="refuse at once (exit code 3) when another kebao run is writing to the output folder")
    parser.add_argument("--timeout", type=float, default=paths.NOTEBOOK_TIMEOUT,
                        help=f"seconds one notebook may run (default: {paths.NOTEBOOK_TIMEOUT:g})")


def run(args: argparse.Namespace) -> int:
    from kebao.errors import UsageError

    if args.all == bool(args.programme):
        raise UsageError("name one programme, or use --all", "e.g. kebao pack xpcc-cadres, or kebao pack --all")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: must be at least 1")
    _check_executor(args)
    settings = tuple(args.settings + ([f"language={args.lang}"] if args.lang else []))
    cohort_file, cohort_id = _cohort_argument(args)
    stamp = None
    if args.all and not args.force and not args.dry_run:  # nothing changed? decided before kebao loads more
        from kebao.packs.nochange import PacksStamp

        stamp = PacksStamp(args.root, args.out, programmes=None, settings=settings, notebook=args.notebook,
                           cohort_file=cohort_file, strict_calendar=args.strict_calendar)
        recorded = stamp.unchanged()
        if recorded is not None and recorded.get("rows"):
            return _table([(programme, cohort_id, "fresh", 0.0, zip_path)
                           for programme, cohort_id, zip_path in recorded["rows"]])
        stamp.forget()
    elif not args.dry_run:  # a run that builds may be killed halfway: the last batch's stamp no longer holds
        from kebao.packs.nochange import STAMP

        try:
            (args.out / STAMP).unlink(missing_ok=True)
        except OSError:  # a read-only folder: the run itself will say so
            pass
    from kebao.cohort import read_cohort
    from kebao.errors import ResourceError
    from kebao.packs.build import PackFailure, PackRequest, build_all, build_pack

    cohort = read_cohort(cohort_file) if cohort_file is not None else None
    if args.dry_run:
        return _dry_run(args, settings, cohort, cohort_id)
    if args.programme:
        outcome = build_pack(PackRequest(args.root, args.programme, settings, args.out, args.notebook,
                                         timeout=args.timeout, force=args.force, cohort=cohort,
                                         strict_calendar=args.strict_calendar, cohort_id=cohort_id),
                             wait=not args.no_wait, on_wait=_say)
        verb = "built" if outcome.status == "built" else "up to date"
        print(f"{verb}: cohort {outcome.cohort} of {outcome.programme} in {outcome.folder} ({outcome.seconds:.1f} s)")
        print(f"pack: {outcome.zip}")
        return 0
    results = build_all(args.root, settings=settings, cohort=cohort, out=args.out, workers=args.jobs,
                        notebook=args.notebook, force=args.force, timeout=args.timeout, progress=_progress_bar(),
                        executor=_executor(args),
                        strict_calendar=args.strict_calendar, wait=not args.no_wait, on_wait=_say)
    failed = [r for r in results if isinstance(r, PackFailure)]
    if stamp is not None and not failed:
        stamp.record({"rows": [(r.programme, r.cohort, str(r.zip)) for r in results
                               if not isinstance(r, PackFailure)]})
    _table([(r.programme, r.cohort, r.status, r.seconds, r.error if isinstance(r, PackFailure) else r.zip)
            for r in results])
    machine = next((r.error for r in failed if isinstance(r.error, ResourceError)), None)
    if machine is not None:  # disk full, read-only…: once, as the error, with its exit code
        raise machine
    return 1 if failed else 0


def _check_executor(args: argparse.Namespace) -> None:
    from kebao.errors import UsageError

    if (args.executor == "dask" or args.scheduler) and not args.all:
        raise UsageError("--executor dask and --scheduler build batches: use them with --all")
    if args.scheduler and args.executor != "dask":
        raise UsageError(f"--scheduler {args.scheduler}: a scheduler is for --executor dask",
                         "add --executor dask, or leave out --scheduler")


def _executor(args: argparse.Namespace) -> object | None:
    """The batch's executor: None for local worker processes, or dask's (it starts only when a pack must be built)."""
    if args.executor != "dask":
        return None
    from kebao.packs.distributed import DaskPacks

    return DaskPacks(args.root, scheduler=args.scheduler, workers=args.jobs)


def _cohort_argument(args: argparse.Namespace) -> tuple[Path | None, str | None]:
    """``--cohort``: a cohort file's path (it ends in .yml or .yaml, or names a file) or a cohort's id."""
    from kebao.errors import UsageError

    written: str | None = args.cohort
    if written is None:
        return None, None
    if written.endswith((".yml", ".yaml")) or "/" in written or Path(written).is_file():
        return Path(written), None
    if args.all:
        raise UsageError(f"--cohort {written}: a cohort id names a cohort of one programme",
                         f"kebao pack PROGRAMME --cohort {written}, or --cohort FILE.yml for every programme")
    return None, written


def _table(rows: list[tuple[str, str, str, float, object]]) -> int:
    """The batch's table and summary line; 1 when a pack failed."""
    width = max((len(row[0]) for row in rows), default=9)
    cohorts = max((len(row[1]) for row in rows), default=6)
    print(f"{'programme':<{width}}  {'cohort':<{cohorts}}  {'status':<6}  {'seconds':>7}  pack or error")
    for programme, cohort, status, seconds, detail in rows:
        print(f"{programme:<{width}}  {cohort:<{cohorts}}  {status:<6}  {seconds:>7.1f}  {detail}")
    counts = {status: sum(row[2] == status for row in rows) for status in ("built", "fresh", "failed")}
    print(f"{counts['built']} built, {counts['fresh']} up to date, {counts['failed']} failed", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _dry_run(args: argparse.Namespace, settings: tuple[str, ...], cohort: Cohort | None,
             cohort_id: str | None) -> int:
    from kebao.packs.build import PackFailure, decide_all

    found = decide_all(args.root, [args.programme] if args.programme else None, settings=settings,
                       cohort=cohort, out=args.out, notebook=args.notebook,
                       strict_calendar=args.strict_calendar, cohort_id=cohort_id, every_cohort=args.all)
    rows = []
    for decided in found:
        if isinstance(decided, PackFailure):
            if args.programme:  # the one pack asked for cannot be decided: as `kebao pack` says it (exit code 2)
                raise decided.error
            rows.append((decided.programme, decided.cohort, "failed", [str(decided.error)]))
            continue
        why = ["--force"] if args.force else decided.reasons()
        rows.append((decided.request.programme, decided.ctx.cohort.id, "build" if why else "fresh", why))
    width = max((len(row[0]) for row in rows), default=9)
    cohorts = max((len(row[1]) for row in rows), default=6)
    print(f"{'programme':<{width}}  {'cohort':<{cohorts}}  {'would':<6}  why")
    for programme, cohort_id, verdict, why in rows:
        print(f"{programme:<{width}}  {cohort_id:<{cohorts}}  {verdict:<6}  {why[0] if why else ''}")
        for line in why[1:]:
            print(f"{'':<{width}}  {'':<{cohorts}}  {'':<6}  {line}")
    counts = {verdict: sum(row[2] == verdict for row in rows) for verdict in ("build", "fresh", "failed")}
    print(f"{counts['build']} would be built, {counts['fresh']} up to date, {counts['failed']} failed "
          "(dry run: nothing built)", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _say(message: str) -> None:
    print(f"kebao: {message}", file=sys.stderr, flush=True)


def _progress_bar() -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar = tqdm(total=0, unit="pack", desc="packs", file=sys.stderr, disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
        if done == total:
            bar.close()

    return update
