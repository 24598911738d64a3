"""Run one parameterised notebook with papermill, and judge its success ourselves.

papermill 2.7 marks every cell "completed" after a cell timeout or a dead
kernel, treats ``sys.exit(0)`` as success, never validates parameter names and
formats output paths with the parameters. So kebao:

1. checks the parameters against the notebook's ``parameters`` cell before any
   kernel starts (:func:`kebao.notebooks.parameters.check_parameters`);
2. injects them exactly as papermill does (an ``injected-parameters`` cell) but
   drives papermill's execution manager and notebook client itself, so no path
   ever goes through ``str.format``;
3. enforces a wall-clock limit for the whole notebook (nbclient has none): a
   watchdog interrupts the kernel at the deadline and kills it shortly after;
4. judges the executed notebook: an exception, an error output, a code cell
   without an execution count, a timeout or a dead kernel is a failure,
   raised as :class:`~kebao.errors.NotebookFailed` after the partial notebook is written.
"""

from __future__ import annotations

import importlib
import logging
import math
import os
import re
import signal
import threading
import traceback as tb
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from ..atomic import write_atomic
from ..errors import NotebookError, NotebookFailed, first_line
from .kernels import KernelPool, end_thread_kernels
from .parameters import check_parameters

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

_LOG = logging.getLogger("kebao.notebooks.run")
_LOG.addHandler(logging.NullHandler())  # nbclient logs kernel deaths; a library never prints them
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_SKIP_TAG = "skip-execution"  # nbclient's default skip_cells_with_tag


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)


# -- execution ----------------------------------------------------------------


class _WallClock(Exception):
    """Raised from a cell hook to stop a notebook that has run out of time between cells."""


class _Watchdog:
    """Interrupts, then kills, the kernel when the notebook's wall-clock limit passes."""

    def __init__(self, km: Any, limit: float, grace: float = 1.0):
        self.km = km
        self.limit = limit
        self.grace = grace
        self.fired = False
        self.current: int | None = None  # index of the code cell last sent to the kernel
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="kebao-notebook-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def on_cell_execute(self, cell: Any, cell_index: int) -> None:
        if self.fired:
            raise _WallClock
        self.current = cell_index

    def _watch(self) -> None:
        if self._done.wait(self.limit):
            return
        self.fired = True
        _signal_kernel(self.km, kill=False)
        if not self._done.wait(self.grace):
            _signal_kernel(self.km, kill=True)


def _signal_kernel(km: Any, *, kill: bool) -> None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is None or process.poll() is not None:
        return
    try:
        process.kill() if kill or os.name == "nt" else process.send_signal(signal.SIGINT)  # KeyboardInterrupt
    except OSError:  # already gone
        pass


def _papermill() -> SimpleNamespace:
    """The parts of papermill we drive (imported on first use: papermill is untyped and not light)."""
    modules = {name: importlib.import_module(f"papermill.{name}")
               for name in ("clientwrap", "engines", "execute", "iorw", "parameterize", "utils")}
    return SimpleNamespace(
        PapermillNotebookClient=modules["clientwrap"].PapermillNotebookClient,
        NotebookExecutionManager=modules["engines"].NotebookExecutionManager,
        prepare_notebook_metadata=modules["execute"].prepare_notebook_metadata,
        remove_error_markers=modules["execute"].remove_error_markers,
        load_notebook_node=modules["iorw"].load_notebook_node,
        parameterize_notebook=modules["parameterize"].parameterize_notebook,
        nb_kernel_name=modules["utils"].nb_kernel_name)


