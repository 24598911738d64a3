"""Executed cases for the site, put in jupyter-cache before Sphinx reads a page.

myst-nb runs a case (``execute_notebooks: cache``) while Sphinx reads its page: one case at a time, each in a
kernel started for it that imports pandas and matplotlib anew (about 10 s a case on this machine, two thirds of
a cold ``kebao book``), although the packs built just before ran most cases already, as the packs' case runs
(:mod:`kebao.packs.caseruns`: same case file, data files and engine). So before Sphinx starts,
:func:`prepare_cases`:

1. reads each case with code as myst-nb reads it (:func:`site_notebook`) and looks it up in jupyter-cache;
2. for each one missing, takes the outputs of the case's run in the packs folder, running the cases without a
   run first, in parallel, through the notebooks layer (:func:`kebao.notebooks.batch.run_batch`, kernels
   forked from a warm template; the packs then reuse these runs too);
3. stores the notebook myst-nb would have executed, with the run's outputs, in jupyter-cache, as myst-nb does.

myst-nb then finds every case in its cache and runs nothing. A case whose run fails, or whose code cells do not
match its run's one for one, is left out: myst-nb runs it while reading, and reports a failure as before
(warnings are errors), so what the site shows and which problems it reports do not change.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, paths

# The key of a jupyter-cache record's data naming the case run its outputs came from (a record myst-nb wrote
# after running the case itself has none).
FROM = "kebao_case_run"

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

    from ..catalog import Catalog


@dataclass(frozen=True)
class PreparedCases:
    """What :func:`prepare_cases` did: cases already cached, stored from a run, and left to myst-nb."""

    cached: tuple[str, ...] = ()
    stored: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    ran: tuple[str, ...] = ()  # the cases among ``stored`` and ``left`` run here (no run in the packs folder)


def prepare_cases(root: Path, catalog: Catalog, config: Mapping[str, Any], *, packs: Path = paths.PACKS,
                  workers: int = paths.JOBS, timeout: float = paths.NOTEBOOK_TIMEOUT) -> PreparedCases:
    """Put every case with code that jupyter-cache lacks into it (see the module docstring).

    ``config`` is the site's Sphinx configuration (:func:`kebao.book.site.sphinx_config`, with the cache's
    path); ``packs`` the packs folder whose case runs are reused (relative to ``root`` unless absolute).
    """
    from jupyter_cache import get_cache  # type: ignore[import-untyped, unused-ignore]

    from ..packs.build import engine_digest
    from ..packs.caseruns import has_code, run_file

    if config.get("nb_execution_mode", "cache") != "cache":  # `execute_notebooks: off` (or force): not ours
        return PreparedCases()
    root = Path(root).resolve()
    cache = get_cache(str(config.get("nb_execution_cache_path") or root / paths.JUPYTER_CACHE))
    engine = f"{__version__}+{engine_digest()}"
    packs = root / packs
    wanted: dict[str, NotebookNode] = {}
    cached = []
    stored = []
    for case_id in sorted(catalog.cases):
        source = Path(catalog.locate(catalog.cases[case_id]).file)
        nb = site_notebook(source, config)
        try:
            cache.match_cache_notebook(nb)
            cached.append(case_id)
        except KeyError:
            if has_code(catalog.cases[case_id].body):
                wanted[case_id] = nb
            elif not any(cell.cell_type == "code" for cell in nb.cells):  # myst-nb would start a kernel for it
                _store(cache, nb, source)
                stored.append(case_id)
    ran = _run_missing(catalog, list(wanted), packs, engine, root, workers, timeout) if wanted else []
    left = []
    for case_id, nb in wanted.items():
        source = Path(catalog.locate(catalog.cases[case_id]).file)
        run = run_file(packs, case_id, _key(catalog, case_id, engine))
        executed = with_outputs(nb, run) if run.is_file() else None
        if executed is None:
            left.append(case_id)
            continue
        _store(cache, executed, source, run)
        stored.append(case_id)
    return PreparedCases(tuple(cached), tuple(stored), tuple(left), tuple(ran))


def _key(catalog: Catalog, case_id: str, engine: str) -> str:
    from ..packs.caseruns import case_key

    return case_key(catalog, case_id, engine)


def _run_missing(catalog: Catalog, case_ids: list[str], packs: Path, engine: str, root: Path, workers: int,
                 timeout: float) -> list[str]:
    """Run the cases among ``case_ids`` that have no run in ``packs``, in parallel; those that ran."""
    from ..notebooks.batch import run_batch
    from ..packs.build import KERNEL_PRELOAD
    from ..packs.caseruns import CaseRun, missing_runs

    missing = missing_runs(catalog, case_ids, packs, engine)
    jobs = [CaseRun(Path(catalog.locate(catalog.cases[case_id]).file).resolve(), target.resolve(), root, timeout)
            for case_id, target in missing.items()]
    if jobs:
        run_batch(jobs, workers=workers, preload=KERNEL_PRELOAD)  # a failure is left to myst-nb to report
    return list(missing)


def site_notebook(source: Path, config: Mapping[str, Any]) -> NotebookNode:
    """The case as myst-nb reads it for the site (its MyST parser settings from ``config``, Sphinx's)."""
    import dataclasses

    from myst_nb.core.read import read_myst_markdown_notebook  # type: ignore[import-untyped, unused-ignore]
    from myst_parser.config.main import MdParserConfig

    fields = {field.name for field in dataclasses.fields(MdParserConfig)}
    settings = {name[len("myst_"):]: value for name, value in config.items()
                if name.startswith("myst_") and name[len("myst_"):] in fields}
    md_config = MdParserConfig(**settings)
    nb: NotebookNode = read_myst_markdown_notebook(source.read_text(encoding="utf-8"), config=md_config,
                                                   add_source_map=True, path=str(source))
    return nb


def with_outputs(nb: NotebookNode, run: Path) -> NotebookNode | None:
    """``nb`` (as myst-nb reads a case) with the outputs of the case's run, or None when they do not match.

    The run's first cell (:data:`kebao.packs.caseruns.CWD_TAG`) moved its kernel to ``cases/``, where myst-nb
    runs a case: it is dropped and the execution counts after it are renumbered from 1, as myst-nb's own run
    numbers them. A run with an error, a cell not run, or code that differs from ``nb``'s is not used.
    """
    import copy

    from ..packs.caseruns import CWD_TAG

    node = importlib.import_module("nbformat").from_dict

    executed = json.loads(run.read_text(encoding="utf-8"))
    cells = [cell for cell in executed["cells"] if cell.get("cell_type") == "code"
             and CWD_TAG not in cell.get("metadata", {}).get("tags", [])]
    mine = [cell for cell in nb.cells if cell.cell_type == "code"]
    if [_text(cell.source) for cell in mine] != [_text(cell.get("source", "")) for cell in cells]:
        return None
    result = copy.deepcopy(nb)
    code = [cell for cell in result.cells if cell.cell_type == "code"]
    for number, (cell, ran) in enumerate(zip(code, cells, strict=True), start=1):
        outputs = ran.get("outputs", [])
        if ran.get("execution_count") is None or any(o.get("output_type") == "error" for o in outputs):
            return None
        cell.execution_count = number
        cell.outputs = [node(_renumbered(output, number)) for output in outputs]
    if "language_info" in executed.get("metadata", {}):  # myst-nb merges it from its cache with the kernelspec
        result.metadata["language_info"] = node(executed["metadata"]["language_info"])
    return result


def _renumbered(output: dict[str, Any], number: int) -> dict[str, Any]:
    if output.get("output_type") == "execute_result":
        return {**output, "execution_count": number}
    return output


def _text(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _store(cache: Any, nb: NotebookNode, source: Path, run: Path | None = None) -> None:
    """As myst-nb stores a case it executed (``check_validity=False, overwrite=True``); the record's data says
    where the outputs came from (:data:`FROM`: the run's file name, or "" for a case without code)."""
    from jupyter_cache.base import CacheBundleIn  # type: ignore[import-untyped, unused-ignore]

    data = {"execution_seconds": 0.0, FROM: run.name if run is not None else ""}
    cache.cache_notebook_bundle(CacheBundleIn(nb, str(source), data=data), check_validity=False, overwrite=True)
