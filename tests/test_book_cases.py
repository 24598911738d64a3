"""Cases put into jupyter-cache before Sphinx reads (kebao.book.cases): the same outputs, no case run twice."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from kebao.book.cases import FROM, site_notebook, with_outputs
from kebao.book.site import sphinx_config
from kebao.catalog import load_catalog
from kebao.packs.caseruns import CWD_TAG, has_code

from .book_site import BuiltSite, copy_content
from .paths import REPO

CASE = "guangxi-mentor-research"  # two code cells, a table and a chart


def _config() -> dict[str, object]:
    return sphinx_config(REPO)


def _run_like(nb: object, *, chdir: bool = True) -> dict[str, object]:
    """A case run as kebao.packs.caseruns writes one: a first cell that moves to cases/, then the case's cells."""
    data = json.loads(json.dumps(nb))
    cells = [cell for cell in data["cells"] if cell["cell_type"] == "code"]
    for number, cell in enumerate(cells, start=2):
        cell["execution_count"] = number
        cell["outputs"] = [{"output_type": "execute_result", "execution_count": number, "metadata": {},
                            "data": {"text/plain": f"out {number}"}}]
    first = {"cell_type": "code", "execution_count": 1, "metadata": {"tags": [CWD_TAG]}, "outputs": [],
             "source": "import os"}
    data["cells"] = ([first] if chdir else []) + data["cells"]
    data["metadata"]["language_info"] = {"name": "python", "version": "3.11"}
    return data


def test_a_run_s_outputs_go_into_the_notebook_as_myst_nb_reads_it(tmp_path: Path) -> None:
    nb = site_notebook(REPO / "cases" / f"{CASE}.md", _config())
    run = tmp_path / "run.ipynb"
    run.write_text(json.dumps(_run_like(nb)), encoding="utf-8")
    merged = with_outputs(nb, run)
    assert merged is not None
    code = [cell for cell in merged.cells if cell.cell_type == "code"]
    assert len(code) == 2
    # renumbered from 1 without the run's first cell, as myst-nb's own run numbers them
    assert [cell.execution_count for cell in code] == [1, 2]
    assert [cell.outputs[0]["execution_count"] for cell in code] == [1, 2]
    assert [cell.outputs[0]["data"]["text/plain"] for cell in code] == ["out 2", "out 3"]
    assert merged.metadata["language_info"]["name"] == "python"
    assert [cell.source for cell in merged.cells] == [cell.source for cell in nb.cells]  # only outputs added
    assert all(not cell.outputs for cell in nb.cells if cell.cell_type == "code")  # the input is left alone


def test_a_run_that_does_not_match_the_case_or_failed_is_not_used(tmp_path: Path) -> None:
    nb = site_notebook(REPO / "cases" / f"{CASE}.md", _config())
    run = tmp_path / "run.ipynb"
    edited = _run_like(nb)
    code = [cell for cell in edited["cells"] if cell["cell_type"] == "code"]  # type: ignore[union-attr]
    code[1]["source"] = code[1]["source"] + "\n# edited since"
    run.write_text(json.dumps(edited), encoding="utf-8")
    assert with_outputs(nb, run) is None
    failed = _run_like(nb)
    code = [cell for cell in failed["cells"] if cell["cell_type"] == "code"]  # type: ignore[union-attr]
    code[-1]["outputs"] = [{"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}]
    run.write_text(json.dumps(failed), encoding="utf-8")
    assert with_outputs(nb, run) is None
    unrun = _run_like(nb)
    code = [cell for cell in unrun["cells"] if cell["cell_type"] == "code"]  # type: ignore[union-attr]
    code[-1]["execution_count"] = None
    run.write_text(json.dumps(unrun), encoding="utf-8")
    assert with_outputs(nb, run) is None


@pytest.mark.slow
@pytest.mark.kernel
def test_a_case_run_gives_the_outputs_myst_nb_s_own_run_gives(tmp_path: Path) -> None:
    """The outputs kebao stores for the site are those myst-nb would have produced, chart bytes included."""
    from jupyter_cache.executors.utils import single_nb_execution  # type: ignore[import-untyped]

    from kebao.notebooks.kernels import KernelPool
    from kebao.packs.build import KERNEL_PRELOAD
    from kebao.packs.caseruns import run_case

    root = copy_content(tmp_path / "repo")
    source = root / "cases" / f"{CASE}.md"
    nb = site_notebook(source, _config())
    with KernelPool(prestart=False, preload=KERNEL_PRELOAD) as pool:  # as a pack's kernels: forked, preloaded
        run = run_case(source, tmp_path / "runs" / f"{CASE}-0123456789abcdef.ipynb", tmp_path,
                       kernel=pool, timeout=300, cwd=root)
    ours = with_outputs(nb, run)
    assert ours is not None
    theirs = copy.deepcopy(nb)
    result = single_nb_execution(theirs, cwd=str(source.parent), allow_errors=False, timeout=300,
                                 meta_override=True)  # exactly what myst-nb's cache mode runs
    assert result.err is None
    for mine, its in zip([c for c in ours.cells if c.cell_type == "code"],
                         [c for c in theirs.cells if c.cell_type == "code"], strict=True):
        assert mine.execution_count == its.execution_count
        assert [_shown(output) for output in mine.outputs] == [_shown(output) for output in its.outputs]
    assert any("image/png" in output.get("data", {}) for cell in ours.cells for output in cell.get("outputs", []))


def _shown(output: dict[str, object]) -> object:
    """An output as written to a file (multi-line strings as one string, as nbformat reads them back)."""
    def text(value: object) -> object:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    shown = {key: text(value) for key, value in output.items() if key != "data"}
    data = output.get("data", {})
    assert isinstance(data, dict)
    return shown | {"data": {mime: text(value) for mime, value in data.items()}}


@pytest.mark.slow
@pytest.mark.kernel
def test_the_site_build_ran_no_case_while_reading(built_site: BuiltSite) -> None:
    """Every case reached Sphinx from jupyter-cache, stored by kebao from the packs' case runs (or run by kebao
    in parallel before Sphinx), so myst-nb started no kernel of its own."""
    from jupyter_cache import get_cache  # type: ignore[import-untyped]

    catalog = load_catalog(built_site.root)
    records = get_cache(str(built_site.root / "_build" / ".jupyter_cache")).list_cache_records()
    by_case = {Path(record.uri).stem: record for record in records}
    runs = {path.name for path in (built_site.root / "build" / "packs" / "_cases").glob("*.ipynb")}
    for case_id, case in catalog.cases.items():
        if not has_code(case.body):
            continue
        assert case_id in by_case, f"{case_id} is not in jupyter-cache"
        assert by_case[case_id].data.get(FROM) in runs, f"{case_id} was run by myst-nb: {by_case[case_id].data}"
    assert all(FROM in record.data for record in records), [record.data for record in records]
