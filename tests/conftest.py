"""Shared fixtures, and a guard: no test writes into the checkout.

Fixtures:

* ``catalog_root``: a private copy of the tiny catalogue in tests/fixtures/catalog;
* ``built_site`` (session): the repository's site, built once by ``kebao book``
  in a copy of the repository's content in a temporary folder (tests/book_site.py);
* ``screenshots`` (session): the folder browser tests save screenshots in, a
  temporary one named at the end of the run.

Guard:

* No test writes into the checkout: the checkout's ``git status --ignored`` (and
  the size and time of every file it lists) is recorded when the session starts
  and compared when it ends; any file created, changed or deleted in between is
  named and the run fails (``_checkout_unchanged``). Local changes made before
  the run do not count; caches of the tools (``.venv``, ``__pycache__``,
  ``.pytest_cache``, ``.hypothesis``, ``.mypy_cache``, ``.ruff_cache``,
  ``*.egg-info``) are not looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .book_site import BuiltSite, build_site, copy_content
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
    return build_site(copy_content(tmp_path_factory.mktemp("site") / "repo"))


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
