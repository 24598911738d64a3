"""Bundling packs: atomic publish, kept failures, manifest, deterministic zip."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from kebao.errors import NotebookFailed, PackError
from kebao.packs.bundle import (
    check_entry_name,
    content_date,
    keep_failed,
    make_zip,
    publish_atomically,
    publish_pack,
    read_manifest,
    tool_versions,
    write_manifest,
)
from kebao.paths import PackAddress

from .paths import REPO


def fill(folder: Path, text: str = "v1") -> None:
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    (folder / "timetable.csv").write_text(f"date,module\n2025-03-01,{text}\n", encoding="utf-8")
    (folder / "figures" / "学时.png").write_bytes(b"\x89PNG fake " + text.encode())
    (folder / "日程表.xlsx").write_bytes(b"PK fake xlsx " + text.encode())


NAMES = ["figures/学时.png", "timetable.csv", "日程表.xlsx"]  # what fill() writes
PACK = PackAddress("rural-revival", "2025-spring")


def siblings(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.parent.iterdir())


# -- atomic publish -------------------------------------------------------------


def test_publish_replaces_the_old_pack_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "packs" / "rural-revival" / "2025-spring"
    publish_atomically(fill, target)
    assert (target / "timetable.csv").read_text(encoding="utf-8").endswith("v1\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~_umask(), "a normal folder, not mkdtemp's 0700"

    def broken(folder: Path) -> None:
        fill(folder, "v2")
        raise RuntimeError("cell 7 failed")

    with pytest.raises(RuntimeError, match="cell 7"):
        publish_atomically(broken, target)
    assert (target / "timetable.csv").read_text(encoding="utf-8").endswith("v1\n"), "the good pack is untouched"
    assert siblings(target) == ["2025-spring"], "no temporary folder is left"

    publish_atomically(lambda folder: fill(folder, "v3"), target)
    assert (target / "timetable.csv").read_text(encoding="utf-8").endswith("v3\n")
    assert siblings(target) == ["2025-spring"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failed_pack_keeps_its_notebooks_and_error(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    publish_pack(fill, root, PACK)

    def failing(folder: Path) -> None:
        fill(folder, "v2")
        executed = folder / "course_pack.ipynb"
        executed.write_text('{"cells": []}', encoding="utf-8")
        raise NotebookFailed(Path("notebooks/course_pack.ipynb"), {"cohort": "2025-spring", "size": 30},
                             cell_index=7, execution_count=5, ename="KeyError", evalue="'venue'",
                             traceback="Traceback …\nKeyError: 'venue'", output=executed)

    with pytest.raises(NotebookFailed):
        publish_pack(failing, root, PACK)
    kept = root / "_failed" / "rural-revival" / "2025-spring"
    assert kept == PACK.failed(root)
    assert sorted(path.name for path in kept.iterdir()) == ["course_pack.ipynb", "error.txt"]
    report = (kept / "error.txt").read_text(encoding="utf-8")
    assert "cell index:      7" in report and "KeyError: 'venue'" in report
    assert '"cohort": "2025-spring"' in report and "Traceback …" in report
    assert (root / "rural-revival" / "2025-spring" / "timetable.csv").read_text(encoding="utf-8").endswith("v1\n")

    publish_pack(fill, root, PACK)
    assert not kept.exists(), "a good build clears the stale failure"


def test_keep_failed_replaces_the_previous_failure(tmp_path: Path) -> None:
    notebook = tmp_path / "a.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    keep_failed(tmp_path, PackAddress("p", "c"), "first", [notebook])
    folder = keep_failed(tmp_path, PackAddress("p", "c"), RuntimeError("second"))
    assert sorted(path.name for path in folder.iterdir()) == ["error.txt"]
    assert (folder / "error.txt").read_text(encoding="utf-8").startswith("RuntimeError: second")


@pytest.mark.parametrize("name", ["..", "", "a/b", "_failed", "C:x"])
def test_pack_folder_names_are_checked(tmp_path: Path, name: str) -> None:
    with pytest.raises(PackError, match="cannot be a folder name"):
        publish_pack(fill, tmp_path, PackAddress("rural-revival", name))


# -- manifest ---------------------------------------------------------------------


def test_the_manifest_records_parameters_inputs_outputs_and_versions(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    fill(pack)
    spec = tmp_path / "programme.yml"
    spec.write_text("id: rural-revival\n", encoding="utf-8")
    (pack / "not-in-the-pack.txt").write_text("left over")
    readers = {"figures/学时.png": "participant", "timetable.csv": "participant", "日程表.xlsx": "office"}
    path = write_manifest(pack, {"cohort": "2025-春", "size": 30}, {"curricula/programmes/rural-revival.yml": spec},
                          readers, cache_key="abc", repository=REPO)
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest == read_manifest(pack)
    assert manifest["parameters"] == {"cohort": "2025-春", "size": 30}
    assert manifest["cache_key"] == "abc"
    assert manifest["inputs"] == {"curricula/programmes/rural-revival.yml": {
        "sha256": hashlib.sha256(b"id: rural-revival\n").hexdigest(), "bytes": 18}}
    assert list(manifest["outputs"]) == NAMES, "only the files named, sorted"
    for name, record in manifest["outputs"].items():
        data = (pack / name).read_bytes()
        assert record == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "for": readers[name]}
    assert {"python", "kebao", "papermill", "nbconvert", "pandas", "matplotlib"} <= set(manifest["versions"])
    assert manifest["git_commit"] is None or len(manifest["git_commit"].split("+")[0]) == 40
    assert "created" not in manifest  # no time stamp: a rebuild is byte-identical


def test_without_git_the_commit_is_null(tmp_path: Path) -> None:
    fill(tmp_path / "pack")
    manifest = json.loads(write_manifest(tmp_path / "pack", {}, {}, {"timetable.csv": "participant"},
                                         {"python": "3"}, repository=tmp_path).read_text())
    assert manifest["git_commit"] is None and manifest["versions"] == {"python": "3"}


def test_tool_versions_skips_absent_tools() -> None:
    assert set(tool_versions(["pandas", "no-such-tool-kebao"])) == {"python", "pandas"}


# -- zip ---------------------------------------------------------------------------


def test_zips_are_byte_identical_across_builds(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    fill(first)
    time.sleep(0.01)
    fill(second)
    os.utime(second / "timetable.csv", (1_000_000_000, 1_000_000_000))
    (second / "timetable.csv").chmod(0o600)
    a = make_zip(first, tmp_path / "a.zip", NAMES)
    b = make_zip(second, tmp_path / "b.zip", reversed(NAMES))
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == ["figures/学时.png", "timetable.csv", "日程表.xlsx"]
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
        assert all(stat.S_IMODE(info.external_attr >> 16) == 0o644 for info in infos)
        assert all(info.flag_bits & 0x800 for info in infos if not info.filename.isascii())
        assert archive.read("figures/学时.png") == (first / "figures" / "学时.png").read_bytes()


def test_a_zip_holds_only_the_files_named(tmp_path: Path) -> None:
    fill(tmp_path)
    make_zip(tmp_path, tmp_path / "pack.zip", NAMES)
    make_zip(tmp_path, tmp_path / "pack.zip", ["timetable.csv"])
    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        assert archive.namelist() == ["timetable.csv"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "a\\b", "C:/x", "c:x", "a//b", "./a", ""])
def test_unsafe_entry_names_are_refused(name: str) -> None:
    with pytest.raises(PackError, match="refusing the file name"):
        check_entry_name(name)


def test_files_with_unsafe_names_or_links_are_refused(tmp_path: Path) -> None:
    fill(tmp_path / "pack")
    (tmp_path / "pack" / "back\\slash.txt").write_text("x")
    with pytest.raises(PackError, match="backslash"):
        make_zip(tmp_path / "pack", tmp_path / "pack.zip", [*NAMES, "back\\slash.txt"])
    (tmp_path / "pack" / "back\\slash.txt").unlink()
    (tmp_path / "pack" / "outside").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(PackError, match="symbolic link"):
        make_zip(tmp_path / "pack", tmp_path / "pack.zip", [*NAMES, "outside"])
    assert not (tmp_path / "pack.zip").exists()


def test_a_zip_keeps_its_files_in_one_folder_dated_as_given(tmp_path: Path) -> None:
    fill(tmp_path / "a")
    fill(tmp_path / "b")
    one = make_zip(tmp_path / "a", tmp_path / "one.zip", NAMES, top="rural-revival-2025-spring",
                   date=(2026, 11, 30, 21, 4, 6))
    two = make_zip(tmp_path / "b", tmp_path / "two.zip", NAMES, top="seniors-2026-autumn")
    unpacked = tmp_path / "downloads"
    for archive_path in (one, two):
        with zipfile.ZipFile(archive_path) as archive:
            archive.extractall(unpacked)
    assert sorted(p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()) == sorted(
        [f"rural-revival-2025-spring/{name}" for name in NAMES] + [f"seniors-2026-autumn/{name}" for name in NAMES])
    with zipfile.ZipFile(one) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 30, 21, 4, 6)}
    with pytest.raises(PackError, match="refusing the file name '../x'"):
        make_zip(tmp_path / "a", tmp_path / "bad.zip", NAMES, top="../x")


def git(repository: Path, *args: str, when: str = "") -> None:
    environment = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else None
    subprocess.run(["git", "-C", str(repository), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   check=True, capture_output=True, env=environment)


def test_the_content_date_is_the_newest_commit_of_the_inputs_or_an_edit_not_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    first, second, other = repo / "a.yml", repo / "b.md", repo / "other.md"
    for path in (first, second, other):
        path.write_text("x\n", encoding="utf-8")
    os.utime(first, (1_700_000_000, 1_700_000_000))
    assert content_date(repo, [first]) == dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)  # no git: mtimes
    git(repo, "init", "-q")
    git(repo, "add", "a.yml", "b.md")
    git(repo, "commit", "-qm", "one", when="2026-01-02T03:04:05+00:00")
    git(repo, "add", "other.md")
    git(repo, "commit", "-qm", "unrelated", when="2026-06-01T00:00:00+00:00")
    committed = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert content_date(repo, [first, second]) == committed  # the inputs' commit, not the newest one
    second.write_text("edited\n", encoding="utf-8")
    os.utime(second, (1_800_000_000, 1_800_000_000))
    assert content_date(repo, [first, second]) == dt.datetime.fromtimestamp(1_800_000_000, dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    assert content_date(repo, [first, second]) == dt.datetime.fromtimestamp(1_000_000_000, dt.UTC)
