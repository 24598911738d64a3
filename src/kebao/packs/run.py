"""Run one parameterised notebook with papermill, and judge its success ourselves.

papermill 2.7 marks every cell "completed" after a cell timeout or a dead
kernel, treats ``sys.exit(0)`` as success, never validates parameter names and
formats output paths with the parameters. So kebao:

1. checks the parameters against the notebook's ``parameters`` cell before any
   kernel starts (:func:`check_parameters`);
2. injects them exactly as papermill does (an ``injected-parameters`` cell) but
   drives papermill's execution manager and notebook client itself, so no path
   ever goes through ``str.format``;
3. enforces a wall-clock limit for the whole notebook (nbclient has none): a
   watchdog interrupts the kernel at the deadline and kills it shortly after;
4. judges the executed notebook: an exception, an error output, a code cell
   without an execution count, a timeout or a dead kernel is a failure,
   raised as :class:`NotebookFailed` after the partial notebook is written.

Errors::

    PackError (KebaoError)     a course pack could not be built (exit code 1)
    ├── ParameterError         an undeclared parameter, a bad name or a bad value (exit code 2)
    └── NotebookFailed         a cell raised, timed out, exited, or killed its kernel (exit code 1)
"""

from __future__ import annotations

import ast
import difflib
import importlib
import json
import keyword
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

from ..errors import KebaoError

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

    from .kernels import KernelPool

_LOG = logging.getLogger("kebao.packs.run")
_LOG.addHandler(logging.NullHandler())  # nbclient logs kernel deaths; a library never prints them
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_SKIP_TAG = "skip-execution"  # nbclient's default skip_cells_with_tag
_MAX_DEPTH = 32


def _restore(cls: type[PackError], args: tuple[Any, ...], state: dict[str, Any]) -> PackError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class PackError(KebaoError):
    """A course pack could not be built."""

    exit_code = 1

    def __reduce__(self) -> tuple[Any, ...]:
        # Batch runs send errors between processes; our __init__ signatures differ from ``args``.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class ParameterError(PackError):
    """A parameter the notebook does not declare, a name that is not an identifier, or a bad value."""

    exit_code = 2

    def __init__(self, notebook: Path, name: str, message: str, hint: str = ""):
        self.notebook = notebook
        self.name = name
        self.hint = hint
        super().__init__(f"{notebook.name}: parameter {name!r}: {message}" + (f" ({hint})" if hint else ""))


