"""Pack batches on dask.distributed (kebao.packs.distributed): a real LocalCluster of two worker processes."""

from __future__ import annotations

import gc
import shutil
import time
import warnings
from collections.abc import Iterator
from multiprocessing import resource_tracker
from pathlib import Path

import nbformat
import psutil
import pytest

from kebao.catalog import load_catalog
from kebao.cli import main
from kebao.errors import NotebookFailed, UsageError
from kebao.packs.build import DecidedPack, PackFailure, PackOutcome, PackRequest, build_stale, decide_pack
from kebao.packs.distributed import DaskPacks, Fingerprint, read_folder
from kebao.paths import CASE_RUNS, FAILED

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"


@pytest.fixture(autouse=True)
def _collect_dask_sockets() -> Iterator[None]:
    """distributed's closed comms leave TCP socket objects for the garbage collector; collected in a later test
    they would be reported there (ResourceWarning as an error) although that test opened no socket."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _repository(tmp_path: Path) -> Path:
    """The fixture catalogue, with cadres-course made plannable and printing the case red-dates."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    spec = root / "curricula" / "programmes" / "cadres-course.yml"
    text = spec.read_text(encoding="utf-8").replace("total_hours: 28", "total_hours: 24")
    text = text.replace("mix: {party-building: 30, industry: 40, skills: 30}",
                        "mix: {party-building: 30, industry: 55, skills: 15}")
    spec.write_text(text.replace("required: [party-branch-practice]",
                                 "required: [party-branch-practice, red-dates-ecommerce]"), encoding="utf-8")
    return root


# A cell that kills the dask worker process running it (its kernel's grandparent), and refuses elsewhere.
KILL_WORKER = """import os, signal
if cohort['id'] == 'killer':
    def parent(pid):
        return int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])
    pid = parent(os.getpid())
    while pid > 1 and b'spawn_main' not in open(f'/proc/{pid}/cmdline', 'rb').read():
        pid = parent(pid)
    if pid <= 1:
        raise RuntimeError('not on a dask worker')
    os.kill(pid, signal.SIGKILL)
"""


def _decided(root: Path, notebook: Path, out: Path, *, killer: bool = False) -> list[DecidedPack]:
    catalog = load_catalog(root)
    default = catalog.programmes["nev-class"].cohort
    requests = [PackRequest(root, "cadres-course", out=out, notebook=notebook),
                PackRequest(root, "nev-class", out=out, notebook=notebook,
                            cohort=default.model_copy(update={"id": "broken"}))]
    if killer:
        requests.append(PackRequest(root, "nev-class", out=out, notebook=notebook,
                                    cohort=default.model_copy(update={"id": "killer"})))
    return [decide_pack(request, catalog) for request in requests]


def _failing_notebook(tmp_path: Path) -> Path:
    """The pack notebook failing early for the cohort 'broken' and killing its worker for 'killer'."""
    notebook = tmp_path / "course_pack.ipynb"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    after = next(i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])) + 1
    nb.cells.insert(after, nbformat.v4.new_code_cell(  # early: a failure costs no full run
        "if cohort['id'] == 'broken':\n"  # names the notebook binds later are there only in a reused kernel
        "    raise RuntimeError('第三期课表生成失败' + (' in a reused kernel' if 'readings' in globals() else ''))"))
    nb.cells.insert(after, nbformat.v4.new_code_cell(KILL_WORKER))
    nbformat.write(nb, notebook)
    return notebook


