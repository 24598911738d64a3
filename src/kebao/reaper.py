"""A run's last word: when ``kebao pack``, ``kebao book`` or ``kebao check`` ends, however it ends, so does
every process it started.

Workers, the kernel template and its kernels already watch their owner
(:mod:`kebao.guard`, :mod:`kebao.notebooks.forkkernel`), but not every process
a run starts is ours: Sphinx forks readers and writers, jupyter-cache starts
plain kernels (in sessions of their own), multiprocessing starts its fork
server and resource tracker, and a process that is still unwinding its
imports when its owner dies can take seconds to exit. So the command, as it
starts, tags its environment: ``KEBAO_RUN`` lists the runs a process belongs
to (a run started inside another run adds its own), and every process it
starts, and theirs, inherits the tag. It also starts this small reaper (the
standard library only, a few milliseconds), in a session of its own so that
Ctrl-C in the terminal or a signal to the run's process group does not reach
it. The reaper waits on a pidfd of the run; the moment the run has ended
(normally, by Ctrl-C, SIGTERM or SIGKILL) it SIGKILLs every process whose
environment carries the run's tag, again and again until none is left, then
exits. The environment a process started with is read from ``/proc``, so a
process that changes its own environment stays tagged.

Linux only (pidfds and ``/proc``); elsewhere :func:`start` does nothing.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import uuid

VARIABLE = "KEBAO_RUN"
PATIENCE = 10.0  # seconds of sweeping after the run ended, for processes that keep forking


def supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and os.path.isdir("/proc/self")


def start() -> str | None:
    """Tag this process's environment as a new run and start its reaper; the run's tag (None when unsupported)."""
    if not supported():
        return None
    tag = uuid.uuid4().hex
    os.environ[VARIABLE] = " ".join([*os.environ.get(VARIABLE, "").split(), tag])
    environment = {key: value for key, value in os.environ.items() if key != VARIABLE}  # the reaper is not tagged
    # No stdio of the run: a caller reading the run's output until it closes must not wait for the reaper.
    subprocess.Popen([sys.executable, "-I", "-S", os.path.abspath(__file__), str(os.getpid()), tag],
                     env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    return tag


def tagged(tag: str) -> list[int]:
    """Every process (but this one) whose starting environment has ``tag`` among its runs."""
    wanted = f"{VARIABLE}=".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as file:
                environment = file.read()
        except OSError:  # gone, or not ours to read
            continue
        for entry in environment.split(b"\0"):
            if entry.startswith(wanted) and tag in entry[len(wanted):].decode("ascii", "replace").split():
                found.append(int(name))
                break
    return found


def sweep(tag: str, patience: float = PATIENCE) -> int:
    """SIGKILL the run's processes until a look finds none; how many were killed."""
    deadline = time.monotonic() + patience
    killed: set[int] = set()
    while time.monotonic() < deadline:
        found = tagged(tag)
        if not found:
            break
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except (ProcessLookupError, PermissionError):
                continue
        time.sleep(0.02)  # zombies stay listed (with an empty environment) until their parents reap them
    return len(killed)


def reap(owner: int, tag: str) -> None:
    """Wait for process ``owner`` to end, then :func:`sweep` its run."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # outlive the run, whatever reaches its group
    try:
        descriptor = os.pidfd_open(owner)
    except ProcessLookupError:
        pass  # already gone
    else:
        select.select([descriptor], [], [])
    sweep(tag)


if __name__ == "__main__":
    reap(int(sys.argv[1]), sys.argv[2])
