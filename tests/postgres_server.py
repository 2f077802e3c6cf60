"""A throw-away PostgreSQL server for tests: ``initdb`` in a temporary directory, a
server on a free loopback port, stopped and deleted at the end.

The server binaries are found through ``pg_config --bindir`` or on ``PATH``; nothing here
assumes a distribution's layout. ``initdb`` and ``postgres`` refuse to run as root, so
when the tests run as root both run as the ``postgres`` OS user (``runuser``) in a
directory handed to that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from devtools.ports import free_port

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
SUPERUSER = "postgres"


def find_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in SERVER_PROGRAMS):
            return directory
    return None


class PostgresServer:
    """One PostgreSQL cluster on 127.0.0.1, owned by this process until ``stop``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.host = "127.0.0.1"
        self.port = 0
        self.superuser = SUPERUSER
        self.superuser_password = secrets.token_hex(16)
        self.root: Path | None = None
        self._os_user: str | None = None

    # --- paths -------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    # --- running the server programs -----------------------------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bindir / program), *args]
        if not self._os_user:
            return command
        if shutil.which("runuser"):
            return ["runuser", "-u", self._os_user, "--", *command]
        return ["su", self._os_user, "-s", "/bin/sh", "-c", shlex.join(command)]

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            log = (
                self.log_file.read_text(errors="replace")[-3000:]
                if self.root and self.log_file.exists()
                else ""
            )
            raise RuntimeError(
                f"{program} failed ({result.returncode}): {result.stdout[-2000:]}"
                f"{result.stderr[-2000:]}\n{log}"
            )

    def start(self) -> PostgresServer:
        self.root = Path(tempfile.mkdtemp(prefix="smartcity-pg-"))
        if os.geteuid() == 0:  # the server refuses to run as root
            self._os_user = SUPERUSER
            try:
                account = pwd.getpwnam(SUPERUSER)
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise RuntimeError(
                    f"running as root, the server must run as the OS user {SUPERUSER!r}, "
                    "which does not exist (the postgresql package creates it)"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.root.chmod(0o700)
        pwfile = self.root / "superuser.pw"
        pwfile.write_text(self.superuser_password + "\n", encoding="utf-8")
        pwfile.chmod(0o600)
        if self._os_user:
            account = pwd.getpwnam(self._os_user)
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            self.superuser,
            "--pwfile",
            str(pwfile),
            "--auth-host",
            "scram-sha-256",
            "--auth-local",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        pwfile.unlink()
        for attempt in range(5):
            self.port = free_port()
            options = (
                f"-c listen_addresses={self.host} -p {self.port} "
                f"-c unix_socket_directories={self.root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return self
            except RuntimeError:
                if attempt == 4:
                    self.stop()
                    raise
                time.sleep(0.5)  # another process took the port: try a new one
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run(
                    "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", timeout=60
                )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    # --- connecting ----------------------------------------------------------------------

    def conninfo(
        self, user: str | None = None, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self.host,
            port=self.port,
            user=user or self.superuser,
            password=password if user else self.superuser_password,
            dbname=dbname,
            connect_timeout=10,
        )


@contextlib.contextmanager
def running_server(bindir: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(bindir)
    try:
        yield server.start()
    finally:
        server.stop()