def _new_processes(before: set[int], seconds: float) -> list[str]:
    """Descendants of this process not in ``before`` still alive ``seconds`` from now (polled)."""
    deadline = time.monotonic() + seconds
    while True:
        left = []
        for child in psutil.Process().children(recursive=True):
            try:
                if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{child.pid}: {' '.join(child.cmdline())[:120]}")
            except psutil.Error:
                continue
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.kernel
def test_a_dask_batch_gives_the_local_bytes_and_failures_and_leaves_no_process(tmp_path: Path) -> None:
    root = _repository(tmp_path)
    notebook = _failing_notebook(tmp_path)
    local = build_stale(_decided(root, notebook, tmp_path / "local"), workers=2)
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    remote = build_stale(_decided(root, notebook, tmp_path / "dask", killer=True),
                         executor=DaskPacks(root, workers=2))
    assert _new_processes(before, 10.0) == []  # the cluster, its workers, templates and kernels are gone

    killed = remote.pop()  # its worker died: the pack fails, the others carry on
    assert isinstance(killed, PackFailure) and killed.cohort == "killer"
    assert str(killed.error).startswith("KilledWorker: ")
    assert "`kebao pack nev-class --cohort killer`" in str(killed.error)
    assert not (tmp_path / "dask" / "nev-class" / "killer").exists()
    assert [(r.programme, r.cohort, r.status) for r in remote] == [(r.programme, r.cohort, r.status) for r in local]
    assert [r.status for r in remote] == ["built", "failed"]
    here, there = local[0], remote[0]
    assert isinstance(here, PackOutcome) and isinstance(there, PackOutcome)
    assert there.zip.is_file() and there.context is not None
    files = read_folder(there.folder)
    assert files == read_folder(here.folder)  # byte-identical, zip and manifest included
    assert there.zip.name in files
    failed_here, failed_there = local[1], remote[1]
    assert isinstance(failed_here, PackFailure) and isinstance(failed_there, PackFailure)
    assert type(failed_there.error) is type(failed_here.error) is NotebookFailed
    assert "第三期课表生成失败" in str(failed_there.error)
    record = tmp_path / "dask" / FAILED / "nev-class" / "broken"
    assert sorted(read_folder(record)) == sorted(read_folder(tmp_path / "local" / FAILED / "nev-class" / "broken"))
    assert "RuntimeError" in (record / "error.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "dask" / "nev-class" / "broken").exists()  # nothing published for it
    # The case run made on a worker came back to the client's packs folder, as a local build keeps it.
    assert sorted(read_folder(tmp_path / "dask" / CASE_RUNS)) == sorted(read_folder(tmp_path / "local" / CASE_RUNS))
    assert read_folder(tmp_path / "dask" / CASE_RUNS)


@pytest.mark.slow
@pytest.mark.kernel
def test_a_dask_worker_launches_the_next_pack_s_kernel_while_a_pack_runs(tmp_path: Path) -> None:
    """One worker, two packs: the second pack's kernel was launched while the first pack ran (a pool kept for
    the worker's life, with pre-start), yet each pack had a fresh kernel and the failure reads as locally."""
    root = _repository(tmp_path)
    jobs = _decided(root, _failing_notebook(tmp_path), tmp_path / "dask")  # cadres-course, then nev-class 'broken'
    resource_tracker.ensure_running()  # this process's, started by the first cluster and kept: not a leftover
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    executor = DaskPacks(root, workers=1)
    built, failed = build_stale(jobs, executor=executor)
    assert _new_processes(before, 10.0) == []  # the pool's spare kernel went with the worker and its template

    # The first pack's kernel was launched when the worker set up; the first pack's own acquire launched the
    # next, which the second pack found running. Without a pool kept across packs both counts are 0.
    first, second = executor.started_ahead
    assert first >= 1 and second >= 1, executor.started_ahead
    assert isinstance(built, PackOutcome) and built.zip.is_file()
    assert isinstance(failed, PackFailure) and type(failed.error) is NotebookFailed
    assert "第三期课表生成失败" in str(failed.error)
    assert "in a reused kernel" not in str(failed.error)  # a fresh kernel: nothing of the first pack in it
    assert (tmp_path / "dask" / FAILED / "nev-class" / "broken" / "error.txt").is_file()


def test_a_worker_with_another_repository_is_named(tmp_path: Path) -> None:
    module = tmp_path / "module.md"
    module.write_text("# 高压安全\n", encoding="utf-8")
    client = Fingerprint.here([str(module)])
    assert client.difference(Fingerprint.here([str(module)])) == ""
    module.write_text("# 高压安全的要点\n", encoding="utf-8")
    assert client.difference(Fingerprint.here([str(module)])) == f"another version of {module}"
    module.unlink()
    assert client.difference(Fingerprint.here([str(module)])) == f"no file {module}"
    other = Fingerprint("0.0+other", client.environment, client.files)
    assert client.difference(other).startswith("kebao 0.0+other instead of the client's ")


def test_scheduler_and_dask_are_for_batches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", "--all", "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "add --executor dask" in capsys.readouterr().err
    assert main(["pack", "nev-class", "--executor", "dask"]) == 2
    assert "use them with --all" in capsys.readouterr().err


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    from kebao.packs.build import build_stale as build

    root = _repository(tmp_path)
    jobs = _decided(root, NOTEBOOK, tmp_path / "out")[1:2]
    executor = DaskPacks(root, scheduler="tcp://127.0.0.1:9", connect_timeout=1.0)
    with pytest.raises(UsageError, match="no dask scheduler answers at tcp://127.0.0.1:9"):
        build(jobs, executor=executor)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.kernel
def test_killing_the_run_takes_its_local_cluster_with_it_and_publishes_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import uuid

    from .processes import VARIABLE, end_all, survivors, survivors_after

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()  # unplannable in the fixture
    out, marker = tmp_path / "out", uuid.uuid4().hex
    run = subprocess.Popen([sys.executable, "-m", "kebao", "pack", "--all", "--executor", "dask", "--jobs", "2",
                            "--root", str(root), "--out", str(out), "--notebook", str(NOTEBOOK)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, VARIABLE: marker, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        deadline = time.monotonic() + 300
        while not any("forkkernel.py launch" in line for line in survivors(marker)):  # a pack's kernel runs
            assert run.poll() is None and time.monotonic() < deadline, "no kernel started on the cluster"
            time.sleep(0.2)
        run.send_signal(signal.SIGKILL)
        run.wait()
        assert survivors_after(marker, 5.0) == []  # workers, their templates and kernels: all gone
        time.sleep(1.0)
        assert not (out / "nev-class" / "2026-11").exists()
    finally:
        run.kill()
        end_all(marker)
