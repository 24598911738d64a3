"""Run every notebook and every case study with papermill, in parallel, and report each failure in full.

Notebooks in ``notebooks/`` run from the repository root (as ``kebao pack``
runs them) with their default parameters, and once more per programme when
they declare a ``programme`` parameter (the default run stands for the
programme it names). Declared parameters are read with
:func:`kebao.notebooks.parameters.declared_parameters`; a declared ``root`` is set to the
repository checked, a declared ``out`` to a fresh temporary folder, so a check
never writes into the repository.

Case studies (``cases/*.md``, MyST notebooks) are converted with jupytext and
run from ``cases/``, the folder the book runs them in, so relative data paths
work the same. A case without code cells needs no kernel.

Every run goes through :func:`kebao.notebooks.run.execute_notebook` (its failure
rules and whole-notebook wall-clock limit) as a
:class:`kebao.notebooks.batch.NotebookJob`, batched by
:func:`kebao.notebooks.batch.run_batch`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..errors import NotebookFailed
from . import CheckResult, Item, first_line, result, short_text
from .stored import notebooks

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog

Progress = Callable[[int, int], None]
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*\{code-cell\}")
_NO_SOURCE = "Could not get source, probably due dynamically evaluated source code."  # IPython, compiled frames
_CONTEXT = re.compile(r"^\s+\d+(\s|$)")  # IPython's numbered context lines around the '---->' line


@dataclass(frozen=True)
class Run:
    """One notebook run to check."""

    name: str  # the test case name: 'notebooks/x.ipynb [programme=y]', 'cases/z.md'
    file: str  # the stored file, relative to the repository: 'notebooks/x.ipynb', 'cases/z.md'
    source: Path  # the file as stored (a case's .md)
    notebook: Path  # the .ipynb that runs (a case's converted copy)
    cwd: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)


def notebook_runs(root: Path, catalog: Catalog | None, workdir: Path) -> tuple[list[Run], list[Item]]:
    """The runs of every notebook in ``notebooks/``, and a failed item for each whose parameters cannot be read."""
    from ..errors import KebaoError
    from ..notebooks.parameters import declared_parameters

    runs: list[Run] = []
    broken: list[Item] = []
    for number, path in enumerate(notebooks(root)):
        name = path.relative_to(root).as_posix()
        try:
            declared = declared_parameters(path)
        except KebaoError as error:
            broken.append(Item(name, "failed", f"{name}: {error}"))
            continue
        base: dict[str, Any] = {"root": str(root)} if "root" in declared else {}
        default = declared.get("programme")
        label = "defaults" + (f" (programme={default})" if "programme" in declared else "")
        variants: list[tuple[str, dict[str, Any]]] = [(label, base)]
        if "programme" in declared and catalog is not None:
            variants += [(f"programme={programme}", {**base, "programme": programme})
                         for programme in sorted(catalog.programmes) if programme != default]
        for index, (label, parameters) in enumerate(variants):
            if "out" in declared:
                out = workdir / f"out-{number}-{index}"
                out.mkdir(parents=True)
                parameters = {**parameters, "out": str(out)}
            runs.append(Run(f"{name} [{label}]", name, path, path, root, parameters))
    return runs, broken


def case_runs(root: Path, workdir: Path) -> tuple[list[Run], list[Item]]:
    """The runs of every case study with code cells, and items for cases that need none or cannot be read."""
    import jupytext  # type: ignore[import-untyped, unused-ignore]

    runs: list[Run] = []
    items: list[Item] = []
    folder = workdir / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((root / paths.CASES).glob("*.md")):
        name = path.relative_to(root).as_posix()
        try:
            nb = jupytext.read(path)
        except Exception as error:  # jupytext raises many kinds for a malformed file
            items.append(Item(name, "failed", f"{name}: jupytext cannot read it: {type(error).__name__}: {error}"))
            continue
        if not any(cell.cell_type == "code" and cell.source.strip() for cell in nb.cells):
            items.append(Item(name, "passed", "no code cells"))
            continue
        if not nb.metadata.get("kernelspec", {}).get("name"):  # as myst-nb: the default Python kernel
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        converted = folder / f"{path.stem}.ipynb"
        jupytext.write(nb, str(converted), fmt="ipynb")
        runs.append(Run(name, name, path, converted, path.parent))
    return runs, items


def execute(runs: Sequence[Run], workdir: Path, *, jobs: int, timeout: float,
            progress: Progress | None = None) -> list[Item]:
    """Run every notebook (``jobs`` at once); one item per run, failures described in full."""
    from ..notebooks.batch import NotebookJob, run_batch

    if not runs:
        return []
    outputs = workdir / "executed"
    batch = [NotebookJob(run.notebook, outputs / f"{index}-{run.notebook.name}", run.parameters, run.cwd, timeout)
             for index, run in enumerate(runs)]

    def report(done: int, total: int, _result: object) -> None:
        if progress is not None:
            progress(done, total)

    results = run_batch(batch, workers=jobs, progress=report)
    return [_passed(run, job.value, job.seconds) if job.ok else _failed(run, job.error, job.error_text,
                                                                          job.seconds, timeout)
            for run, job in zip(runs, results, strict=True)]


def _passed(run: Run, output: Path | None, seconds: float) -> Item:
    """A run that passed, unless an output holds what a page would not run (a script, an event handler…)."""
    from ..sanitize import output_removals

    active = output_removals(output) if output is not None else []
    if not active:
        return Item(run.name, "passed", seconds=seconds)
    return Item(run.name, "failed", f"an output shows HTML that the site removes: {active[0]}",
                "outputs that could run code on a page are removed by the site's sanitiser:\n" + "\n".join(active),
                seconds)


def _failed(run: Run, error: BaseException | None, error_text: str, seconds: float, timeout: float) -> Item:
    parameters = ", ".join(f"{key}={value!r}" for key, value in run.parameters.items()) or "(none)"
    if not isinstance(error, NotebookFailed):
        text = first_line(str(error) if error is not None else error_text, 500) or "the run failed"
        return Item(run.name, "failed", f"{run.name}: {text}",
                    f"parameters: {parameters}\n{short_text(error_text)}", seconds)
    where = _where(run, error)
    reason = error.ename + (f": {first_line(error.evalue)}" if error.evalue.strip() else "")
    lines = [f"notebook: {run.file}", f"parameters: {parameters}", f"failed at: {where}"]
    if error.ename == "NotebookTimeout":
        lines.append(f"(the limit is --timeout {timeout:g} s for the whole notebook)")
    if error.traceback.strip():
        lines += ["traceback:", short_traceback(error.traceback)]
    message = f"{where}: {reason}" if where.startswith(run.file) else f"{run.name}: {where}: {reason}"
    return Item(run.name, "failed", message, "\n".join(lines), seconds)


def short_traceback(text: str) -> str:
    """An IPython traceback without its context lines (the failing line of each frame stays), shortened."""
    return short_text("\n".join(line for line in text.splitlines()
                                if not _CONTEXT.match(line) and _NO_SOURCE not in line))


def _where(run: Run, error: NotebookFailed) -> str:
    """'cell 3 (`first line`)' counted from 1 in the stored notebook, or 'cases/x.md:42 (`first line`)'."""
    if error.cell_index is None:
        return "before its first cell"
    cells = _cells(error.output)
    if not cells or error.cell_index >= len(cells):
        return f"cell {error.cell_index + 1} of the executed notebook"
    cell = cells[error.cell_index]
    source = cell.get("source", "")
    quoted = f"(`{first_line(''.join(source) if isinstance(source, list) else str(source), 100)}`)"
    before = cells[: error.cell_index]
    if run.source.suffix == ".md":
        ordinal = sum(c.get("cell_type") == "code" for c in before)
        line = _code_cell_line(run.source, ordinal)
        if line is not None:
            return f"{run.file}:{line}, code cell {ordinal + 1} {quoted}"
        return f"code cell {ordinal + 1} {quoted}"
    injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in before)
    return f"cell {error.cell_index - injected + 1} {quoted}"


def _cells(output: Path | None) -> list[dict[str, Any]]:
    if output is None or not output.is_file():
        return []
    try:
        cells = json.loads(output.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []
    return cells if isinstance(cells, list) else []


def _code_cell_line(source: Path, ordinal: int) -> int | None:
    """The line (from 1) of the first code line of the ``ordinal``-th (from 0) ``{code-cell}`` in a MyST file."""
    fences = [number for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1)
              if _FENCE.match(line)]
    return fences[ordinal] + 1 if ordinal < len(fences) else None


def check_notebooks(root: Path, catalog: Catalog | None, workdir: Path, *, jobs: int, timeout: float,
                    progress: Progress | None = None) -> CheckResult:
    started = time.perf_counter()
    runs, broken = notebook_runs(root, catalog, workdir / "notebooks")
    items = broken + execute(runs, workdir / "notebooks", jobs=jobs, timeout=timeout, progress=progress)
    count = len(notebooks(root))
    note = "" if catalog is not None else " (defaults only: the content is invalid)"
    return result("notebooks", items, time.perf_counter() - started,
                  f"{len(runs)} run(s) of {count} notebook(s) passed{note}", "{failed} of {total} run(s) failed")


def check_cases(root: Path, workdir: Path, *, jobs: int, timeout: float,
                progress: Progress | None = None) -> CheckResult:
    started = time.perf_counter()
    runs, items = case_runs(root, workdir)
    items += execute(runs, workdir / "cases", jobs=jobs, timeout=timeout, progress=progress)
    items.sort(key=lambda item: item.name)
    return result("cases", items, time.perf_counter() - started,
                  f"{len(items)} case(s) passed ({len(runs)} with code)", "{failed} of {total} case(s) failed")
