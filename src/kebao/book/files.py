"""Write a folder of generated files, touching only files whose bytes changed.

Sphinx decides what to re-read by modification time, so rewriting an
unchanged page would rebuild it for nothing; stale files (a deleted module's
page) are removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic


@dataclass(frozen=True)
class SyncReport:
    """What :func:`sync_folder` did, as paths relative to the folder."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def sync_folder(folder: Path, files: Mapping[str, bytes]) -> SyncReport:
    """Make ``folder`` hold exactly ``files`` (relative POSIX path -> bytes)."""
    written: list[str] = []
    unchanged: list[str] = []
    for name in sorted(files):
        path = folder / name
        data = files[name]
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            unchanged.append(name)
            continue
        write_atomic(path, data)
        written.append(name)
    removed: list[str] = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*"), reverse=True):  # children before their folders
            name = path.relative_to(folder).as_posix()
            if path.is_dir():
                if not any(path.iterdir()):
                    path.rmdir()
            elif name not in files:
                path.unlink()
                removed.append(name)
    return SyncReport(tuple(written), tuple(unchanged), tuple(sorted(removed)))
