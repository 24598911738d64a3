"""Pack batches on a dask.distributed cluster: ``kebao pack --all --executor dask [--scheduler ADDRESS]``.

dask.distributed is the engine (scheduling, workers, retries, a dashboard); kebao adds only what a pack needs:

1. :class:`DaskPacks` connects a client to ``scheduler``, or starts a ``LocalCluster`` of ``workers`` worker
   processes (one thread each) and closes it after the batch. It registers :class:`KebaoWorker` on every
   worker for the batch (:mod:`.daskworker`): kebao and the notebook's modules imported once, one kernel
   template and one kernel pool per worker that launches the next pack's kernel while the current pack runs,
   so that each pack still gets a fresh kernel, already up when it arrives (:mod:`kebao.notebooks.kernels`).
   The plugin is removed when the batch ends, and with it the workers' templates and kernels.
2. Before anything is built, every worker is asked for its :class:`Fingerprint` (kebao's version and code,
   fonts and tools, the sha256 of every file the packs are made of, read at the same repository path) and
   the batch is refused (:class:`~kebao.errors.UsageError`, exit code 2) when one differs: a worker reads the
   repository at the client's path, so it needs the same checkout there (a shared folder, or the same
   commit checked out at the same path) and the same kebao. Each pack checks again on its worker, for
   workers that join later. The packs folder need not be shared.
3. Each decided pack (its catalogue, plan and timetable travel with it) and the case runs the client
   already has go to a worker, which builds the pack into a scratch packs folder of its own
   (:func:`kebao.packs.build.build_decided`, the local code path: same notebook run, same failure rules and
   timeout) and sends back bytes: the pack's files, or its failure record, and any case run it made.
4. The client publishes what comes back as the local batch does: the pack with the atomic publish of
   :mod:`kebao.packs.bundle` (the previous pack stays until the new one is complete), a failure record
   under ``_failed/``; results are the same JobResults, so failures read as on a local worker. A worker
   that dies fails its pack (no retry on a LocalCluster: ``allowed-failures`` is 0 there).

Same inputs give byte-identical packs on either executor (tests/test_distributed.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import __version__, paths
from ..errors import KebaoError, UsageError
from ..notebooks.batch import JobResult
from .build import KERNEL_PRELOAD, DecidedPack, PackOutcome, build_decided, engine_digest
from .daskworker import PLUGIN, KebaoWorker


@dataclass(frozen=True)
class Fingerprint:
    """What a worker must share with the client for its packs to be the client's: code, tools, files."""

    engine: str
    environment: Mapping[str, str]
    files: Mapping[str, str]  # absolute path -> sha256

    @classmethod
    def here(cls, files: Iterable[str]) -> Fingerprint:
        from .environment import environment

        return cls(f"{__version__}+{engine_digest()}", environment(), {name: _digest(Path(name)) for name in files})

    def difference(self, other: Fingerprint) -> str:
        """'' when equal, else what ``other`` (a worker's) lacks or has otherwise, in words."""
        if other.engine != self.engine:
            return f"kebao {other.engine} instead of the client's {self.engine}"
        for name, value in self.environment.items():
            if other.environment.get(name) != value:
                return f"other {name} (fonts and tools shape the packs' bytes)"
        for name, digest in self.files.items():
            if other.files.get(name) != digest:
                state = "no file" if other.files.get(name) == "" else "another version of"
                return f"{state} {name}"
        return ""


