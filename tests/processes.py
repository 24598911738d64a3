"""The processes a `kebao` command started, found by a marker in their environment (tests of issue 16).

A test starts the command with ``KEBAO_TEST_RUN=<marker>`` in its environment; every process it starts, and
theirs, inherits it (forkserver, workers, resource tracker, kernel template, launchers, kernels, Sphinx's
processes, jupyter-cache's kernels), which is how a test finds what survived the command.
"""

from __future__ import annotations

import time

import psutil

VARIABLE = "KEBAO_TEST_RUN"


def survivors(marker: str) -> list[str]:
    """The live (not zombie) processes carrying ``marker``, as 'pid: command line'."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            if process.environ().get(VARIABLE) == marker and process.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{process.pid}: {' '.join(process.info['cmdline'] or [])[:160]}")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def survivors_after(marker: str, seconds: float) -> list[str]:
    """Those still alive ``seconds`` from now: polled, so a quick exit is seen at once."""
    deadline = time.monotonic() + seconds
    while True:
        left = survivors(marker)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def end_all(marker: str) -> None:
    """Kill whatever carries ``marker`` (a test's clean-up)."""
    for process in psutil.process_iter():
        try:
            if process.environ().get(VARIABLE) == marker:
                process.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
