"""Atomic publishing, one writer per output folder, clear resource errors (issue 16), without kernels.

The same faults with real packs, real kernels, SIGKILL and a real full disk are in tests/test_faults.py.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kebao.atomic import exchange, replace_folder
from kebao.errors import PackError, ResourceError
from kebao.guard import folder_lock
from kebao.packs.bundle import publish_atomically, publish_pack
from kebao.paths import PackAddress


def _pack(folder: Path, version: int) -> None:
    for index in range(20):
        (folder / f"file-{index}.txt").write_text(f"{version}\n")
    (folder / "manifest.json").write_text(f"{version}\n")


def test_a_pack_is_never_missing_while_it_is_replaced(tmp_path: Path) -> None:
    """A poller (like the one that saw the folder missing during forced rebuilds) finds every file, always.

    A reader that opens each file by path sees the old or the new version of that file; one that opened a
    file (a zip being downloaded) keeps reading the version it opened.
    """
    target = tmp_path / "packs" / "p" / "c"
    publish_atomically(lambda folder: _pack(folder, 0), target)
    seen: list[str] = []
    stop = threading.Event()
    opened = open(target / "manifest.json")  # noqa: SIM115  (held across the replacements)

    def poll() -> None:
        while not stop.is_set():
            for name in ("manifest.json", *(f"file-{i}.txt" for i in range(20))):
                if not (target / name).is_file():
                    seen.append(f"missing {name}")

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for version in range(1, 60):
            publish_atomically(lambda folder, v=version: _pack(folder, v), target)  # type: ignore[misc]
    finally:
        stop.set()
        poller.join()
    assert opened.read() == "0\n"
    opened.close()
    assert seen == []
    assert (target / "manifest.json").read_text() == "59\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["c"]  # nothing left beside it


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b" / "x").write_text("b")
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this file system cannot exchange folders atomically (the two-rename fallback is used)")
    assert (tmp_path / "a" / "x").read_text() == "b" and (tmp_path / "b" / "x").read_text() == "a"


def test_leftovers_of_an_interrupted_run_are_swept(tmp_path: Path) -> None:
    target = tmp_path / "p" / "c"
    publish_atomically(lambda folder: _pack(folder, 0), target)
    for leftover in (".c.building-dead0001", ".c.old-dead0002"):
        (target.parent / leftover).mkdir()
        (target.parent / leftover / "half.html").write_text("half")
    publish_atomically(lambda folder: _pack(folder, 1), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["c"]


def test_a_full_disk_is_one_resource_error_and_leaves_nothing(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    address = PackAddress("prog", "cohort")

    def full(folder: Path) -> None:
        (folder / "handbook.html").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "handbook.pdf"))

    with pytest.raises(ResourceError) as raised:
        publish_pack(full, packs, address)
    assert "no space left" in raised.value.message and raised.value.exit_code == 3
    assert "df -h" in raised.value.hint
    assert not packs.exists()  # no empty folder it created, no _failed record of a full disk


def test_an_existing_pack_survives_a_failed_rebuild(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    address = PackAddress("prog", "cohort")
    publish_pack(lambda folder: _pack(folder, 1), packs, address)

    def broken(folder: Path) -> None:
        raise PackError("the notebook failed")

    with pytest.raises(PackError):
        publish_pack(broken, packs, address)
    assert (address.folder(packs) / "manifest.json").read_text() == "1\n"
    assert (address.failed(packs) / "error.txt").is_file()
    publish_pack(lambda folder: _pack(folder, 2), packs, address)
    assert sorted(p.name for p in packs.iterdir()) == ["prog"]  # the stale failure record and _failed are gone


def test_a_read_only_output_folder_is_one_resource_error(tmp_path: Path) -> None:
    error = ResourceError.from_os_error(OSError(errno.EROFS, "Read-only file system", "/mnt/x"), "publishing /mnt/x")
    assert str(error).startswith("publishing /mnt/x: /mnt/x is on a read-only file system (choose a writable")
    assert ResourceError.from_os_error(OSError(errno.EACCES, "Permission denied", "/x")).message == \
        "permission denied: /x"


_HOLD = """
import sys, time
from pathlib import Path
from kebao.guard import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_one_writer_per_output_folder(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path), "1.5"], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ResourceError, match=r"another kebao run \(process \d+: .*\) is writing to"):
            with folder_lock(tmp_path, wait=False):
                pass
        said: list[str] = []
        started = time.monotonic()
        with folder_lock(tmp_path, on_wait=said.append):
            waited = time.monotonic() - started
            with folder_lock(tmp_path, wait=False):  # ours already: no deadlock with ourselves
                pass
        assert waited > 0.5 and len(said) == 1 and "waiting for it to finish" in said[0]
    finally:
        holder.kill()
        holder.communicate()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path), "60"], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.communicate()
    with folder_lock(tmp_path, wait=False):
        pass


def test_replace_folder_puts_a_new_folder_in_place(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    replace_folder(tmp_path / "new", tmp_path / "target")
    assert (tmp_path / "target").is_dir() and not (tmp_path / "new").exists()