class NotebookFailed(PackError):
    """A notebook failed; the fields say where and why, ``output`` holds the partial notebook."""

    def __init__(self, notebook: Path, parameters: Mapping[str, Any], *, cell_index: int | None,
                 execution_count: int | None, ename: str, evalue: str, traceback: str,
                 output: Path | None = None):
        self.notebook = notebook
        self.parameters = dict(parameters)
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback
        self.output = output
        where = "before its first cell" if cell_index is None else f"in cell {cell_index}"
        if execution_count is not None:
            where += f" (In [{execution_count}])"
        reason = ename + (f": {_first_line(evalue)}" if evalue.strip() else "")
        super().__init__(f"notebook {notebook.name} failed {where}: {reason}; parameters: "
                         f"{_short(self.parameters)}")


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _short(parameters: Mapping[str, Any], limit: int = 240) -> str:
    text = ", ".join(f"{name}={value!r}" for name, value in parameters.items()) or "(none)"
    return _first_line(text.replace("\n", "\\n"), limit)


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython colours its tracebacks)."""
    return _ANSI.sub("", text)


# -- parameters ---------------------------------------------------------------


def declared_parameters(notebook_path: Path) -> dict[str, Any]:
    """Names and default values assigned in the notebook's cell tagged ``parameters``.

    The cell may hold ``name = literal`` and ``name: type = literal`` lines,
    comments, imports and blank lines; a default that is not a literal (a call,
    a name) is an error, because papermill can only inject literals.
    """
    notebook_path = Path(notebook_path)
    try:
        document = json.loads(notebook_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PackError(f"cannot read notebook {notebook_path}: {error}") from error
    cell = next((cell for cell in document.get("cells", [])
                 if "parameters" in cell.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise PackError(f"{notebook_path}: the parameters cell is not valid Python "
                        f"(line {error.lineno}: {error.msg})") from error
    defaults: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr, ast.Pass)):
            continue
        else:
            raise PackError(f"{notebook_path}: line {node.lineno} of the parameters cell is not a "
                            "'name = literal' assignment; keep logic out of the parameters cell")
        try:
            defaults[name] = ast.literal_eval(value)
        except ValueError:
            raise PackError(f"{notebook_path}: parameter {name!r} (line {node.lineno} of the parameters cell) "
                            "needs a literal default such as a string, number, list or None") from None
    return defaults


def check_parameters(notebook_path: Path, values: Mapping[str, Any]) -> dict[str, Any]:
    """The ``values`` that ``notebook_path`` declares, checked; raise ParameterError otherwise.

    Names must be Python identifiers declared in the parameters cell (papermill
    would inject any text as code); values must be JSON-like: str, int, finite
    float, bool, None, and lists and str-keyed dicts of those. A value must
    also be of the same kind as a non-None default (text, number, true/false,
    list, table). Returns the values in the order the notebook declares them.
    """
    notebook_path = Path(notebook_path)
    declared = declared_parameters(notebook_path)
    for name in values:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ParameterError(notebook_path, str(name), "is not a Python identifier",
                                 "parameter names are letters, digits and underscores")
        if name not in declared:
            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f"did you mean {close[0]!r}?" if close else ""
            known = ", ".join(sorted(declared)) or "none"
            raise ParameterError(notebook_path, name, "is not declared in the notebook's parameters cell",
                                 (hint + " " if hint else "") + f"declared: {known}")
    for name, value in values.items():
        problem = _value_problem(value, 0)
        if problem:
            raise ParameterError(notebook_path, name, problem,
                                 "pass text, numbers, true/false, null, lists or tables; dates as 'YYYY-MM-DD'")
        default = declared[name]
        if default is not None and value is not None and _kind(default) != _kind(value):
            raise ParameterError(notebook_path, name, f"expects {_kind(default)} like its default "
                                 f"{default!r}, not {_kind(value)} {value!r}")
    return {name: values[name] for name in declared if name in values}


def _value_problem(value: object, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return f"is nested more than {_MAX_DEPTH} levels deep"
    kind = type(value)  # exact types: a subclass could repr itself as code
    if value is None or kind in (str, bool, int):
        return None
    if kind is float:
        return None if math.isfinite(value) else f"{value!r} is not a finite number"  # type: ignore[arg-type]
    if kind is list:
        return next((p for item in value if (p := _value_problem(item, depth + 1))), None)  # type: ignore[attr-defined]
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                return f"has a non-text key {key!r}"
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
        return None
    return f"has a value of type {kind.__name__}, which a notebook parameter cannot hold"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "a table" if isinstance(value, dict) else type(value).__name__


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
    each cell. ``kernel`` is a :class:`~kebao.packs.kernels.KernelPool` whose
    pre-started kernel is used (and which starts the next one meanwhile);
    without one, a kernel is started for this notebook alone. Either way the
    kernel is killed afterwards. Raises ParameterError before starting a
    kernel, and NotebookFailed (after writing the partial notebook) on failure.
    """
    from .kernels import KernelPool, end_thread_kernels

    source, output, cwd = Path(source), Path(output), Path(cwd)
    checked = check_parameters(source, parameters)
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    pm = _papermill()
    nb = pm.load_notebook_node(str(source))  # never through parameterize_path: no str.format on paths
    try:
        kernel_name: str = pm.nb_kernel_name(nb)
    except ValueError:
        raise PackError(f"{source}: the notebook names no kernel (metadata.kernelspec.name)") from None
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
        return failed(watchdog.current, "CellTimeout", f"the cell ran past {limit}: {_first_line(str(error))}")
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
    write: Any = importlib.import_module("nbformat").write
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        write(nb, handle)
    os.replace(partial, output)
