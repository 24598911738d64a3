"""A real Jupyter server for tests: JupyterLab with jupytext, started on a free port and always stopped.

    with lab_server(root) as lab:
        model = lab.get("api/contents/cases/x.md", type="notebook")

The server runs with this interpreter (the repository's venv, which has
ipykernel, jupytext and the widget extensions), a random token, no browser,
and with every Jupyter directory that could hold user state (config, runtime,
JupyterLab settings and workspaces) in a private temporary folder, so neither
the developer's ~/.jupyter nor another test can change what it does. It reads
the repository's own JupyterLab settings (``.jupyter/``, the same folder
``make lab`` uses), so a test sees what a designer sees.

On exit the server is asked to shut down (which stops its kernels), then it and
every process it started are terminated by id if they are still there; a test
that leaves a process behind fails.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .paths import REPO

LAB_SETTINGS = REPO / ".jupyter"
START_TIMEOUT = 60.0


@dataclass
class LabServer:
    """A running Jupyter server: its address, token and process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path
    killed: list[str] = field(default_factory=list)
    """Processes the server left running when it was stopped (they were then killed); should stay empty."""

    def request(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        """Call the REST API; returns the decoded JSON (None for an empty body)."""
        address = f"{self.url}/{path.lstrip('/')}"
        if query:
            address += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(address, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} -> HTTP {error.code}: {error.read().decode()[:2000]}\n"
                                 f"server log:\n{self.log_tail()}") from None
        return json.loads(text) if text else None

    def get(self, path: str, **query: str) -> Any:
        return self.request("GET", path, **query)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, body)

    def page(self, path: str) -> str:
        """A browser address for ``path`` (e.g. 'lab/tree/x.ipynb') that logs in with the token."""
        return f"{self.url}/{path.lstrip('/')}?token={self.token}"

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:]

    def kernelspec(self) -> dict[str, str]:
        """The default kernel's spec as JupyterLab writes it into a notebook once that kernel runs it."""
        specs = self.get("api/kernelspecs")
        spec = specs["kernelspecs"][specs["default"]]["spec"]
        return {"name": specs["default"], "display_name": spec["display_name"], "language": spec["language"]}


def ipykernel_spec() -> dict[str, str]:
    """The spec of ipykernel's ``python3`` kernel (the one ``make lab`` runs) as JupyterLab writes it."""
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    return {"name": KERNEL_NAME, "display_name": spec["display_name"], "language": spec["language"]}


def as_saved_by_jupyterlab(notebook: dict[str, Any], kernelspec: dict[str, str]) -> dict[str, Any]:
    """The notebook as JupyterLab sends it back after ``kernelspec``'s kernel ran it: the kernel's spec and
    language info in its metadata, outputs and execution counts, and cell metadata about JupyterLab's screen."""
    saved = copy.deepcopy(notebook)
    saved["metadata"]["kernelspec"] = dict(kernelspec)
    saved["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python",
                                          "codemirror_mode": {"name": "ipython", "version": 3}}
    saved["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    for number, cell in enumerate(saved["cells"], 1):
        cell["metadata"].update({"editable": True, "slideshow": {"slide_type": ""}, "tags": [], "trusted": True})
        if cell["cell_type"] == "markdown" and cell["source"].startswith("## "):
            cell["metadata"]["jp-MarkdownHeadingCollapsed"] = True  # a heading folded on screen
        if cell["cell_type"] == "code":
            cell["execution_count"] = number
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "输出\n"}]
            cell["metadata"]["jupyter"] = {"source_hidden": number % 2 == 0}  # input folded on screen
            cell["metadata"]["execution"] = {"iopub.status.busy": "2026-11-29T06:00:00.000Z"}
    return saved


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def lab_server(root: Path, state: Path, *extra: str) -> Iterator[LabServer]:
    """JupyterLab serving ``root``; ``state`` is an empty folder for its private config and logs."""
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(state / "config"),
           "JUPYTER_CONFIG_PATH": str(LAB_SETTINGS),
           "JUPYTER_DATA_DIR": str(state / "data"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "lab-workspaces"),
           "JUPYTER_PLATFORM_DIRS": "1"}
    env.pop("JUPYTER_TOKEN", None)
    token = secrets.token_hex(24)
    log = state / "jupyter.log"
    for _attempt in range(3):  # another process may take the probed port before the server binds it
        port = free_port()
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                   f"--ServerApp.root_dir={root}", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
                   "jupyterlab.NeverCheckForUpdate", *(["--allow-root"] if os.geteuid() == 0 else []), *extra]
        with open(log, "wb") as output:
            process = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT)
        server = LabServer(f"http://127.0.0.1:{port}", token, root, process, log)
        try:
            if _wait_until_ready(server):
                break
        except BaseException:
            _stop(server)
            raise
        _stop(server)
    else:
        raise AssertionError(f"Jupyter server did not start:\n{server.log_tail()}")
    try:
        yield server
    finally:
        _stop(server)


def _wait_until_ready(server: LabServer) -> bool:
    """True once /api/status answers; False if the server exited (e.g. its port was taken)."""
    end = time.monotonic() + START_TIMEOUT
    while time.monotonic() < end:
        if server.process.poll() is not None:
            if "is already in use" in server.log_tail():
                return False
            raise AssertionError(f"Jupyter server exited with code {server.process.returncode}:\n"
                                 f"{server.log_tail()}")
        try:
            status = server.get("api/status")
        except (AssertionError, OSError):
            time.sleep(0.2)
            continue
        if isinstance(status, dict) and "started" in status:
            return True
    raise AssertionError(f"Jupyter server did not answer /api/status within {START_TIMEOUT:.0f} s:\n"
                         f"{server.log_tail()}")


def _stop(server: LabServer) -> None:
    """Shut the server down through its API, then make sure it and its kernels are gone."""
    try:
        children = psutil.Process(server.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if server.process.poll() is None:
        with contextlib.suppress(AssertionError, OSError):
            server.request("POST", "api/shutdown")
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
    _gone, alive = psutil.wait_procs(children, timeout=10)
    for process in alive:  # kernels the server failed to stop: end them, by id
        with contextlib.suppress(psutil.NoSuchProcess):
            server.killed.append(" ".join(process.cmdline()))
            process.kill()
    psutil.wait_procs(alive, timeout=5)
