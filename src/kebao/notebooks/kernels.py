"""Kernels: fresh for every notebook, launched before they are needed, forked from a warm template.

Every notebook gets a fresh kernel (no state leaks between packs: ``%reset``
keeps imported modules and matplotlib settings). What we save is the waiting:
:class:`KernelPool` launches the *next* kernel while the current notebook runs,
so its start-up overlaps useful work, forks it from a :class:`KernelTemplate`
that has already imported what notebooks need (:mod:`.forkkernel`), and kills
kernels immediately instead of the graceful shutdown (~0.5 s) nobody needs
after a notebook.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotebookError
from . import forkkernel

if TYPE_CHECKING:  # pragma: no cover
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

# Deterministic packs: set and dict-of-str iteration order in the kernel does not vary between runs,
# and tools that stamp files (matplotlib's PDF/PS writers, …) use 1980-01-01 instead of now.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "315532800"}


def kernel_environment() -> dict[str, str]:
    """This process's environment with :data:`KERNEL_ENV` where unset, and the hash seed always 0: dask's
    nannies put PYTHONHASHSEED=6640 into the environment of the process that starts them (a LocalCluster's
    client), and a kernel started after that must still iterate sets as every other kernel does."""
    return {**KERNEL_ENV, **os.environ, "PYTHONHASHSEED": KERNEL_ENV["PYTHONHASHSEED"]}
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
    variables not already set; the hash seed always: :func:`kernel_environment`)
    plus ``env``. ``preload`` names modules (e.g. ``pandas``, ``matplotlib.pyplot``)
    that an IPython kernel imports while it boots, so a pre-started kernel has them ready; no name is bound, but the
    modules are imported before the notebook runs (opt-in for that reason).
    """

    def __init__(self, *, prestart: bool = True, env: Mapping[str, str] | None = None,
                 preload: Iterable[str] = (), fork: bool = True, template: tuple[str, int] | None = None):
        self.prestart = prestart
        self.env = dict(env or {})
        self.preload = [module_name(name) for name in preload]
        self.fork = fork and forkkernel.supported()
        self.template = template  # (address, pid) of a template shared with other pools (see run_batch)
        self._template: KernelTemplate | None = None  # or one of its own, started on first use
        self._ready: tuple[str, Path, AsyncKernelManager] | None = None
        self._closed = False
        self.started_ahead = 0  # kernels handed out that had been launched before they were asked for
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
            raise NotebookError("this kernel pool is closed")
        where = Path(cwd).resolve()
        ready, self._ready = self._ready, None
        if ready is not None and ready[:2] == (kernel_name, where) and _alive(ready[2]):
            km = ready[2]
            self.started_ahead += 1
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
        env = {**kernel_environment(), **self.env}
        km = AsyncKernelManager(kernel_name=kernel_name, kernel_spec_manager=self._specs(env, cwd),
                                **_ipc_address())
        try:
            # As nbclient does for kernels it starts: no shared history database to lock and write.
            extra = ["--HistoryManager.hist_file=:memory:"] if km.ipykernel else []
            if km.ipykernel:  # imported while the kernel boots; binds no name in the notebook's namespace
                extra += [f"--IPKernelApp.exec_lines=__import__({name!r}) and None" for name in self.preload]
            _run_sync(km.start_kernel, cwd=str(cwd), env=env, extra_arguments=extra)
        except NoSuchKernel:
            raise NotebookError(f"no Jupyter kernel named {kernel_name!r} is installed",
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
    """A process that imports ``modules`` once and forks kernels (see :mod:`kebao.notebooks.forkkernel`).

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
        command = [sys.executable, "-m", "kebao.notebooks.forkkernel", "template", self.address, str(os.getpid()),
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


def module_name(name: str) -> str:
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
