"""Shared fixtures, and two guards that keep the test lanes honest.

Lanes (markers, registered in pyproject.toml): ``slow`` builds the real site or
packs, or takes over a second; ``kernel`` starts a Jupyter kernel (papermill,
nbclient, kebao's kernel pool, or ``kebao book|check|pack`` in a subprocess);
``browser`` drives headless Chromium or JupyterLab; ``database`` uses the records
database, on SQLite and on a throw-away PostgreSQL cluster (tests/database.py).
``make test-fast`` runs the tests with none of them (the pure lane, seconds);
``make test`` runs everything.

Fixtures:

* ``catalog_root``: a private copy of the tiny catalogue in tests/fixtures/catalog;
* ``built_site`` (session): the repository's site, built once by ``kebao book``
  in a copy of the repository's content in a temporary folder (tests/book_site.py);
* ``trainer_site`` (session): the trainer site (``--edition trainer``) built
  after it in the same copy;
* ``postgres`` (session): a throw-away PostgreSQL cluster (tests/database.py);
* ``database_url``: an empty records database, once on SQLite and once on PostgreSQL (parametrised);
* ``screenshots`` (session): the folder browser tests save screenshots in, a
  temporary one named at the end of the run.

Guards:

* A test in the pure lane (no ``slow``, ``kernel`` or ``browser`` mark) that
  starts a Jupyter kernel, or runs ``kebao book``, ``check`` or ``pack`` in a
  subprocess, fails with "mark it @pytest.mark.kernel" instead of quietly making
  the fast lane slow; so does a fixture set up for it that does
  (``_no_kernels_in_the_pure_lane`` wraps ``start_kernel`` of jupyter_client's
  kernel managers and ``subprocess.Popen`` for the whole session).
* No test writes into the checkout: the checkout's ``git status --ignored`` (and
  the size and time of every file it lists) is recorded when the session starts
  and compared when it ends; any file created, changed or deleted in between is
  named and the run fails (``_checkout_unchanged``). Local changes made before
  the run do not count; caches of the tools (``.venv``, ``__pycache__``,
  ``.pytest_cache``, ``.hypothesis``, ``.mypy_cache``, ``.ruff_cache``,
  ``*.egg-info``) are not looked at.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from .book_site import BuiltSite, build_site, copy_content, plant_records
from .database import Cluster
from .paths import FIXTURES, REPO

# -- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    """A private copy of the fixture catalogue that a test may change."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    return root


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's site (packs, generated pages, every case executed), built once per session in a copy."""
    return build_site(plant_records(copy_content(tmp_path_factory.mktemp("site") / "repo")))


@pytest.fixture(scope="session")
def trainer_site(built_site: BuiltSite) -> BuiltSite:
    """The trainer site (``kebao book --edition trainer``) of the same copy, after the public one."""
    return build_site(built_site.root, edition="trainer")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throw-away PostgreSQL cluster in a temporary folder, stopped and deleted at the end of the session."""
    cluster = Cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty records database's address: SQLite in a temporary folder, or a new database in ``postgres``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records' / 'kebao.sqlite'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()


_SCREENSHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save screenshots for a person to look at (printed at the end of the run)."""
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    request.config.stash[_SCREENSHOTS] = folder
    return folder


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    folder = config.stash.get(_SCREENSHOTS, None)
    if folder is not None and any(folder.glob("*.png")):
        terminalreporter.write_line(f"screenshots of the site and the studio: {folder}")


# -- guard: nothing in the pure lane starts a kernel ------------------------------------------------------------

_HEAVY_LANES = ("slow", "kernel", "browser")
_KERNEL_COMMANDS = ("book", "check", "pack")
_running: list[pytest.Item] = []  # the test being set up, run or torn down (fixtures included)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def _refuse_in_the_pure_lane(what: str) -> None:
    """Fail if the running test (or a fixture set up for it) has no slow, kernel or browser mark."""
    if _running and not any(_running[-1].get_closest_marker(lane) for lane in _HEAVY_LANES):
        raise AssertionError(f"this test {what}: mark it @pytest.mark.kernel "
                             "(the pure lane, make test-fast, starts no kernel)")


