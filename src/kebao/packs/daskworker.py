"""What a dask worker keeps for kebao while it lives: the imports, one kernel template, one pre-starting pool.

:class:`KebaoWorker` is the worker plugin :class:`kebao.packs.distributed.DaskPacks` registers on every worker
of a batch. Its ``setup``:

1. imports kebao's pack code and papermill's modules once (the first pack does not pay for them);
2. starts the worker's kernel template (:class:`~kebao.notebooks.kernels.KernelTemplate`: the notebook's
   modules imported once, every kernel forked from it);
3. starts a thread of its own, ``kebao-kernels``, holding one :class:`~kebao.notebooks.kernels.KernelPool`
   with pre-start for the plugin's whole life, and launches the first pack's kernel at once.

Every pack the worker receives is built on that thread (:meth:`KebaoWorker.build`): each pack still gets a
fresh kernel, never reused and killed after use, but one launched while the previous pack ran, as on a local
batch worker (:mod:`kebao.notebooks.batch`). Why a thread of its own: a pool's kernel managers belong to the
event loop of the thread that made them (jupyter_client), and dask promises no particular executor thread to
a task; so the pool, its loop and its kernels stay on one thread and the task's thread waits for it. Packs on
one worker are therefore built one at a time: start one worker process per pack at once (``--nthreads 1``).

``teardown`` (the batch is over, the next batch replaces the plugin, or the worker closes) kills the template
first, which ends every kernel forked from it at once (a kernel exits with its launcher, a launcher with the
template: :mod:`kebao.notebooks.forkkernel`), then closes the pool and its event loop on their thread. A
worker that is killed takes its template with it (the template watches its parent), and so its kernels.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from distributed.diagnostics.plugin import WorkerPlugin

from .build import KERNEL_PRELOAD, DecidedPack, PackOutcome, build_decided

if TYPE_CHECKING:  # pragma: no cover
    from ..notebooks.kernels import KernelPool, KernelTemplate

PLUGIN = "kebao"
KERNEL = "python3"  # the kernel a pack's notebook and its cases run in (DecidedPack.kernel_hint)


class KebaoWorker(WorkerPlugin):
    """A dask worker plugin: kebao imported, one kernel template and one pre-starting kernel pool per worker."""

    name = PLUGIN
    _here: ClassVar[KebaoWorker | None] = None  # the plugin set up in this process

    def __init__(self, root: str, preload: Sequence[str] = KERNEL_PRELOAD):
        self.root = root
        self.preload = tuple(preload)
        self._template: KernelTemplate | None = None
        self._thread: cf.ThreadPoolExecutor | None = None
        self._pool: KernelPool | None = None

    @classmethod
    def here(cls) -> KebaoWorker | None:
        """The plugin set up in this worker process (None outside a kebao batch's worker)."""
        return cls._here

    def setup(self, worker: Any = None) -> None:
        from ..notebooks import forkkernel
        from ..notebooks.batch import _WORKER_IMPORTS
        from ..notebooks.kernels import KernelTemplate, kernel_environment

        for module in ("kebao.packs.build", "kebao.packs.files", *_WORKER_IMPORTS):
            importlib.import_module(module)
        root = Path(self.root)
        if forkkernel.supported() and root.is_dir():
            self._template = KernelTemplate(kernel_environment(), root, self.preload)
        self._thread = cf.ThreadPoolExecutor(1, thread_name_prefix="kebao-kernels")
        if root.is_dir():  # the first pack's kernel boots while the client checks the workers and sends packs
            self._thread.submit(self._open_pool)  # a failure here shows when a pack asks for its kernel
        KebaoWorker._here = self

    def build(self, job: DecidedPack, *, more: bool = True) -> PackOutcome:
        """Build ``job`` with the worker's pool, on its thread; ``more``: pre-start a kernel for a next pack."""
        if self._thread is None:
            raise RuntimeError("the kebao worker plugin is not set up")
        return self._thread.submit(self._build, job, more).result()

    def started_ahead(self) -> int:
        """How many kernels this worker's packs got already running (launched before they were asked for)."""
        return self._pool.started_ahead if self._pool is not None else 0

    def teardown(self, worker: Any = None) -> None:
        if KebaoWorker._here is self:
            KebaoWorker._here = None
        template, self._template = self._template, None
        if template is not None:  # killed, not asked (unwinding its imports took seconds under load): its
            template.process.kill()  # kernels end with it, a pack still running on the thread included
            template.close()
        thread, self._thread = self._thread, None
        if thread is not None:
            closing = thread.submit(self._close_pool)
            with contextlib.suppress(Exception):  # not done in time: its kernels are gone with the template
                closing.result(timeout=10)
            thread.shutdown(wait=False)

    # -- on the kebao-kernels thread ------------------------------------------------------------------------

    def _open_pool(self) -> KernelPool:
        from ..notebooks.kernels import KernelPool

        if self._pool is None:
            template = self._template
            address = (template.address, template.process.pid) if template is not None and template.alive() \
                else None
            self._pool = KernelPool(prestart=True, preload=self.preload, template=address)
            self._pool.warm(KERNEL, Path(self.root).resolve())
        return self._pool

    def _build(self, job: DecidedPack, more: bool) -> PackOutcome:
        pool = self._open_pool()
        pool.prestart = more
        try:
            return build_decided(job, kernel=pool)
        finally:
            pool.prestart = True

    def _close_pool(self) -> None:
        from ..notebooks.kernels import end_thread_kernels

        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        end_thread_kernels()  # and the thread's event loop