def _digest(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def pack_files(decided: DecidedPack) -> list[str]:
    """The files a worker reads for ``decided``: its inputs and the notebook (absolute paths)."""
    return sorted({str(Path(path).resolve()) for path in [*decided.inputs.values(), decided.request.notebook_path]})


def check_worker(expected: Fingerprint) -> str:
    """On a worker: '' when it matches ``expected``, else why not."""
    return expected.difference(Fingerprint.here(expected.files))


@dataclass(frozen=True)
class Returned:
    """What a worker sends back for one pack: the pack's files, or its failure and failure record."""

    files: dict[str, bytes]  # the pack folder's files (built), or the _failed record's (failed)
    cases: dict[str, bytes] = field(default_factory=dict)  # case runs made on the worker: file name -> bytes
    error: BaseException | None = None
    error_text: str = ""
    seconds: float = 0.0
    ahead: int = 0  # this pack's kernels that were already running when it asked for them (pre-started)


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative POSIX name ({} when there is no folder)."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def write_folder(files: Mapping[str, bytes], folder: Path) -> None:
    """Write ``files`` (relative names, checked as a pack's are) under ``folder``."""
    from .bundle import pack_path

    for name, data in files.items():
        path = pack_path(folder, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_remote(decided: DecidedPack, cases: Mapping[str, bytes], expected: Fingerprint,
                 more: bool = True) -> Returned:
    """On a worker: build ``decided`` into a scratch packs folder and return its bytes (never raises).

    With the worker's :class:`KebaoWorker` set up, the pack runs in a kernel its pool launched ahead (and,
    with ``more``, the pool launches the next pack's kernel while this one runs); else in a kernel of its own.
    """
    from ..notebooks.batch import _picklable

    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="kebao-dask-"))
    worker = KebaoWorker.here()
    ahead = worker.started_ahead() if worker is not None else 0
    try:
        different = check_worker(expected)
        if different:
            raise UsageError(f"dask worker {_worker_name()} has {different}", _SAME_HINT)
        write_folder(cases, scratch / paths.CASE_RUNS)
        job = replace(decided, request=replace(decided.request, out=scratch))
        outcome = worker.build(job, more=more) if worker is not None else _build_alone(job)
        return Returned(read_folder(outcome.folder), _new_cases(scratch, cases),
                        seconds=time.perf_counter() - started, ahead=_ahead(worker, ahead))
    except Exception as error:
        text = str(error) if isinstance(error, KebaoError) else "".join(traceback.format_exception(error))
        return Returned(read_folder(decided.ctx.address.failed(scratch)), _new_cases(scratch, cases),
                        _picklable(error), text, time.perf_counter() - started, _ahead(worker, ahead))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _build_alone(job: DecidedPack) -> PackOutcome:
    """A pack on a worker without kebao's plugin: a kernel of its own, launched when the pack arrives."""
    from ..notebooks.kernels import KernelPool, end_thread_kernels

    try:
        with KernelPool(prestart=False, preload=KERNEL_PRELOAD) as pool:
            return build_decided(job, kernel=pool)
    finally:
        end_thread_kernels()


def _ahead(worker: KebaoWorker | None, before: int) -> int:
    return worker.started_ahead() - before if worker is not None else 0


