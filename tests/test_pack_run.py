"""Running notebooks: parameters checked before any kernel, every failure judged, real kernels only."""

from __future__ import annotations

import concurrent.futures as cf
import functools
import json
import operator
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest

from kebao.errors import KebaoError, NotebookError, NotebookFailed, ParameterError
from kebao.notebooks.batch import JobResult, NotebookJob, run_batch
from kebao.notebooks.kernels import KernelPool
from kebao.notebooks.parameters import check_parameters, declared_parameters
from kebao.notebooks.run import execute_notebook

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
GOOD = NOTEBOOKS / "good.ipynb"


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KernelPool, Path]]:
    """One pool for the failure tests, so each starts on a kernel launched during the previous test."""
    cwd = tmp_path_factory.mktemp("kernels")
    with KernelPool() as shared:
        shared.warm("python3", cwd)
        yield shared, cwd


def failure(name: str, pool: tuple[KernelPool, Path], parameters: dict[str, object] | None = None,
            **options: object) -> NotebookFailed:
    kernels, cwd = pool
    options.setdefault("timeout", 20)
    with pytest.raises(NotebookFailed) as caught:
        execute_notebook(NOTEBOOKS / f"{name}.ipynb", cwd / f"{name}-out.ipynb", parameters or {}, cwd=cwd,
                         kernel=kernels, **options)  # type: ignore[arg-type]
    error = caught.value
    assert error.output is not None and error.output.is_file(), "the partial notebook is kept for debugging"
    assert "\n" not in str(error) and f"notebook {name}.ipynb failed" in str(error)
    assert "\x1b" not in error.traceback
    return error


# -- parameters (no kernel) ------------------------------------------------------


def test_declared_parameters_reads_the_parameters_cell() -> None:
    assert declared_parameters(GOOD) == {
        "programme": "rural-revival", "cohort": "2025-spring", "size": 30, "rate": 1.5, "tags": ["a", "b"],
        "options": {"lang": "zh"}, "draft": False, "note": None, "out_name": "summary.json"}
    assert declared_parameters(NOTEBOOKS / "sys_exit.ipynb") == {}


def test_a_parameters_cell_with_logic_is_refused(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import datetime\nstart = datetime.date.today()")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells.append(cell)
    path = tmp_path / "logic.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(NotebookError, match="'start'.*literal default"):
        declared_parameters(path)


def test_check_parameters_keeps_declared_order() -> None:
    assert list(check_parameters(GOOD, {"size": 12, "cohort": "2026-秋"})) == ["cohort", "size"]
    assert check_parameters(GOOD, {"rate": 2, "note": "any kind: default None"})["rate"] == 2


@pytest.mark.parametrize(("name", "message"), [
    ("cohrt", r"'cohrt': is not declared .*did you mean 'cohort'\?"),
    ("cohort\nimport os", "is not a Python identifier"),
    ("class", "is not a Python identifier"),
    ("unrelated_thing", r"declared: cohort, draft, note"),
])
def test_bad_names_are_refused_with_a_hint(name: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message) as caught:
        check_parameters(GOOD, {name: "x"})
    assert caught.value.exit_code == 2 and isinstance(caught.value, KebaoError)
    assert caught.value.name == name


@pytest.mark.parametrize("value", [
    __import__("datetime").date(2025, 3, 1), {"a", "b"}, ("a", "b"), float("nan"), float("inf"), b"bytes",
    ["ok", object()], {"lang": {1: "non-text key"}}, type("Str", (str,), {})("a str subclass"),
])
def test_values_must_be_json_like(value: object) -> None:
    with pytest.raises(ParameterError, match="'note'") as caught:
        check_parameters(GOOD, {"note": value})
    assert caught.value.exit_code == 2


def test_a_value_must_match_the_kind_of_its_default() -> None:
    with pytest.raises(ParameterError, match=r"'size': expects a number like its default 30, not text '20'"):
        check_parameters(GOOD, {"size": "20"})
    with pytest.raises(ParameterError, match="true/false"):
        check_parameters(GOOD, {"draft": 1})


def test_parameter_errors_come_before_any_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_kernel(*args: object) -> None:
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(KernelPool, "acquire", no_kernel)
    with pytest.raises(ParameterError):
        execute_notebook(GOOD, tmp_path / "out.ipynb", {"cohort\n__import__('os')": 1}, cwd=tmp_path, timeout=5)
    assert not (tmp_path / "out.ipynb").exists()


def test_errors_survive_pickling() -> None:
    error = NotebookFailed(GOOD, {"cohort": "c"}, cell_index=3, execution_count=2, ename="ValueError",
                           evalue="bad\nvalue", traceback="tb", output=Path("x.ipynb"))
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.cell_index, copy.ename, copy.parameters, str(copy)) == (3, "ValueError", {"cohort": "c"}, str(error))
    assert str(error) == ("notebook good.ipynb failed in cell 3 (In [2]): ValueError: bad; parameters: cohort='c'")
    assert pickle.loads(pickle.dumps(ParameterError(GOOD, "x", "is bad"))).name == "x"


