"""A throw-away PostgreSQL cluster for the ``database`` lane, and the records databases tests run on.

Debian's ``postgresql`` package (``.ci/system-packages`` installs it) puts ``initdb`` and ``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin``. The server refuses to run as root, and CI runs as root: then the
cluster's folder is given to the ``postgres`` user (made by the package; ``nobody`` otherwise) and both
tools run as that user through ``runuser``. The cluster lives in a fresh folder under /tmp, listens on a
Unix socket in that folder only (no TCP port, so parallel runs never collide), trusts local connections
for its one role ``kebao``, runs without fsync, and is stopped and deleted when the session ends. Each
test gets a database of its own (``CREATE DATABASE``), so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PORT = 5432  # only names the socket file, in the cluster's own folder
ROLE = "kebao"


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder; the test fails (it does not skip) when there is none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail("PostgreSQL is not installed, so the records tests cannot run on it: install Debian's "
                    "postgresql package (as root: .ci/system-packages, or apt-get install postgresql)")
    return found[-1].parent


def run_as() -> tuple[list[str], int | None, int | None]:
    """(command prefix, uid, gid) for running the server: as ourselves, or from root as postgres or nobody."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], user.pw_uid, user.pw_gid
    pytest.fail("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")


@dataclass
class Cluster:
    """A running throw-away cluster."""

    folder: Path
    bin: Path
    prefix: list[str]
    counter: itertools.count[int]

    @classmethod
    def start(cls) -> Cluster:
        bin_folder = postgres_bin()
        prefix, uid, gid = run_as()
        # /tmp, not $TMPDIR: the server's user must reach the folder, and a socket path has at most 107 bytes.
        folder = Path(tempfile.mkdtemp(prefix="kebao-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
        if uid is not None and gid is not None:
            os.chown(folder, uid, gid)
        cluster = cls(folder, bin_folder, prefix, itertools.count(1))
        try:
            cluster._run("initdb", "-D", str(folder / "data"), "-U", ROLE, "--auth=trust", "-E", "UTF8",
                         "--no-locale", "--no-sync")
            options = f"-k {folder} -p {PORT} -F -c listen_addresses=''"
            cluster._run("pg_ctl", "-D", str(folder / "data"), "-l", str(folder / "server.log"), "-w",
                         "-t", "60", "-o", options, "start")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cluster

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.prefix, str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.folder)
        if done.returncode != 0:
            log = self.folder / "server.log"
            server = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}\n{server}")

    def url(self, database: str) -> str:
        return f"postgresql://{ROLE}@/{database}?host={self.folder}&port={PORT}"

    def new_database(self) -> str:
        """The address of a new, empty database in this cluster."""
        import psycopg

        name = f"kebao_test_{next(self.counter)}"
        with psycopg.connect(host=str(self.folder), port=PORT, user=ROLE, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