def _new_cases(scratch: Path, sent: Mapping[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in read_folder(scratch / paths.CASE_RUNS).items() if name not in sent}


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"process {os.getpid()}"


_SAME_HINT = ("a dask worker reads the repository at the client's path: give every worker the same checkout "
              "there (the same commit, or a shared folder) and the same kebao, fonts and tools (docs/scale.md)")


class DaskPacks:
    """A pack executor for :func:`kebao.packs.build.build_stale` running on dask.distributed.

    With ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) it connects to a running cluster; without,
    it starts a LocalCluster of ``workers`` processes for one batch and closes it. Nothing starts until there
    are packs to build.
    """

    def __init__(self, root: Path, *, scheduler: str | None = None, workers: int = paths.JOBS,
                 connect_timeout: float = 30.0):
        if workers < 1:
            raise UsageError(f"--jobs {workers}: must be at least 1")
        self.root = Path(root).resolve()
        self.scheduler = scheduler
        self.workers = workers
        self.connect_timeout = connect_timeout
        self.started_ahead: list[int] = []  # per pack of the last batch: its kernels a worker had launched ahead

    def run_packs(self, jobs: Sequence[DecidedPack], *, progress: Callable[[int, int, Any], None] | None = None,
                  preload: Sequence[str] = KERNEL_PRELOAD) -> list[JobResult[PackOutcome]]:
        """Build ``jobs`` on the cluster, publish them here, one JobResult per job in order."""
        import dask

        if not jobs:
            return []
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # a pack that kills its worker fails
            client, cluster = self._connect()
            try:
                client.register_plugin(KebaoWorker(str(self.root), preload), name=PLUGIN)
                expected = Fingerprint.here(sorted({name for job in jobs for name in pack_files(job)}))
                workers = self._refuse_different(client, expected)
                return self._run(client, jobs, expected, progress, workers)
            finally:
                with contextlib.suppress(Exception):  # workers of a running cluster keep no kernel or template
                    client.unregister_worker_plugin(PLUGIN)
                client.close()
                if cluster is not None:
                    cluster.close()

    def _connect(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,  # no dashboard; its HTTP
                                   scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # port: any free one
                                   )  # type: ignore[no-untyped-call]
            return Client(cluster), cluster  # type: ignore[no-untyped-call]
        try:
            return Client(self.scheduler, timeout=self.connect_timeout), None  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as error:
            raise UsageError(f"no dask scheduler answers at {self.scheduler}: {error}",
                             "start one with `dask scheduler` and workers with `dask worker ADDRESS` "
                             "(docs/scale.md), or leave out --scheduler for a local cluster") from None

    def _refuse_different(self, client: Any, expected: Fingerprint) -> int:
        """Refuse the batch when a worker differs from the client; the number of workers."""
        answers = client.run(check_worker, expected)
        if not answers:
            raise UsageError(f"the dask scheduler at {self.scheduler} has no workers",
                             "start workers with `dask worker ADDRESS` (docs/scale.md)")
        for address, different in sorted(answers.items()):
            if different:
                raise UsageError(f"dask worker {address} has {different}", _SAME_HINT)
        return len(answers)

    def _run(self, client: Any, jobs: Sequence[DecidedPack], expected: Fingerprint,
             progress: Callable[[int, int, Any], None] | None, workers: int) -> list[JobResult[PackOutcome]]:
        from distributed import as_completed

        futures = {}
        self.started_ahead = [0] * len(jobs)
        for index, job in enumerate(jobs):  # pure=False: a rebuild is asked for, never taken from memory
            more = index < len(jobs) - workers  # as a local batch: a worker's last pack pre-starts no kernel
            future = client.submit(build_remote, job, _cases_for(job), expected, more, pure=False, priority=-index,
                                   key=f"kebao-pack-{index}-{job.ctx.programme.id}-{job.ctx.cohort.id}")
            futures[future] = index
        results: list[JobResult[PackOutcome] | None] = [None] * len(jobs)
        finished = False
        try:
            for done, future in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
                index = futures[future]
                results[index] = self._receive(index, jobs[index], future)
                if progress is not None:
                    progress(done, len(jobs), results[index])
            finished = True
        finally:
            if not finished:  # Ctrl-C or an error here: nothing more is built for this run
                client.cancel(list(futures), force=True)
        return [result for result in results if result is not None]

    def _receive(self, index: int, job: DecidedPack, future: Any) -> JobResult[PackOutcome]:
        """Publish what a worker sent for ``job`` (pack or failure record); its JobResult."""
        try:
            returned: Returned = future.result()
        except Exception as error:  # the worker died (KilledWorker), or the job could not reach it
            return JobResult(index, job, False, None, error, f"{type(error).__name__}: {error}")
        out = Path(job.request.out)
        self.started_ahead[index] = returned.ahead
        _keep_cases(returned.cases, out)
        if returned.error is None:
            try:
                publish_returned(returned.files, job)
            except Exception as error:
                return JobResult(index, job, False, None, error, str(error), returned.seconds)
            return JobResult(index, job, True, job.outcome("built", returned.seconds), None, "", returned.seconds)
        if returned.files:
            _publish_failure(returned.files, job)
        return JobResult(index, job, False, None, returned.error, returned.error_text, returned.seconds)


def _cases_for(job: DecidedPack) -> dict[str, bytes]:
    """The case runs the client already has for ``job``'s cases (file name under ``_cases/`` -> bytes)."""
    from .caseruns import case_key, has_code, run_file

    engine = f"{__version__}+{engine_digest()}"
    catalog, sent = job.ctx.catalog, {}

    for case_id in job.ctx.cases:
        if has_code(catalog.cases[case_id].body):
            path = run_file(Path(job.request.out), case_id, case_key(catalog, case_id, engine))
            if path.is_file():
                sent[path.name] = path.read_bytes()
    return sent


def _keep_cases(cases: Mapping[str, bytes], out: Path) -> None:
    """Store the case runs a worker made under the client's ``_cases/`` (as :func:`caseruns.ensure_runs`)."""
    from ..atomic import write_atomic

    for name, data in cases.items():
        target = out / paths.CASE_RUNS / name
        if "/" in name or target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data.decode("utf-8"))
        case_id = target.stem.rsplit("-", 1)[0]
        for old in target.parent.glob(f"{case_id}-*.ipynb"):  # runs of an older key of this case
            if old != target and len(old.stem) == len(target.stem):
                old.unlink(missing_ok=True)


def publish_returned(files: Mapping[str, bytes], job: DecidedPack) -> Path:
    """Publish a pack's files sent back by a worker, atomically, as a local build publishes it."""
    from .bundle import publish_pack

    return publish_pack(lambda folder: write_folder(files, folder), Path(job.request.out), job.ctx.address)


def _publish_failure(files: Mapping[str, bytes], job: DecidedPack) -> None:
    from .bundle import publish_atomically

    publish_atomically(lambda folder: write_folder(files, folder), job.ctx.address.failed(job.request.out))
