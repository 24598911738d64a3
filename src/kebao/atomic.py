"""Publishing a file safely: the one atomic-write helper.

A file is written to a temporary file in the same folder, flushed, fsynced and
renamed over its name, so a reader sees the old file or the new one, never a
half-written one, and a failed or killed writer leaves the old file as it was
(and at most a hidden ``.<name>.<random>.tmp`` that the next write ignores).
Folders of files (a course pack) are built in a temporary sibling folder by
:mod:`kebao.packs.bundle` and put in place by :func:`replace_folder`: on Linux
an atomic exchange of the two folders (``renameat2(RENAME_EXCHANGE)``), so a
reader sees the whole old folder or the whole new one, never a moment without
one. Where the file system cannot exchange (not Linux, or a file system
without ``RENAME_EXCHANGE`` support, such as some network file systems), the
old folder is renamed away and the new one renamed in: two renames
microseconds apart, during which the folder is missing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import tempfile
import uuid
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


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    False when the platform or file system cannot (the caller falls back); OSError for other failures.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def replace_folder(new: Path, target: Path) -> None:
    """Make the complete folder ``new`` be ``target`` atomically, and delete the old ``target`` (see the module
    docstring). A crash part-way leaves the old or the new folder at ``target`` and at most a hidden
    ``.<name>.old-*`` sibling, which the next publish of the same folder deletes."""
    new, target = Path(new), Path(target)
    if not target.exists():
        os.rename(new, target)  # fails if another process created it meanwhile
        _sync_folder(target.parent)
        return
    if exchange(new, target):
        _sync_folder(target.parent)
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old folder
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    _sync_folder(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def sweep_leftovers(target: Path) -> list[Path]:
    """Delete what interrupted publishes of ``target`` left beside it (``.<name>.building-*``, ``.<name>.old-*``).

    Only call it while holding the output folder's lock (:mod:`kebao.guard`): then no other run is writing them.
    """
    target = Path(target)
    swept = []
    if target.parent.is_dir():
        for kind in ("building", "old"):
            for leftover in target.parent.glob(f".{target.name}.{kind}-*"):
                shutil.rmtree(leftover, ignore_errors=True)
                swept.append(leftover)
    return swept
