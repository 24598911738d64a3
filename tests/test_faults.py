"""Issue 16's faults, for real: SIGKILL of `kebao pack --all` mid-batch, two batches at once, a full disk.

Each test runs `kebao pack` in a subprocess on a copy of the fixture catalogue with extra programmes (copies of
nev-class), so a batch has several packs in flight on two workers. Every process the command starts carries a
marker in its environment, which is how the tests find survivors (forkserver, workers, resource tracker,
kernel template, launchers, kernels). The full-disk test mounts a small tmpfs and needs root.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .paths import FIXTURES, REPO
from .processes import end_all, survivors

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
PROGRAMMES = ("nev-class", "nev-class-b", "nev-class-c", "nev-class-d")
COHORT = "2026-11"


def make_repo(root: Path) -> Path:
    shutil.copytree(FIXTURES / "catalog", root)
    programmes = root / "curricula" / "programmes"
    (programmes / "cadres-course.yml").unlink()  # deliberately unplannable
    for extra in PROGRAMMES[1:]:
        shutil.copy(programmes / "nev-class.yml", programmes / f"{extra}.yml")
    return root


def kebao_pack(root: Path, out: Path, marker: str, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "kebao", "pack", "--root", str(root), "--out", str(out),
               "--notebook", str(NOTEBOOK), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KEBAO_TEST_RUN": marker, "PYTHONPATH": os.pathsep.join(sys.path)})


def state(out: Path) -> dict[str, tuple[int, int]]:
    """Each published pack's manifest: (inode, mtime), to see whether anything was published later."""
    found = {}
    for programme in PROGRAMMES:
        manifest = out / programme / COHORT / "manifest.json"
        try:
            info = manifest.stat()
        except FileNotFoundError:
            continue
        found[programme] = (info.st_ino, info.st_mtime_ns)
    return found


class Poller(threading.Thread):
    """Checks, as fast as it can, that every pack once seen is there, whole: every file its manifest lists."""

    def __init__(self, out: Path):
        super().__init__(daemon=True)
        self.out = out
        self.problems: list[str] = []
        self.seen: set[str] = set()
        self.stop = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.rounds += 1
            for programme in PROGRAMMES:
                folder = self.out / programme / COHORT
                try:
                    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                except FileNotFoundError:
                    if programme in self.seen:
                        self.problems.append(f"{programme}: the pack is missing")
                    continue
                except ValueError:
                    self.problems.append(f"{programme}: a half-written manifest")
                    continue
                self.seen.add(programme)
                for name in manifest["outputs"]:
                    if not (folder / name).is_file():
                        self.problems.append(f"{programme}: {name} is missing")
            time.sleep(0.005)


@pytest.fixture
def marker() -> Iterator[str]:
    value = uuid.uuid4().hex
    yield value
    end_all(value)


@pytest.mark.slow
@pytest.mark.kernel
def test_killing_a_batch_stops_everything_and_publishes_nothing_after(tmp_path: Path, marker: str) -> None:
    root, out = make_repo(tmp_path / "repo"), tmp_path / "packs"
    first = kebao_pack(root, out, marker, "--all")
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stdout + stderr
    poller = Poller(out)
    poller.start()
    try:
        for delay in (0.5, 2.0, 4.0, 6.0, 8.0, 10.0):
            run = f"{marker}-{delay}"
            batch = kebao_pack(root, out, run, "--all", "--force")
            time.sleep(delay)
            batch.send_signal(signal.SIGKILL)
            batch.communicate()
            published = state(out)
            time.sleep(2.0)
            left = survivors(run)
            assert left == [], f"killed after {delay} s, still running 2 s later:\n" + "\n".join(left)
            time.sleep(1.0)
            assert state(out) == published, f"killed after {delay} s, a pack was published after it died"
    finally:
        poller.stop.set()
        poller.join()
    assert poller.problems == [] and poller.seen == set(PROGRAMMES) and poller.rounds > 100
    rerun = kebao_pack(root, out, marker, "--all")  # what the killed runs left is swept
    stdout, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stdout + stderr
    leftovers = [p.name for programme in PROGRAMMES for p in (out / programme).iterdir() if p.name != COHORT]
    assert leftovers == []


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_batch_stops_everything(tmp_path: Path, marker: str, signum: int) -> None:
    root, out = make_repo(tmp_path / "repo"), tmp_path / "packs"
    batch = kebao_pack(root, out, marker, "--all")
    time.sleep(4.0)
    batch.send_signal(signum)
    batch.communicate(timeout=30)
    time.sleep(2.0)
    assert survivors(marker) == []


@pytest.mark.slow
@pytest.mark.kernel
def test_two_batches_on_one_folder_never_build_the_same_pack(tmp_path: Path, marker: str) -> None:
    root, out = make_repo(tmp_path / "repo"), tmp_path / "packs"
    first = kebao_pack(root, out, marker, "--all")
    time.sleep(1.0)
    refused = kebao_pack(root, out, marker, "--all", "--no-wait")
    _, refusal = refused.communicate(timeout=120)
    second = kebao_pack(root, out, marker, "--all")
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert refused.returncode == 3 and "kebao: error: another kebao run (process" in refusal, refusal
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "waiting for it to finish" in err2
    assert "4 built, 0 up to date" in err1 and "0 built, 4 up to date" in err2  # the second found them fresh


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes, but the lock file (it names the last holder)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != ".kebao.lock"}


def _mount_tmpfs(folder: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs as the output folder needs root")
    folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)


@pytest.mark.slow
@pytest.mark.kernel
def test_a_full_disk_is_one_line_and_keeps_the_previous_pack(tmp_path: Path, marker: str) -> None:
    root, out = make_repo(tmp_path / "repo"), tmp_path / "disk"
    _mount_tmpfs(out, "16m")
    try:
        first = kebao_pack(root, out, marker, "nev-class")
        _, stderr = first.communicate(timeout=600)
        assert first.returncode == 0, stderr
        before = files(out)
        free = shutil.disk_usage(out).free
        (out / "filler").write_bytes(b"\0" * (free - 64 * 1024))  # 64 KiB left: the handbook will not fit
        full = kebao_pack(root, out, marker, "nev-class", "--force")
        _, stderr = full.communicate(timeout=600)
        (out / "filler").unlink()
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert full.returncode == 3, stderr
        assert len(lines) == 1 and lines[0].startswith("kebao: error: ") and "no space left" in lines[0], stderr
        after = files(out)
        assert after == before  # the previous pack intact, no failure record, no half-built folder
        assert [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())] == []  # no empty folder

        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        readonly = kebao_pack(root, out, marker, "nev-class", "--force")
        _, stderr = readonly.communicate(timeout=600)
        assert readonly.returncode == 3 and "read-only file system" in stderr and "Traceback" not in stderr, stderr
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)
