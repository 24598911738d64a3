"""Batches: independent notebook jobs run in worker processes, carrying on past failures.

:func:`run_batch` runs zero-argument jobs (a :class:`NotebookJob`, a pack
request…) on any ``concurrent.futures`` executor: a process pool by default
(each worker keeps its imports and its own kernel pool, every kernel forked
from one template for the whole batch), a thread pool, or e.g.
``dask.distributed``'s ``Client.get_executor()``. Each job ends as a typed
:class:`JobResult`: its value, or its error.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from .. import paths
from ..errors import JobError, KebaoError
from ..guard import watch_owner
from . import forkkernel
from .kernels import KernelTemplate, end_thread_kernels, kernel_environment, module_name, worker_pool
from .run import execute_notebook

T = TypeVar("T")


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: a picklable, zero-argument callable returning its output path."""

    source: Path
    output: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)
    cwd: Path = Path(".")
    timeout: float = paths.NOTEBOOK_TIMEOUT
    cell_timeout: float | None = None

    def __post_init__(self) -> None:
        # Absolute paths and a plain dict: the job runs in another process, maybe in another directory.
        for name in ("source", "output", "cwd"):
            object.__setattr__(self, name, Path(getattr(self, name)).resolve())
        object.__setattr__(self, "parameters", dict(self.parameters))

    def kernel_hint(self) -> tuple[str, Path]:
        """The kernel this job will need, so a batch worker can launch it before the job arrives.

        Any job may define this method (``run_batch`` asks the first job that does).
        """
        import json

        metadata = json.loads(self.source.read_text(encoding="utf-8")).get("metadata", {})
        return str(metadata["kernelspec"]["name"]), self.cwd

    def __call__(self) -> Path:
        execute_notebook(self.source, self.output, self.parameters, cwd=self.cwd, timeout=self.timeout,
                         cell_timeout=self.cell_timeout, kernel=worker_pool())
        return self.output


@dataclass(frozen=True)
class JobResult(Generic[T]):
    """How one job of a batch ended: ``value`` when ``ok``, else ``error`` (picklable) and its text."""

    index: int
    job: Callable[[], T]
    ok: bool
    value: T | None = None
    error: BaseException | None = None
    error_text: str = ""
    seconds: float = 0.0


def _picklable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return JobError(f"{type(error).__name__}: {error}")
    return error


def _run_job(index: int, job: Callable[[], T], prestart_next: bool, preload: tuple[str, ...]) -> JobResult[T]:
    start = time.perf_counter()
    in_thread = threading.current_thread() is not threading.main_thread()
    pool = worker_pool()
    pool.preload = [module_name(name) for name in preload]
    pool.prestart = prestart_next and not in_thread  # a thread may end any time: keep nothing running
    try:
        value = job()
    except Exception as error:
        text = "".join(traceback.format_exception(error)) if not isinstance(error, KebaoError) else str(error)
        return JobResult(index, job, False, None, _picklable(error), text, time.perf_counter() - start)
    finally:
        pool.prestart = True
        if in_thread:
            end_thread_kernels()
    return JobResult(index, job, True, value, None, "", time.perf_counter() - start)


_WORKER_IMPORTS = ("kebao.notebooks.run", "papermill.clientwrap", "papermill.engines", "papermill.execute",
                   "papermill.iorw", "papermill.parameterize", "nbformat.v4")


def _init_worker(kernel_name: str | None, cwd: str | None, preload: tuple[str, ...],
                 template: tuple[str, int] | None = None, owner: int | None = None) -> None:
    """Die with the batch's owner; launch the worker's first kernel at once, then import while it boots."""
    if owner is not None:
        watch_owner(owner)  # a forkserver worker is not the owner's child: nothing else would stop it
    pool = worker_pool()
    pool.preload = list(preload)
    pool.template = template
    if kernel_name is not None and cwd is not None:
        pool.warm(kernel_name, Path(cwd))
    for module in _WORKER_IMPORTS:
        importlib.import_module(module)


def _first_kernel(jobs: list[Callable[[], Any]]) -> tuple[str | None, str | None]:
    """The kernel name and cwd a worker should launch before its first job, from a job's ``kernel_hint()``."""
    for job in jobs:
        hint = getattr(job, "kernel_hint", None)
        if callable(hint):
            try:
                kernel_name, cwd = hint()
                return str(kernel_name), str(Path(cwd).resolve())
            except Exception:  # only a hint
                return None, None
    return None, None


def _mp_context() -> Any:
    """forkserver where it exists (workers fork from a clean server that has our imports), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Only takes effect when this process starts its fork server; '__main__' keeps jobs defined there picklable.
    context.set_forkserver_preload(["__main__", "kebao.notebooks.batch", *_WORKER_IMPORTS])
    return context


def run_batch(jobs: Iterable[Callable[[], T]], *, workers: int = 2, executor: cf.Executor | None = None,
              progress: Callable[[int, int, JobResult[T]], None] | None = None,
              preload: Iterable[str] = ()) -> list[JobResult[T]]:
    """Run independent jobs, carry on past failures, return one JobResult per job in input order.

    A job is a picklable zero-argument callable: a :class:`NotebookJob`, or
    ``functools.partial(function, *args)``. Without ``executor`` a process
    pool of ``workers`` processes is used (started with forkserver or spawn,
    never fork, which is unsafe with kernel clients' threads). ``progress`` is
    called in this process as ``progress(done, total, result)``. ``preload``
    is passed to the workers' kernel pools (see :class:`KernelPool`).
    """
    todo = list(jobs)
    modules = tuple(module_name(name) for name in preload)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    own = executor is None
    template = None
    if executor is None:
        kernel_name, cwd = _first_kernel(todo)
        if forkkernel.supported() and todo:  # one template for all workers: the imports are paid once
            template = KernelTemplate(kernel_environment(), Path(cwd or "."), modules)
        executor = cf.ProcessPoolExecutor(
            max_workers=min(workers, max(len(todo), 1)), mp_context=_mp_context(), initializer=_init_worker,
            initargs=(kernel_name, cwd, modules, (template.address, template.process.pid) if template else None,
                      os.getpid()))
    results: list[JobResult[T] | None] = [None] * len(todo)
    finished = False
    try:
        # The last job each worker runs needs no successor kernel.
        futures = {executor.submit(_run_job, index, job, index < len(todo) - workers, modules): index
                   for index, job in enumerate(todo)}
        for done, future in enumerate(cf.as_completed(futures), start=1):
            index = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the worker died, or the job could not be sent to it
                result = JobResult(index, todo[index], False, None, error, f"{type(error).__name__}: {error}")
            results[index] = result
            if progress is not None:
                progress(done, len(todo), result)
        finished = True
    finally:
        if own:
            if not finished:  # Ctrl-C or an error here: stop the workers now, not after their current packs
                _kill_workers(executor)
            executor.shutdown(wait=finished, cancel_futures=True)
        if template is not None:
            template.close()
    return [result for result in results if result is not None]


def _kill_workers(executor: cf.Executor) -> None:
    """Kill a process pool's workers at once (their kernels follow: see kebao.guard); other executors are left."""
    processes = getattr(executor, "_processes", None) or {}  # ProcessPoolExecutor's; no public way to reach them
    for process in list(processes.values()):
        try:
            process.kill()
        except (OSError, ValueError, AttributeError):
            continue
