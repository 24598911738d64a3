"""Stamps: "nothing changed since the last successful run", decided from file sizes and times alone.

A run that may be skipped takes a fingerprint of its sources *before* it starts (path, size and modification
time of every file, as ``make`` would), removes the previous stamp, and after it succeeds records the sources
fingerprint with one of its outputs taken then. The next run recomputes both and, when both match, need not
load anything heavy: a source edited during the run differs from the fingerprint taken before it, and a
failed run leaves no stamp. Standard library only, so that the decision costs milliseconds.
Used by ``kebao book`` (:mod:`kebao.book.nochange`) and ``kebao pack --all`` (:mod:`kebao.packs.nochange`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

VERSION = 1
SKIP_DIRS = frozenset({"__pycache__", "node_modules"})


def tree(folder: Path, *, under: Path | None = None, skip: Iterable[Path] = ()) -> Iterator[str]:
    """``relative path, size, mtime`` of every file under ``folder``, sorted; hidden names and ``skip`` left out.

    Paths are relative to ``under`` (default: ``folder``); a missing folder has no files.
    """
    folder = Path(folder)
    base = Path(under) if under is not None else folder
    skipped = {Path(path) for path in skip}
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and here / d not in skipped)
        for name in sorted(files):
            if name.startswith(".") or here / name in skipped:
                continue
            path = here / name
            try:
                found = path.stat()
            except OSError:
                continue
            yield f"{path.relative_to(base).as_posix()}\0{found.st_size}\0{found.st_mtime_ns}"


def stat_line(path: Path) -> str:
    """One file's (or folder's) identity, size and time, or that it is missing."""
    try:
        found = Path(path).stat()
    except OSError:
        return f"{path}\0missing"
    return f"{path}\0{found.st_ino}\0{found.st_size}\0{found.st_mtime_ns}"


def digest(lines: Iterable[str]) -> str:
    """The sha256 hex digest of ``lines``."""
    hashed = hashlib.sha256()
    for line in lines:
        hashed.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return hashed.hexdigest()


def kebao_code() -> Iterator[str]:
    """kebao's own files (code, templates), for a sources fingerprint."""
    package = Path(__file__).resolve().parent
    yield "(kebao)"
    yield from tree(package)


class Stamp:
    """The sources as they were when a run started, held against the last successful run's stamp ``file``."""

    def __init__(self, file: Path, sources: str, outputs: Callable[[], str]):
        self.file = Path(file)
        self.sources = sources
        self.outputs = outputs

    def unchanged(self) -> dict[str, Any] | None:
        """The last run's recorded ``payload`` when its sources are these and its outputs as it left them."""
        try:
            recorded = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (isinstance(recorded, dict) and recorded.get("version") == VERSION
                and recorded.get("sources") == self.sources and recorded.get("outputs") == self.outputs()):
            payload = recorded.get("payload")
            return payload if isinstance(payload, dict) else {}
        return None

    def forget(self) -> None:
        """Remove the last run's stamp (a run is starting; it may fail)."""
        try:
            self.file.unlink()
        except OSError:  # none yet, or a read-only folder (the run itself will say so)
            pass

    def record(self, payload: dict[str, Any] | None = None) -> None:
        """After a successful run: the sources as they were at its start, the outputs as they are now."""
        from .atomic import write_atomic

        document = {"version": VERSION, "sources": self.sources, "outputs": self.outputs(), "payload": payload or {}}
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.file, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        except OSError:  # a stamp only saves time: the run succeeded, and the next one checks everything
            pass
