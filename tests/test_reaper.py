"""The run's reaper (kebao.reaper) with real processes: a run that starts a grandchild in a session of its own
(as jupyter_client starts kernels) and is then killed leaves nothing behind; untagged processes are spared."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from kebao import reaper

pytestmark = pytest.mark.skipif(not reaper.supported(), reason="Linux only (pidfds, /proc)")

RUN = textwrap.dedent("""
    import subprocess, sys, time
    from kebao import reaper
    reaper.start()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    print(child.pid, flush=True)
    time.sleep(120)
""")


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_what_a_killed_run_started_ends_with_it(signum: int) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])  # not the run's
    run = subprocess.Popen([sys.executable, "-c", RUN], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert run.stdout is not None
        grandchild = int(run.stdout.readline())
        assert not gone(grandchild, 0.5)  # alive while the run is
        run.send_signal(signum)
        run.wait(timeout=30)
        assert gone(grandchild, 2.0), "the run's grandchild outlived it by 2 s"
        assert bystander.poll() is None
    finally:
        for process in (run, bystander):
            process.kill()
            process.wait()
        if run.stdout is not None:
            run.stdout.close()


def test_a_tag_is_found_among_nested_runs_only_where_it_was_given() -> None:
    outer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                             env={**os.environ, reaper.VARIABLE: "outer-tag inner-tag"})
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                             env={**os.environ, reaper.VARIABLE: "outer-tagged"})
    try:
        assert outer.pid in reaper.tagged("inner-tag") and outer.pid in reaper.tagged("outer-tag")
        assert other.pid not in reaper.tagged("outer-tag")  # a whole tag, not a prefix
        assert reaper.sweep("inner-tag", patience=5.0) == 1
        assert outer.wait(timeout=5) == -signal.SIGKILL and other.poll() is None
    finally:
        for process in (outer, other):
            process.kill()
            process.wait()
