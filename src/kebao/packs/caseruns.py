"""Case notebooks executed once, read by every pack that prints them.

A case's evidence is what its code produces: tables and charts that its
discussion questions and answer keys depend on. The handbook shows those
outputs (never the code). Running a case costs a kernel, pandas and matplotlib
(1–4 s), and several programmes read the same case, so a case runs once per
change: the executed notebook is kept as ``<packs>/_cases/<case>-<key>.ipynb``,
where the key hashes the case file, its data files and the engine that shapes
packs. A pack build runs the runs it lacks before its notebook (from
``cases/``, as the book and ``kebao check`` run cases, through the notebooks
layer and its failure rules), and the pack notebook reads their outputs
(:func:`outputs`, with the standard library's json: no nbformat in the kernel).
A failing case fails the pack that prints it. Runs of an older key of the same
case are removed when a new one is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..catalog import Catalog
from ..errors import PackError

# A first cell that moves the kernel to cases/: the pack's pre-started kernel runs in the repository root, and a
# kernel asked for elsewhere would be launched anew (and the prepared one killed while it boots).
CWD_TAG = "kebao-case-cwd"
# What a pack shows of an output, in order of preference (a DataFrame's HTML, a chart's PNG, printed text).
SHOWN = ("image/png", "text/html", "text/plain")


def has_code(body: str) -> bool:
    """Whether a case body has code cells (a case without any needs no run)."""
    return "```{code-cell}" in body


def case_key(catalog: Catalog, case_id: str, engine: str) -> str:
    """A key for the run of ``case_id``: its file, its data files and ``engine`` (kebao's version and code)."""
    case = catalog.cases[case_id]
    digest = hashlib.sha256(b"kebao-case-run/1\0" + engine.encode() + b"\0")
    for path in (catalog.locate(case).file, *(catalog.root / paths.CASES / name for name in case.data)):
        data = Path(path).read_bytes()
        digest.update(f"{Path(path).name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def run_file(packs: Path, case_id: str, key: str) -> Path:
    return Path(packs) / paths.CASE_RUNS / f"{case_id}-{key}.ipynb"


def missing_runs(catalog: Catalog, case_ids: list[str], packs: Path, engine: str) -> dict[str, Path]:
    """The cases (with code) among ``case_ids`` that have no run for their current key: id -> run file."""
    wanted = {}
    for case_id in case_ids:
        if has_code(catalog.cases[case_id].body):
            path = run_file(packs, case_id, case_key(catalog, case_id, engine))
            if not path.is_file():
                wanted[case_id] = path
    return wanted


def ensure_runs(catalog: Catalog, case_ids: list[str], packs: Path, engine: str, work: Path, *,
                kernel: Any, timeout: float, cwd: Path) -> dict[str, str]:
    """The run file of each case with code in ``case_ids`` (id -> absolute path), running those missing.

    Kernels start in ``cwd`` (the pack's) and move to ``cases/`` in a first cell (:data:`CWD_TAG`). The
    converted notebook and a failed run are left in ``work`` (kept under ``_failed`` with the pack).
    """
    for case_id, target in missing_runs(catalog, case_ids, packs, engine).items():
        run_case(catalog.locate(catalog.cases[case_id]).file, target, work, kernel=kernel, timeout=timeout, cwd=cwd)
    return {case_id: str(run_file(packs, case_id, case_key(catalog, case_id, engine)).resolve())
            for case_id in case_ids if has_code(catalog.cases[case_id].body)}


def run_case(source: Path, target: Path, work: Path, *, kernel: Any, timeout: float, cwd: Path) -> Path:
    """Run the case file ``source`` into its run file ``target`` (see :func:`ensure_runs`); older keys go."""
    import jupytext  # type: ignore[import-untyped, unused-ignore]
    from nbformat.v4 import new_code_cell

    from ..atomic import write_atomic
    from ..notebooks.run import execute_notebook

    case_id = Path(source).stem
    nb = jupytext.read(source)
    if not nb.metadata.get("kernelspec", {}).get("name"):  # as myst-nb: the default Python kernel
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    chdir = f"import os\nos.chdir({str(Path(source).parent.resolve())!r})"
    nb.cells.insert(0, new_code_cell(chdir, metadata={"tags": [CWD_TAG]}))  # type: ignore[no-untyped-call]
    converted = work / f"case-{case_id}.ipynb"
    jupytext.write(nb, str(converted), fmt="ipynb")
    executed = work / f"case-{case_id}.executed.ipynb"
    execute_notebook(converted, executed, {}, cwd=cwd, timeout=timeout, kernel=kernel)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, executed.read_text(encoding="utf-8"))
    for old in target.parent.glob(f"{case_id}-*.ipynb"):
        if old != target and len(old.stem) == len(target.stem):  # another key of this case
            old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class CaseRun:
    """One case to run into its run file, as a batch job (:func:`kebao.notebooks.batch.run_batch`).

    Its converted and executed notebooks go to a temporary folder, removed afterwards: a case that fails here
    is run again by whoever needs it (a pack, which keeps its failure under ``_failed``, or the site).
    """

    source: Path
    target: Path
    cwd: Path
    timeout: float = paths.NOTEBOOK_TIMEOUT

    def kernel_hint(self) -> tuple[str, Path]:
        return "python3", Path(self.cwd).resolve()

    def __call__(self) -> Path:
        import tempfile

        from ..notebooks.kernels import worker_pool

        with tempfile.TemporaryDirectory(prefix="kebao-case-") as work:
            return run_case(self.source, self.target, Path(work), kernel=worker_pool(), timeout=self.timeout,
                            cwd=self.cwd)


def outputs(run: str | Path) -> list[list[dict[str, Any]]]:
    """The outputs of each code cell of an executed case, as display bundles ``{"data", "metadata"}``.

    Only what a printed page can show is kept (:data:`SHOWN`, the first of PNG and HTML, or else text);
    printed text becomes a text bundle; errors never reach a pack (a failing case fails its run).
    """
    try:
        cells = json.loads(Path(run).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as error:
        raise PackError(f"cannot read the executed case {run}: {error}",
                        "delete it; the next `kebao pack` runs the case again") from error
    shown = []
    for cell in cells:
        if cell.get("cell_type") != "code" or CWD_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        bundles = []
        for output in cell.get("outputs", []):
            bundle = _bundle(output)
            if bundle is not None:
                bundles.append(bundle)
        shown.append(bundles)
    return shown


def _bundle(output: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text", ""))
        return {"data": {"text/plain": text}, "metadata": {}} if text.strip() and output.get("name") == "stdout" \
            else None
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data", {})
    for mime in SHOWN:
        if mime in data:
            value = data[mime] if mime == "image/png" else _text(data[mime])
            metadata = output.get("metadata", {}).get(mime, {}) if mime == "image/png" else {}
            return {"data": {mime: value}, "metadata": {mime: metadata} if metadata else {}}
    return None


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)
