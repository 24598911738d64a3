"""Kernels forked from a template process: real kernels, as isolated as fresh ones, and nothing left behind."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpec

from kebao.notebooks import forkkernel
from kebao.notebooks.kernels import KERNEL_ENV, KernelPool, _forked_spec, _run_sync

pytestmark = pytest.mark.skipif(not forkkernel.supported(), reason="forked kernels need Linux (fork and pidfd)")


def run(km: Any, code: str, timeout: float = 20) -> dict[str, Any]:
    """Execute ``code`` in the kernel; the JSON it prints on its last line, or the error reply."""
    client = km.client()
    client.start_channels()
    try:
        _run_sync(client.wait_for_ready, timeout=60)
        reply = _run_sync(client.execute_interactive, code, timeout=timeout, store_history=False,
                          output_hook=lambda message: outputs.append(message))
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        return {"error": reply["content"]["ename"]}
    text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
    return dict(json.loads(text.strip().splitlines()[-1]))


outputs: list[dict[str, Any]] = []


@pytest.fixture
def pool() -> Iterator[KernelPool]:
    outputs.clear()
    with KernelPool(prestart=False, preload=("json",), env={"KEBAO_TEST": "中文 value"}) as kernels:
        yield kernels


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


PROBE = ("import json, os, sys, matplotlib\n"
         "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'cwd': os.getcwd(),"
         " 'env': os.environ.get('KEBAO_TEST'), 'seed': os.environ.get('PYTHONHASHSEED'),"
         " 'backend': matplotlib.get_backend(), 'python': sys.executable,"
         " 'leak': getattr(json, 'kebao_leak', None), 'dpi': matplotlib.rcParams['figure.dpi']}))\n"
         "json.kebao_leak = 'set by the previous notebook'\n"
         "matplotlib.rcParams['figure.dpi'] = 11")


@pytest.mark.kernel
@pytest.mark.parametrize("fork", [True, False])
def test_the_hash_seed_is_0_whatever_the_environment_says(fork: bool, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """dask's nannies put PYTHONHASHSEED=6640 into the environment of the process that starts a LocalCluster;
    kernels started in that process afterwards must still have seed 0 (the same set order as every pack)."""
    monkeypatch.setenv("PYTHONHASHSEED", "6640")
    outputs.clear()
    with KernelPool(prestart=False, fork=fork) as kernels:
        km = kernels.acquire("python3", tmp_path)
        seen = run(km, PROBE)
        kernels.release(km)
    assert seen["seed"] == "0"


@pytest.mark.kernel
def test_a_forked_kernel_is_like_a_fresh_one(pool: KernelPool, tmp_path: Path) -> None:
    first = pool.acquire("python3", tmp_path)
    seen = run(first, PROBE)
    pool.release(first)
    assert pool._template is not None and seen["ppid"] == pool._template.process.pid, "forked from the template"
    assert seen["cwd"] == str(tmp_path.resolve()) and seen["env"] == "中文 value"
    assert seen["seed"] == KERNEL_ENV["PYTHONHASHSEED"] and seen["python"] == sys.executable
    assert seen["backend"] == "module://matplotlib_inline.backend_inline", "the same backend a fresh kernel picks"
    assert gone(seen["pid"]), "release kills the kernel process"

    second = pool.acquire("python3", tmp_path / "..")
    again = run(second, PROBE)
    pool.release(second)
    assert again["pid"] != seen["pid"] and again["cwd"] == str(tmp_path.parent.resolve())
    assert again["leak"] is None and again["dpi"] != 11, "nothing one notebook changed reaches the next"


@pytest.mark.kernel
def test_interrupts_reach_the_kernel_and_killing_the_launcher_ends_it(pool: KernelPool, tmp_path: Path) -> None:
    km = pool.acquire("python3", tmp_path)
    client = km.client()
    client.start_channels()
    try:
        _run_sync(client.wait_for_ready, timeout=60)
        sent = client.execute("import time\ntime.sleep(60)")
        reply_to = {"msg_id": None}  # on a busy machine wait_for_ready may leave extra kernel_info replies queued
        while reply_to["msg_id"] != sent:  # the cell has started; a second later it is sleeping
            message = _run_sync(client.get_iopub_msg, timeout=30)
            if message["msg_type"] == "execute_input":
                reply_to = message["parent_header"]
        time.sleep(1.0)
        _run_sync(km.interrupt_kernel)
        reply = _run_sync(client.get_shell_msg, timeout=20)
        while reply["parent_header"].get("msg_id") != sent:
            reply = _run_sync(client.get_shell_msg, timeout=20)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        client.execute("import os; print(os.getpid())")
        pid = None
        while pid is None:
            message = _run_sync(client.get_iopub_msg, timeout=20)
            if message["msg_type"] == "stream":
                pid = int(message["content"]["text"])
    finally:
        client.stop_channels()
    launcher = km.provisioner.process  # what jupyter_client started: the launcher
    launcher.send_signal(signal.SIGKILL)
    assert gone(pid), "a kernel does not outlive its launcher"
    assert not _run_sync(km.is_alive)
    pool.release(km)


@pytest.mark.kernel
def test_a_kernel_that_exits_is_seen_as_dead(pool: KernelPool, tmp_path: Path) -> None:
    km = pool.acquire("python3", tmp_path)
    client = km.client()
    client.start_channels()
    try:
        _run_sync(client.wait_for_ready, timeout=60)
        client.execute("import os; os._exit(3)")
        deadline = time.monotonic() + 10
        while _run_sync(km.is_alive) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop_channels()
    assert not _run_sync(km.is_alive)
    assert km.provisioner.process.wait(timeout=5) == 3, "the launcher exits with the kernel's status"
    pool.release(km)


@pytest.mark.kernel
def test_closing_the_pool_ends_the_template_and_removes_its_socket(tmp_path: Path) -> None:
    pool = KernelPool(prestart=True)
    km = pool.acquire("python3", tmp_path)  # and a pre-started successor
    template = pool._template
    assert template is not None
    pool.release(km)
    pool.close()
    assert template.process.poll() is not None and not template.folder.exists()


@pytest.mark.kernel
def test_a_dead_template_means_kernels_start_the_usual_way(pool: KernelPool, tmp_path: Path) -> None:
    warm = pool.acquire("python3", tmp_path)
    pool.release(warm)
    assert pool._template is not None
    pool._template.process.kill()
    pool._template.process.wait()
    km = pool.acquire("python3", tmp_path)
    seen = run(km, PROBE)
    pool.release(km)
    assert seen["ppid"] == os.getpid() and not pool.fork


def test_only_ipython_kernels_of_this_python_are_forked() -> None:
    ours = KernelSpec(argv=["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"], display_name="P",
                      language="python")
    forked = _forked_spec(ours, "/run/socket", 42)
    assert forked.argv[:7] == [sys.executable, "-I", "-S", forkkernel.__file__, "launch", "/run/socket", "42"]
    assert forked.argv[7:] == ["-f", "{connection_file}"] and forked.display_name == "P"
    other_python = KernelSpec(argv=["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    not_ipython = KernelSpec(argv=["python", "-m", "some_other_kernel", "-f", "{connection_file}"])
    assert _forked_spec(other_python, "/run/socket", 42) is other_python
    assert _forked_spec(not_ipython, "/run/socket", 42) is not_ipython


@pytest.mark.kernel
def test_the_pack_template_warms_caches_but_not_settings(tmp_path: Path) -> None:
    """kebao.packs.warmup draws a chart in the template; a kernel still sees matplotlib's fresh settings."""
    from kebao.packs.build import KERNEL_PRELOAD

    code = ("import json, sys, matplotlib\n"
            "print(json.dumps({'rc': sorted(f'{k}={v!r}' for k, v in matplotlib.rcParams.items()),"
            " 'warm': 'kebao.packs.warmup' in sys.modules}))")
    seen = {}
    for fork, preload in ((True, KERNEL_PRELOAD), (False, ())):
        outputs.clear()
        with KernelPool(prestart=False, preload=preload, fork=fork) as kernels:
            km = kernels.acquire("python3", tmp_path)
            seen[fork] = run(km, code)
            kernels.release(km)
    assert seen[True]["warm"] and not seen[False]["warm"]
    assert seen[True]["rc"] == seen[False]["rc"]


@pytest.mark.kernel
def test_a_module_the_template_cannot_import_fails_in_the_notebook_not_in_the_template(tmp_path: Path) -> None:
    (tmp_path / "kebao_broken_module.py").write_text("raise RuntimeError('broken on purpose')\n", encoding="utf-8")
    outputs.clear()
    with KernelPool(prestart=False, preload=("kebao_broken_module",)) as kernels:
        km = kernels.acquire("python3", tmp_path)
        started = time.monotonic()
        seen = run(km, "import kebao_broken_module")
        kernels.release(km)
        assert kernels._template is not None and kernels._template.alive()
    assert seen == {"error": "RuntimeError"} and time.monotonic() - started < 30


def test_a_launcher_gives_up_at_once_when_its_template_is_gone(tmp_path: Path) -> None:
    import subprocess

    finished = subprocess.Popen(["true"])
    finished.wait()  # reaped: its pid names no process now
    gone_pid = finished.pid
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-I", "-S", forkkernel.__file__, "launch", str(tmp_path / "socket"),
                             str(gone_pid), "-f", "x.json"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "has exited" in result.stderr and time.monotonic() - started < 5
