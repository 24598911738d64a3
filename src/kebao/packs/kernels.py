"""Kernels started before they are needed, and batches of notebooks run in worker processes.

Every notebook gets a fresh kernel (no state leaks between packs: ``%reset``
keeps imported modules and matplotlib settings). What we save is the waiting:
:class:`KernelPool` launches the *next* kernel while the current notebook runs,
so its ~1.3 s start-up overlaps useful work, and kills kernels immediately
instead of the graceful shutdown (~0.5 s) nobody needs after a notebook.

:func:`run_batch` runs independent jobs on any ``concurrent.futures``
executor: a process pool by default (each worker keeps its imports and its own
kernel pool), a thread pool, or e.g. ``dask.distributed``'s
``Client.get_executor()``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures as cf
import functools
import importlib
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import forkkernel
from .run import PackError

if TYPE_CHECKING:  # pragma: no cover
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

T = TypeVar("T")
# Deterministic packs: set and dict-of-str iteration order in the kernel does not vary between runs,
# and tools that stamp files (matplotlib's PDF/PS writers, …) use 1980-01-01 instead of now.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "315532800"}
_ALL_POOLS: list[KernelPool] = []
_LOCAL = threading.local()
_FINALIZER: object | None = None


def _run_sync(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from jupyter_core.utils import run_sync

    return run_sync(method)(*args, **kwargs)


class KernelPool:
    """Hands out fresh, already-launched kernels; kills each one after use.

    ``acquire`` returns a launched kernel and, when ``prestart`` is true,
    launches the next one with the same kernel name and working directory, so
    it boots while the current notebook runs. A pool belongs to one thread
    (jupyter_client's asyncio objects are bound to the thread's event loop).

    Kernels inherit this process's environment plus :data:`KERNEL_ENV` (for
    variables not already set) plus ``env``. ``preload`` names modules (e.g.
    ``pandas``, ``matplotlib.pyplot``) that an IPython kernel imports while it
    boots, so a pre-started kernel has them ready; no name is bound, but the
    modules are imported before the notebook runs (opt-in for that reason).
    """

    def __init__(self, *, prestart: bool = True, env: Mapping[str, str] | None = None,
                 preload: Iterable[str] = (), fork: bool = True, template: tuple[str, int] | None = None):
        self.prestart = prestart
        self.env = dict(env or {})
        self.preload = [_module_name(name) for name in preload]
        self.fork = fork and forkkernel.supported()
        self.template = template  # (address, pid) of a template shared with other pools (see run_batch)
        self._template: KernelTemplate | None = None  # or one of its own, started on first use
        self._ready: tuple[str, Path, AsyncKernelManager] | None = None
        self._closed = False
        _ALL_POOLS.append(self)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warm(self, kernel_name: str = "python3", cwd: Path | None = None) -> None:
        """Launch a kernel now, for a notebook that will be run later with the same name and cwd."""
        if self._ready is None:
            where = Path(cwd or Path.cwd()).resolve()
            self._ready = (kernel_name, where, self._launch(kernel_name, where))

    def acquire(self, kernel_name: str, cwd: Path) -> AsyncKernelManager:
        """A launched kernel running in ``cwd``; the caller gives it back with :meth:`release`."""
        if self._closed:
            raise PackError("this kernel pool is closed")
        where = Path(cwd).resolve()
        ready, self._ready = self._ready, None
        if ready is not None and ready[:2] == (kernel_name, where) and _alive(ready[2]):
            km = ready[2]
        else:
            if ready is not None:
                self.release(ready[2])
            km = self._launch(kernel_name, where)
        if self.prestart:
            self._ready = (kernel_name, where, self._launch(kernel_name, where))
        return km

    def release(self, km: AsyncKernelManager) -> None:
        """Kill ``km`` now (a notebook's kernel holds nothing worth a graceful shutdown)."""
        try:
            _run_sync(km.shutdown_kernel, now=True)
        except Exception:  # already dead, or its event loop is gone: make sure the process is
            process = getattr(getattr(km, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()

    def close(self) -> None:
        """Kill the pre-started kernel, if any."""
        self._closed = True
        ready, self._ready = self._ready, None
        if ready is not None:
            self.release(ready[2])
        template, self._template = self._template, None
        if template is not None:
            template.close()
        if self in _ALL_POOLS:
            _ALL_POOLS.remove(self)

    def _launch(self, kernel_name: str, cwd: Path) -> AsyncKernelManager:
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets where we can: faster than TCP, unreachable from the network, and the
        # kernel then has no reason to warn on stderr about unencrypted TCP.
        env = {**KERNEL_ENV, **os.environ, **self.env}
        km = AsyncKernelManager(kernel_name=kernel_name, kernel_spec_manager=self._specs(env, cwd),
                                **_ipc_address())
        try:
            # As nbclient does for kernels it starts: no shared history database to lock and write.
            extra = ["--HistoryManager.hist_file=:memory:"] if km.ipykernel else []
            if km.ipykernel:  # imported while the kernel boots; binds no name in the notebook's namespace
                extra += [f"--IPKernelApp.exec_lines=__import__({name!r}) and None" for name in self.preload]
            _run_sync(km.start_kernel, cwd=str(cwd), env=env, extra_arguments=extra)
        except NoSuchKernel:
            raise PackError(f"no Jupyter kernel named {kernel_name!r} is installed",
                            ) from None
        return km


    def _specs(self, env: Mapping[str, str], cwd: Path) -> KernelSpecManager:
        """Kernel specs that fork kernels from this pool's template process, when that is possible."""
        from jupyter_client.kernelspec import KernelSpecManager

        if not self.fork:
            return KernelSpecManager()
        if self.template is not None and os.path.exists(self.template[0]):
            return _forked_specs_class()(address=self.template[0], template=self.template[1])
        if self._template is None or not self._template.alive():
            if self._template is not None:  # it died: kernels are started the usual way from now on
                self._template.close()
                self.fork = False
                return KernelSpecManager()
            self._template = KernelTemplate(env, cwd, self.preload)
        return _forked_specs_class()(address=self._template.address, template=self._template.process.pid)


class KernelTemplate:
    """A process that imports ``modules`` once and forks kernels (see :mod:`kebao.packs.forkkernel`).

    It serves any number of kernel pools, in this process or others, through
    the socket at ``address``; it ends with :meth:`close` or with this process.
    Its environment should be the one the kernels get: variables read when
    Python starts (``PYTHONHASHSEED``) or at import time come from here.
    """

    def __init__(self, env: Mapping[str, str], cwd: Path, modules: Iterable[str]):
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder = Path(tempfile.mkdtemp(prefix="kebao-fork-", dir=runtime))
        self.address = str(self.folder / "socket")
        command = [sys.executable, "-m", "kebao.packs.forkkernel", "template", self.address, str(os.getpid()),
                   *modules]
        self.process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _forked_spec(spec: KernelSpec, address: str, template: int) -> KernelSpec:
    """``spec`` launched through the fork template, if it is an IPython kernel of this very Python."""
    argv = list(spec.argv)
    if len(argv) < 3 or argv[1:3] != ["-m", "ipykernel_launcher"]:
        return spec
    # As jupyter_client does: a bare "python"/"python3"/"python3.11" means this interpreter.
    names = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    python = sys.executable if argv[0] in names else shutil.which(argv[0])
    if python is None or Path(python).parent != Path(sys.executable).parent \
            or not os.path.samefile(python, sys.executable):
        return spec  # another Python (another environment): its own imports, not ours
    launcher = [sys.executable, "-I", "-S", forkkernel.__file__, "launch", address, str(template), *argv[3:]]
    return type(spec)(**{**spec.to_dict(), "argv": launcher, "resource_dir": spec.resource_dir})


@functools.cache
def _forked_specs_class() -> type[KernelSpecManager]:
    """The usual kernel specs, with IPython kernels launched through a template (defined late: lazy imports)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets import Integer, Unicode

    class ForkedSpecs(KernelSpecManager):
        address = Unicode()
        template = Integer()

        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return _forked_spec(super().get_kernel_spec(kernel_name), self.address, self.template)

    return ForkedSpecs


def _module_name(name: str) -> str:
    if not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"{name!r} is not a module name")
    return name


def _ipc_address() -> dict[str, str]:
    if os.name == "nt":
        return {}
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
    address = runtime / f"kebao-{uuid.uuid4().hex[:12]}-ipc"  # absolute: the kernel runs in another cwd
    return {"transport": "ipc", "ip": str(address)} if len(str(address)) < 96 else {}


def _alive(km: AsyncKernelManager) -> bool:
    try:
        return bool(_run_sync(km.is_alive))
    except Exception:
        return False


def _close_all_pools() -> None:
    for pool in list(_ALL_POOLS):
        try:
            pool.close()
        except Exception:  # at exit, best effort: kernels also exit when their parent dies
            pass


atexit.register(_close_all_pools)


def worker_pool() -> KernelPool:
    """This thread's kernel pool, created on first use and closed when the process exits."""
    pool: KernelPool | None = getattr(_LOCAL, "pool", None)
    if pool is None or pool._closed:
        pool = _LOCAL.pool = KernelPool()
        global _FINALIZER
        if _FINALIZER is None and multiprocessing.parent_process() is not None:  # workers skip atexit
            from multiprocessing.util import Finalize

            _FINALIZER = Finalize(None, _close_all_pools, exitpriority=10)
    return pool


# -- batches --------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: a picklable, zero-argument callable returning its output path."""

    source: Path
    output: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)
    cwd: Path = Path(".")
    timeout: float = 600.0
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
        from .run import execute_notebook

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


class JobError(PackError):
    """A job failed with an exception that could not travel back from its worker."""


def _picklable(error: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return JobError(f"{type(error).__name__}: {error}")
    return error


def end_thread_kernels() -> None:
    """In a thread other than the main one: kill this thread's kernels and close its event loop.

    jupyter_client's asyncio objects live on a per-thread loop, which must be
    closed before an executor's thread ends, or it leaks sockets.
    """
    if threading.current_thread() is threading.main_thread():
        return
    pool: KernelPool | None = getattr(_LOCAL, "pool", None)
    _LOCAL.pool = None
    if pool is not None:
        pool.close()
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)


def _run_job(index: int, job: Callable[[], T], prestart_next: bool, preload: tuple[str, ...]) -> JobResult[T]:
    start = time.perf_counter()
    in_thread = threading.current_thread() is not threading.main_thread()
    pool = worker_pool()
    pool.preload = [_module_name(name) for name in preload]
    pool.prestart = prestart_next and not in_thread  # a thread may end any time: keep nothing running
    try:
        value = job()
    except Exception as error:
        text = "".join(traceback.format_exception(error)) if not isinstance(error, PackError) else str(error)
        return JobResult(index, job, False, None, _picklable(error), text, time.perf_counter() - start)
    finally:
        pool.prestart = True
        if in_thread:
            end_thread_kernels()
    return JobResult(index, job, True, value, None, "", time.perf_counter() - start)


_WORKER_IMPORTS = ("kebao.packs.run", "papermill.clientwrap", "papermill.engines", "papermill.execute",
                   "papermill.iorw", "papermill.parameterize", "nbformat.v4")


def _init_worker(kernel_name: str | None, cwd: str | None, preload: tuple[str, ...],
                 template: tuple[str, int] | None = None) -> None:
    """Launch the worker's first kernel at once, then import the notebook machinery while it boots."""
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
    context.set_forkserver_preload(["__main__", "kebao.packs.kernels", *_WORKER_IMPORTS])
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
    modules = tuple(_module_name(name) for name in preload)
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    own = executor is None
    template = None
    if executor is None:
        kernel_name, cwd = _first_kernel(todo)
        if forkkernel.supported() and todo:  # one template for all workers: the imports are paid once
            template = KernelTemplate({**KERNEL_ENV, **os.environ}, Path(cwd or "."), modules)
        executor = cf.ProcessPoolExecutor(
            max_workers=min(workers, max(len(todo), 1)), mp_context=_mp_context(), initializer=_init_worker,
            initargs=(kernel_name, cwd, modules, (template.address, template.process.pid) if template else None))
    results: list[JobResult[T] | None] = [None] * len(todo)
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
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
        if template is not None:
            template.close()
    return [result for result in results if result is not None]


def default_workers() -> int:
    """A sensible worker count: the CPUs this process may use, at most 8."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, 8))