# -- execution (real kernels) ------------------------------------------------------


@pytest.mark.kernel
def test_a_good_notebook_runs_with_injected_parameters(tmp_path: Path) -> None:
    tricky = 'quote " \' backslash \\ newline \n brace {cohort} 中文 🎓'
    output = tmp_path / "{cohort}" / "run {0}.ipynb"  # papermill would str.format this path
    nb = execute_notebook(GOOD, output, {"cohort": tricky, "size": 12, "options": {"lang": "en"}},
                          cwd=tmp_path, timeout=20)
    assert output.is_file(), "the output path is used literally"
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["cohort"] == tricky and summary["size"] == 12 and summary["options"] == {"lang": "en"}
    assert summary["programme"] == "rural-revival", "defaults stay"
    written = nbformat.read(output, as_version=4)
    injected = [cell for cell in written.cells if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and "size = 12" in injected[0].source
    assert written.metadata.papermill.parameters["size"] == 12
    code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    assert all(cell.execution_count for cell in code)
    assert any("12 participants" in out.get("text", "") for cell in code for out in cell.outputs)


@pytest.mark.kernel
def test_a_raising_cell_fails_with_its_traceback(pool: tuple[KernelPool, Path]) -> None:
    error = failure("raises", pool, {"cohort": "c9"})
    assert (error.cell_index, error.execution_count) == (3, 4)  # parameters, injected, x = 1, raising cell
    assert (error.ename, error.evalue) == ("ValueError", "bad cohort 'c9'")
    assert "raise ValueError" in error.traceback
    assert "in cell 3 (In [4]): ValueError: bad cohort 'c9'; parameters: cohort='c9'" in str(error)
    assert error.exit_code == 1 and error.parameters == {"cohort": "c9"}
    written = nbformat.read(error.output, as_version=4)
    assert written.cells[3].metadata.papermill.status == "failed"
    assert written.cells[4].metadata.papermill.status == "pending"
    assert written.cells[4].execution_count is None


@pytest.mark.kernel
def test_a_cell_past_its_timeout_fails(pool: tuple[KernelPool, Path]) -> None:
    start = time.perf_counter()
    error = failure("sleeps", pool, {"seconds": 30}, cell_timeout=1, timeout=20)
    assert time.perf_counter() - start < 8
    assert error.ename == "CellTimeout" and error.cell_index == 3
    written = nbformat.read(error.output, as_version=4)
    assert written.cells[3].metadata.papermill.status == "failed"
    assert written.cells[3].outputs[-1].ename == "CellTimeout"


@pytest.mark.kernel
def test_the_whole_notebook_has_a_wall_clock_limit(pool: tuple[KernelPool, Path]) -> None:
    start = time.perf_counter()
    error = failure("sleeps_in_steps", pool, {"step": 1.0}, timeout=3)
    assert time.perf_counter() - start < 8
    assert error.ename == "NotebookTimeout" and "3 s" in error.evalue
    assert error.cell_index is not None and error.cell_index >= 2
    assert "KeyboardInterrupt" in error.traceback, "interrupted, so the traceback shows where it was"


@pytest.mark.parametrize("name", ["sys_exit", "raise_systemexit"])
@pytest.mark.kernel
def test_exiting_a_cell_is_a_failure(name: str, pool: tuple[KernelPool, Path]) -> None:
    error = failure(name, pool)
    assert error.ename == "SystemExit"


@pytest.mark.kernel
def test_a_dead_kernel_is_a_failure(pool: tuple[KernelPool, Path]) -> None:
    error = failure("os_exit", pool)
    assert (error.ename, error.cell_index) == ("DeadKernel", 1)
    assert "kernel died" in error.evalue


# -- kernel pool and batches --------------------------------------------------------


@pytest.mark.kernel
def test_the_pool_gives_each_notebook_a_fresh_prestarted_kernel(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with KernelPool(preload=["colorsys"]) as pool:
        pool.warm("python3", tmp_path)
        states = []
        for cwd in (tmp_path, tmp_path, other):
            execute_notebook(NOTEBOOKS / "state.ipynb", tmp_path / "state.ipynb", {}, cwd=cwd, timeout=20,
                             kernel=pool)
            states.append(json.loads((cwd / "state.json").read_text()))
        assert pool._ready is not None, "the next kernel is already launched"
    assert pool._ready is None
    assert len({state["pid"] for state in states}) == 3
    assert not any(state["leaked"] for state in states)
    assert {state["hashseed"] for state in states} == {"0"}, "deterministic set order in kernels"
    assert all(state["preloaded"] and not state["bound"] for state in states), "preloaded, no name bound"
    assert [Path(state["cwd"]) for state in states] == [tmp_path.resolve(), tmp_path.resolve(), other.resolve()]


def _jobs(tmp_path: Path) -> list[NotebookJob]:
    return [NotebookJob(GOOD, tmp_path / "a.ipynb", {"out_name": "a.json"}, tmp_path, timeout=20),
            NotebookJob(NOTEBOOKS / "raises.ipynb", tmp_path / "b.ipynb", {"cohort": "b"}, tmp_path, timeout=20),
            NotebookJob(GOOD, tmp_path / "c.ipynb", {"out_name": "c.json", "size": 3}, tmp_path, timeout=20)]


@pytest.mark.kernel
def test_a_batch_carries_on_after_a_failure(tmp_path: Path) -> None:
    seen: list[tuple[int, int, bool]] = []
    results = run_batch(_jobs(tmp_path), workers=2,
                        progress=lambda done, total, result: seen.append((done, total, result.ok)))
    assert [result.ok for result in results] == [True, False, True]
    assert [result.index for result in results] == [0, 1, 2]
    assert results[0].value == tmp_path / "a.ipynb"
    assert json.loads((tmp_path / "c.json").read_text())["size"] == 3
    error = results[1].error
    assert isinstance(error, NotebookFailed) and error.ename == "ValueError" and error.cell_index == 3
    assert "raises.ipynb failed" in results[1].error_text
    assert sorted(done for done, _, _ in seen) == [1, 2, 3] and {total for _, total, _ in seen} == {3}


@pytest.mark.kernel
def test_a_batch_takes_any_executor_and_plain_callables(tmp_path: Path) -> None:
    jobs: list[Callable[[], object]] = [functools.partial(operator.truediv, 1, 0),
                                        functools.partial(operator.add, 1, 2), _jobs(tmp_path)[0]]
    with cf.ThreadPoolExecutor(2) as executor:
        results: list[JobResult[object]] = run_batch(jobs, workers=2, executor=executor)
    assert [result.ok for result in results] == [False, True, True]
    assert isinstance(results[0].error, ZeroDivisionError) and "ZeroDivisionError" in results[0].error_text
    assert results[1].value == 3
    assert json.loads((tmp_path / "a.json").read_text())["size"] == 30


def test_notebook_jobs_are_absolute_and_hint_their_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    job = NotebookJob(GOOD, Path("out.ipynb"), {"size": 3}, Path("."))
    assert job.output == tmp_path.resolve() / "out.ipynb" and job.cwd == tmp_path.resolve()
    assert job.kernel_hint() == ("python3", tmp_path.resolve())
    assert pickle.loads(pickle.dumps(job)) == job