def execute_notebook(source: Path, output: Path, parameters: Mapping[str, Any], *, cwd: Path,
                     timeout: float, cell_timeout: float | None = None,
                     kernel: KernelPool | None = None) -> NotebookNode:
    """Run ``source`` with ``parameters`` in a fresh kernel started in ``cwd``; write it to ``output``.

    ``timeout`` limits the whole run in wall-clock seconds, ``cell_timeout``
    each cell. ``kernel`` is a :class:`~kebao.notebooks.kernels.KernelPool` whose
    pre-started kernel is used (and which starts the next one meanwhile);
    without one, a kernel is started for this notebook alone. Either way the
    kernel is killed afterwards. Raises ParameterError before starting a
    kernel, and NotebookFailed (after writing the partial notebook) on failure.
    """
    source, output, cwd = Path(source), Path(output), Path(cwd)
    checked = check_parameters(source, parameters)
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    pm = _papermill()
    nb = pm.load_notebook_node(str(source))  # never through parameterize_path: no str.format on paths
    try:
        kernel_name: str = pm.nb_kernel_name(nb)
    except ValueError:
        raise NotebookError(f"{source}: the notebook names no kernel (metadata.kernelspec.name)") from None
    if checked:
        nb = pm.parameterize_notebook(nb, checked, kernel_name=kernel_name)
    nb = pm.remove_error_markers(pm.prepare_notebook_metadata(nb, str(source), str(output)))
    manager = pm.NotebookExecutionManager(nb, output_path=None, progress_bar=False, autosave_cell_every=0)

    pool = kernel if kernel is not None else KernelPool(prestart=False)
    km = pool.acquire(kernel_name, cwd)
    error: BaseException | None = None
    watchdog = _Watchdog(km, timeout)
    client: Any = None
    try:
        client = pm.PapermillNotebookClient(
            manager, km=km, kernel_name=kernel_name, startup_timeout=math.ceil(min(timeout, 60.0)),
            timeout_func=lambda cell: cell_timeout, log=_LOG, on_cell_execute=watchdog.on_cell_execute,
            shutdown_kernel="immediate")
        manager.notebook_start()
        with watchdog:
            client.execute()
    except Exception as caught:  # judged below: every failure becomes NotebookFailed
        error = caught
    finally:
        manager.notebook_complete()
        if client is not None and client.kc is not None:
            client.kc.stop_channels()
        pool.release(km)
        if kernel is None:
            pool.close()
            end_thread_kernels()  # outside the main thread, close the event loop kernels need
    nb = cast("NotebookNode", manager.nb)
    failure = _judge(nb, error, watchdog, source, checked, output, timeout, cell_timeout)
    if failure is not None:
        _mark_failure(nb, failure)
    _write_notebook(nb, output)
    if failure is not None:
        raise failure
    return nb


def _judge(nb: NotebookNode, error: BaseException | None, watchdog: _Watchdog, source: Path,
           parameters: Mapping[str, Any], output: Path, timeout: float,
           cell_timeout: float | None) -> NotebookFailed | None:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    def failed(index: int | None, ename: str, evalue: str, trace: str = "") -> NotebookFailed:
        cell = nb.cells[index] if index is not None else None
        if cell is not None and not trace:
            trace = next((strip_ansi("\n".join(out.get("traceback", []))) for out in cell.get("outputs", [])
                          if out.get("output_type") == "error"), "")
        count = cell.get("execution_count") if cell is not None else None
        return NotebookFailed(source, parameters, cell_index=index, execution_count=count, ename=ename,
                              evalue=evalue, traceback=trace, output=output)

    if watchdog.fired:
        return failed(watchdog.current, "NotebookTimeout",
                      f"the notebook ran past its wall-clock limit of {timeout:g} s")
    if isinstance(error, CellTimeoutError):  # the cell's own limit, or no output for nbclient's iopub_timeout
        limit = f"its limit of {cell_timeout:g} s" if cell_timeout else "nbclient's limit"
        return failed(watchdog.current, "CellTimeout", f"the cell ran past {limit}: {first_line(str(error))}")
    if isinstance(error, DeadKernelError):
        return failed(watchdog.current, "DeadKernel",
                      "the kernel died while running this cell (os._exit, a crash, or out of memory)")
    if error is not None:
        trace = strip_ansi("".join(tb.format_exception(error)))
        return failed(watchdog.current, type(error).__name__, str(error), trace)
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return failed(index, str(out.get("ename", "Error")), strip_ansi(str(out.get("evalue", ""))))
        runs = cell.get("source", "").strip() and _SKIP_TAG not in cell.get("metadata", {}).get("tags", [])
        if runs and cell.get("execution_count") is None:
            return failed(index, "CellNotRun", "the cell was never executed (the kernel stopped before it)")
    return None


def _mark_failure(nb: NotebookNode, failure: NotebookFailed) -> None:
    """Make the written notebook tell the truth: papermill marked every cell completed."""
    new_output: Any = importlib.import_module("nbformat.v4").new_output

    nb.metadata.setdefault("papermill", {})["exception"] = True
    index = failure.cell_index
    for position, cell in enumerate(nb.cells):
        status = cell.metadata.get("papermill")
        if status is None or index is None or position < index:
            continue
        if position == index:
            status.update(status="failed", exception=True)
            if cell.get("cell_type") == "code" and not any(
                    out.get("output_type") == "error" for out in cell.get("outputs", [])):
                cell.outputs.append(new_output("error", ename=failure.ename, evalue=failure.evalue,
                                               traceback=[f"{failure.ename}: {failure.evalue}"]))
        elif cell.get("execution_count") is None:
            status.update(status="pending", start_time=None, end_time=None, duration=None)


def _write_notebook(nb: NotebookNode, output: Path) -> None:
    text: str = importlib.import_module("nbformat").writes(nb)
    write_atomic(output, text if text.endswith("\n") else text + "\n")  # as nbformat.write
