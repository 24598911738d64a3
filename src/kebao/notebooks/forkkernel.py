"""IPython kernels forked from a process that has already imported what notebooks need.

A fresh kernel per notebook keeps packs isolated, but each one re-imports
IPython, pandas, matplotlib and kebao (~1.7 s of CPU here, as much as the
notebook's own work). A *template* process imports them once and then forks one
child per kernel: every kernel starts from the same clean, just-imported state
(nothing has run in the template), at the cost of a fork.

Three processes per kernel, each watching the next so nothing outlives its owner:

* the **template** (``python forkkernel.py template SOCKET PARENT_PID MODULES…``)
  binds its socket first, then imports, then forks a kernel per request; it
  exits when the process that started it (a :class:`~kebao.notebooks.kernels.KernelPool`)
  is gone;
* the **launcher** (``python -I -S forkkernel.py launch SOCKET TEMPLATE_PID -f CONNECTION_FILE …``)
  is the command jupyter_client starts instead of ``ipykernel_launcher``: it
  sends its arguments, working directory, environment and stdio to the
  template, forwards signals (interrupt, terminate) to the kernel and exits with
  the kernel's exit status, so jupyter_client sees a normal kernel process;
* the **kernel**, a child of the template, runs ``IPKernelApp`` and exits as soon
  as its launcher does (a pidfd), e.g. when jupyter_client kills it.

This file imports only the standard library at module level: the launcher runs
it as a script with ``-I -S`` and starts in milliseconds. Linux only (fork and
``os.pidfd_open``); elsewhere kernels are started the usual way.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
MAX_MESSAGE = 1 << 20


def supported() -> bool:
    """Whether kernels can be forked here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open")


def _exit_when_gone(pid: int) -> None:
    """In a daemon thread: end this process at once when process ``pid`` ends."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)

    def watch() -> None:
        select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="kebao-owner-watch", daemon=True).start()


# -- the template ---------------------------------------------------------------


def template(address: str, parent: int, modules: Sequence[str]) -> None:
    """Serve fork requests on ``address`` until process ``parent`` ends."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind(address)
    server.listen(64)  # launchers may connect now; they wait until the imports are done
    # What ipykernel sets before a notebook can import matplotlib; matplotlib reads it at import.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import importlib

    for module in ("ipykernel.kernelapp", "ipykernel.ipkernel"):
        importlib.import_module(module)  # without these no kernel can start at all
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # a kernel that needs it will import it itself and show the real error
            print(f"kebao: the kernel template could not import {module} ({type(error).__name__}: {error}); "
                  "kernels will import it themselves", file=sys.stderr)
    parent_fd = os.pidfd_open(parent)
    wakeup_r, wakeup_w = os.pipe()
    os.set_blocking(wakeup_w, False)
    signal.set_wakeup_fd(wakeup_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so the wakeup fd hears about children
    signal.signal(signal.SIGTERM, lambda signum, _frame: _quit(address, 128 + signum))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal: the pool that owns us closes us
    launchers: dict[int, socket.socket] = {}  # kernel pid -> its launcher's connection
    try:
        while True:
            readable, _, _ = select.select([server.fileno(), parent_fd, wakeup_r], [], [])
            if parent_fd in readable:
                _quit(address, 0)
            if wakeup_r in readable:
                os.read(wakeup_r, 512)
                _reap(launchers)
            if server.fileno() in readable:
                connection, _ = server.accept()
                own = [server.fileno(), parent_fd, wakeup_r, wakeup_w, *(c.fileno() for c in launchers.values())]
                pid = _fork_kernel(connection, own)
                if pid is not None:
                    launchers[pid] = connection
                else:
                    connection.close()
            _reap(launchers)
    finally:
        server.close()
        try:
            os.unlink(address)
        except OSError:
            pass


def _quit(address: str, code: int) -> None:
    """End the template at once: Python's own shutdown of what it imported (pandas, matplotlib) took ~1 s,
    which the pool closing it waited for at the end of every single pack; the kernels it forked watch their
    launchers, not the template, and it holds no file but its socket."""
    try:
        os.unlink(address)
    except OSError:
        pass
    sys.stderr.flush()
    os._exit(code)


def _reap(launchers: dict[int, socket.socket]) -> None:
    """Tell the launchers of ended kernels how they ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = launchers.pop(pid, None)
        if connection is not None:
            try:
                connection.send(f"exit {os.waitstatus_to_exitcode(status)}".encode())
            except OSError:
                pass
            connection.close()


def _fork_kernel(connection: socket.socket, own: list[int]) -> int | None:
    """Fork one kernel for the request on ``connection``; the child never returns."""
    try:
        message, fds, _, _ = socket.recv_fds(connection, MAX_MESSAGE, 3)
        request = json.loads(message)
    except (OSError, ValueError):
        return None
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        try:
            connection.send(f"pid {pid}".encode())
        except OSError:
            os.kill(pid, signal.SIGKILL)
        return pid
    try:  # the kernel
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in own:
            os.close(fd)
        connection.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _exit_when_gone(int(request["launcher"]))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        del sys.path[0]  # as ipykernel_launcher does (the template's cwd); IPython adds the kernel's cwd back
        argv = [str(arg) for arg in request["argv"]]
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# -- the launcher ---------------------------------------------------------------


def _connect(connection: socket.socket, address: str, template: int, patience: float = 60.0) -> None:
    """Connect, waiting while the template (process ``template``) starts; it binds its socket first thing."""
    deadline = time.monotonic() + patience
    while True:
        try:
            connection.connect(address)
            return
        except (FileNotFoundError, ConnectionRefusedError):
            try:
                os.kill(template, 0)
            except ProcessLookupError:
                raise ConnectionRefusedError(f"the kernel template (process {template}) has exited") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def launch(address: str, template: int, argv: Sequence[str]) -> int:
    """Have the template fork a kernel with ``argv``; live as long as it does; return its exit status."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        _connect(connection, address, template)
        parent = os.environ.get("JPY_PARENT_PID")
        extra = [f"--IPKernelApp.parent_handle={int(parent)}"] if parent and parent.isdigit() else []
        request = {"argv": [*argv, *extra], "cwd": os.getcwd(), "env": dict(os.environ), "launcher": os.getpid()}
        socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
        reply = connection.recv(64).decode()
    except OSError as error:
        print(f"kebao: the kernel template at {address} is not available ({error})", file=sys.stderr)
        return 1
    if not reply.startswith("pid "):
        print("kebao: the kernel template closed without starting a kernel", file=sys.stderr)
        return 1
    kernel = int(reply.split()[1])

    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(kernel, signum)
        except ProcessLookupError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    while True:
        try:
            reply = connection.recv(64).decode()
        except InterruptedError:
            continue
        if reply.startswith("exit "):
            status = int(reply.split()[1])
            return status if status >= 0 else 128 - status
        return 1  # the template ended; the kernel ends with this launcher


def main(args: Sequence[str]) -> int:
    if len(args) >= 3 and args[0] == "template":
        template(args[1], int(args[2]), args[3:])
        return 0
    if len(args) >= 3 and args[0] == "launch":
        return launch(args[1], int(args[2]), args[3:])
    print("usage: forkkernel.py template SOCKET PARENT_PID [MODULE…] | launch SOCKET TEMPLATE_PID KERNEL_ARGS…",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
