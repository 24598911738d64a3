"""Publishing a file safely: the one atomic-write helper.

A file is written to a temporary file in the same folder, flushed, fsynced and
renamed over its name, so a reader sees the old file or the new one, never a
half-written one, and a failed or killed writer leaves the old file as it was
(and at most a hidden ``.<name>.<random>.tmp`` that the next write ignores).
Folders of files (a course pack) are published by :mod:`kebao.packs.bundle`,
which builds them in a temporary sibling folder and renames that.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_output(path: Path, *, exclusive: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write that becomes ``path`` only when the block ends without an error.

    With ``exclusive`` an existing ``path`` is never replaced: FileExistsError,
    and nothing is written (for files a person may have started editing).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp's 0600 would become the published file's mode
        if exclusive:
            _link(temporary, path)
        else:
            os.replace(temporary, path)
        _sync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, *, exclusive: bool = False) -> Path:
    """Write ``data`` (text as UTF-8, newlines as given) to ``path`` atomically; see :func:`atomic_output`."""
    with atomic_output(path, exclusive=exclusive) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it; set back at once (at import, before any thread writes)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _link(temporary: Path, path: Path) -> None:
    """Give ``temporary`` the name ``path`` unless that exists (FileExistsError)."""
    try:
        os.link(temporary, path)  # atomic, and fails if the file exists or appeared meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temporary, path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system lets a folder be opened)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