def _kebao_command(args: Any) -> str | None:
    """``book`` for ``[python, -m, kebao, book, ...]`` or ``[.../kebao, book, ...]``; None for other commands."""
    if isinstance(args, (str, bytes, os.PathLike)) or not isinstance(args, Sequence):
        return None
    words = [os.fsdecode(word) for word in args]
    for index, word in enumerate(words[:-1]):
        if Path(word).name == "kebao":
            return words[index + 1]
    return None


@pytest.fixture(scope="session", autouse=True)
def _no_kernels_in_the_pure_lane() -> Iterator[None]:
    """For the whole session: a test without a slow/kernel/browser mark may not start a kernel or a kebao command
    that does (``kebao book|check|pack`` in a subprocess); checked when it happens, in the test or its fixtures."""
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    def guarded(original: Any) -> Any:
        if inspect.iscoroutinefunction(original):  # AsyncKernelManager's (jupyter_core's run_sync checks this)
            @functools.wraps(original)
            async def start_async(*args: Any, **kwargs: Any) -> Any:
                _refuse_in_the_pure_lane("starts a Jupyter kernel")
                return await original(*args, **kwargs)
            return start_async

        @functools.wraps(original)
        def start(*args: Any, **kwargs: Any) -> Any:
            _refuse_in_the_pure_lane("starts a Jupyter kernel")
            return original(*args, **kwargs)
        return start

    popen_init = subprocess.Popen.__init__

    @functools.wraps(popen_init)
    def checked_popen(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        command = _kebao_command(args)
        if command in _KERNEL_COMMANDS:
            _refuse_in_the_pure_lane(f"runs `kebao {command}` in a subprocess, which starts kernels")
        popen_init(self, args, *rest, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KernelManager, "start_kernel", guarded(KernelManager.start_kernel))
        patch.setattr(AsyncKernelManager, "start_kernel", guarded(AsyncKernelManager.start_kernel))
        patch.setattr(subprocess.Popen, "__init__", checked_popen)
        yield


# -- guard: no test writes into the checkout --------------------------------------------------------------------

_TOOL_CACHES = (".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "*.egg-info")


def checkout_state(root: Path = REPO) -> dict[str, tuple[str, int, int] | None]:
    """Every path ``git status --ignored`` lists in ``root`` -> (status, size, mtime); None outside a git checkout.

    Tracked files that are unchanged are not listed: a change to one makes it appear.
    """
    if not (root / ".git").exists() or shutil.which("git") is None:
        return None
    excluded = [f":(exclude,glob)**/{name}/**" for name in _TOOL_CACHES]
    listed = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all",
                             "--no-renames", "--", ".", *excluded],
                            cwd=root, capture_output=True, check=True, timeout=120).stdout
    state: dict[str, tuple[str, int, int]] = {}
    for entry in os.fsdecode(listed).split("\0"):
        if entry:
            status, path = entry[:2], entry[3:]
            try:
                info = (root / path).lstat()
                state[path] = (status, info.st_size, info.st_mtime_ns)
            except FileNotFoundError:
                state[path] = (status, -1, -1)
    return state


def checkout_changes(before: dict[str, tuple[str, int, int]], after: dict[str, tuple[str, int, int]]) -> list[str]:
    """What happened to each path between two :func:`checkout_state` calls: 'created x', 'changed y'…"""
    changes = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if new is not None and new[1] < 0:
            changes.append(f"deleted {path}")
        elif new is None:  # no longer listed: an untracked file removed, or a tracked one back as committed
            changes.append(f"deleted {path}" if old and old[0] in ("??", "!!") else f"changed {path}")
        elif old is None and new[0] in ("??", "!!"):
            changes.append(f"created {path}")
        else:
            changes.append(f"changed {path}")
    return changes


@pytest.fixture(scope="session", autouse=True)
def _checkout_unchanged() -> Iterator[None]:
    """Fails the run, naming the files, if the tests created, changed or deleted anything in the checkout."""
    before = checkout_state()
    yield
    if before is None:
        return
    after = checkout_state()
    assert after is not None
    changes = checkout_changes(before, after)
    if changes:
        shown = "\n  ".join(changes[:50]) + (f"\n  … and {len(changes) - 50} more" if len(changes) > 50 else "")
        pytest.fail(f"tests wrote into the checkout {REPO} (write into tmp_path or a copy instead):\n  {shown}",
                    pytrace=False)
