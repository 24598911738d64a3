"""One writer per output folder, and no process of a run outliving it or publishing after it died.

**The folder lock.** ``kebao pack``, ``kebao book`` and ``kebao check`` hold an
exclusive ``flock`` on ``<folder>/.kebao.lock`` (the packs folder, the site's
``_build``) for as long as they write there. A second run waits, after saying
who holds it (the holder writes its process id and command into the file), or
with ``wait=False`` refuses at once (:class:`~kebao.errors.ResourceError`, exit
code 3). The kernel releases a ``flock`` when its holder dies, however it dies,
so a killed run never leaves a stale lock; worker processes are started by a
fork server and never inherit it.

**The owner.** A batch worker is a child of multiprocessing's fork server, not
of the process that asked for the batch (its *owner*), so killing the owner did
not stop it: workers went on building and published packs. Now a worker calls
:func:`watch_owner` first thing: it opens a pidfd of the owner (immune to pid
reuse) and a thread kills the worker the moment the owner ends; a
``PR_SET_PDEATHSIG`` of SIGKILL also ends it when the fork server goes. The
worker's kernels follow within milliseconds (the kernel template watches the
owner and each kernel its launcher: :mod:`kebao.notebooks.forkkernel`). And
:func:`owner_alive` is asked just before a pack is published, so a worker whose
owner died a moment earlier publishes nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ResourceError

LOCK_NAME = ".kebao.lock"
_PR_SET_PDEATHSIG = 1
_owner_fd: int | None = None
_held: dict[str, int] = {}  # folders whose lock this process holds, and how many blocks hold it


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[Path]:
    """Hold ``folder``'s lock (creating the folder) for the block; see the module docstring.

    ``on_wait(message)`` is called once when another run holds it and we wait.
    """
    import fcntl

    folder = Path(folder)
    lock = folder / LOCK_NAME
    key = str(folder.resolve())
    if _held.get(key):  # already ours (kebao book -> packs -> …): flock would wait for itself
        _held[key] += 1
        try:
            yield lock
        finally:
            _held[key] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ResourceError.from_os_error(error, f"locking the output folder {folder}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            message = f"another kebao run ({holder}) is writing to {folder}"
            if not wait:
                raise ResourceError(message, "wait for it to finish, or run without --no-wait to wait") from None
            if on_wait is not None:
                on_wait(f"{message}; waiting for it to finish (Ctrl-C to stop)")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # who holds it, for the next run's message (best effort: disk full)
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()} {' '.join(sys.argv)[:300]}\n".encode(), 0)
        _held[key] = 1
        try:
            yield lock
        finally:
            _held.pop(key, None)
    finally:
        os.close(descriptor)  # releases the lock


def _holder(descriptor: int) -> str:
    try:
        text = os.pread(descriptor, 400, 0).decode("utf-8", "replace").strip()
    except OSError:
        return "process unknown"
    pid, _, command = text.partition(" ")
    return f"process {pid}: {command}" if pid.isdigit() else "process unknown"


def watch_owner(owner: int) -> None:
    """In a batch worker: die as soon as process ``owner`` (the run that started the batch) ends.

    Linux only (pidfds and prctl); elsewhere it does nothing and workers end as multiprocessing ends them.
    """
    global _owner_fd
    if not hasattr(os, "pidfd_open") or owner == os.getpid():
        return
    _parent_death_signal(signal.SIGKILL)
    try:
        descriptor = _owner_fd = os.pidfd_open(owner)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGKILL)  # the owner is gone already
        raise

    def watch() -> None:
        select.select([descriptor], [], [])
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup: kernels follow their template, leftovers are swept

    threading.Thread(target=watch, name="kebao-owner-watch", daemon=True).start()


def owner_alive() -> bool:
    """False when this process is a batch worker whose owner has ended (True outside batches)."""
    if _owner_fd is None:
        return True
    descriptor: int = _owner_fd
    readable, _, _ = select.select([descriptor], [], [], 0)
    return not readable


def _parent_death_signal(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when its parent (thread) ends (Linux; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        if os.getppid() != parent:  # the parent ended before prctl took effect: we were re-parented
            os.kill(os.getpid(), signum)
