"""The PostgreSQL side of backups: DSNs (redacted, password passed by environment), the client tools
(pg_dump, psql, pg_restore) and what we ask the server (version, emptiness, schema fingerprint)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemareg.dsn import error_line, redact, scrub
from schemareg.errors import ExternalError, InputError

# pg_dump >= 17.6 / 16.10 / 15.14 writes `\restrict KEY`; a random key makes equal databases give
# different dumps, so we pass a fixed one (alphanumeric, as pg_dump requires).
RESTRICT_KEY = "schemaregbackup"
CONNECT_TIMEOUT = 10


@dataclass(frozen=True)
class Database:
    """A database to dump or restore into. The password never goes on a command line: child processes
    get it as PGPASSWORD."""

    dsn: str
    _params: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            params = {k: str(v) for k, v in conninfo_to_dict(self.dsn).items()}
        except psycopg.ProgrammingError as error:
            raise InputError(
                f"not a PostgreSQL DSN: {redact(self.dsn)}: {error_line(error, self.dsn)}"
            ) from None
        object.__setattr__(self, "_params", params)

    @property
    def redacted(self) -> str:
        return redact(self.dsn)

    @property
    def conninfo(self) -> str:
        """The DSN without its password, for command lines."""
        return make_conninfo(**{k: v for k, v in self._params.items() if k != "password"})

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if "password" in self._params:
            env["PGPASSWORD"] = self._params["password"]
        env.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT))
        return env

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        try:
            return psycopg.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
        except psycopg.Error as error:
            raise ExternalError(f"cannot connect to {self.redacted}: {error_line(error, self.dsn)}") from None

    def server_version(self) -> str:
        with self.connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {str(row[0]).split()[0]}" if row else "PostgreSQL"

    def user_objects(self) -> int:
        """How many relations, routines, types and schemas the database holds beyond a fresh one's."""
        query = """
            SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%')
                 + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
                 + (SELECT count(*) FROM pg_namespace
                     WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema')
                       AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%')
                 + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
        """
        with self.connect() as conn:
            row = conn.execute(query).fetchone()
        return int(row[0]) if row else 0  # type: ignore[call-overload]


@dataclass(frozen=True)
class Tools:
    """pg_dump, psql and pg_restore from one directory (`--pg-bin`), or from PATH."""

    bin_dir: str | None = None

    def path(self, name: str) -> str:
        if self.bin_dir:
            candidate = Path(self.bin_dir, name)
            if candidate.exists():
                return str(candidate)
            raise InputError(f"no {name} in {self.bin_dir}")
        found = shutil.which(name)
        if found is None:
            raise InputError(f"{name} not found on PATH (install the PostgreSQL client, or pass --pg-bin)")
        return found

    @cached_property
    def pg_dump_help(self) -> str:
        return _output([self.path("pg_dump"), "--help"])

    @cached_property
    def pg_dump_version(self) -> str:
        return _output([self.path("pg_dump"), "--version"]).strip()

    @property
    def pg_dump_major(self) -> int:
        found = re.search(r"(\d+)(?:\.\d+)?", self.pg_dump_version)
        return int(found[1]) if found else 0

    @property
    def restrict_key_supported(self) -> bool:
        return "--restrict-key" in self.pg_dump_help


def _output(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise ExternalError(f"cannot run {Path(args[0]).name}: {error}") from None


def first_error(stderr: bytes, default: str) -> str:
    """The line of a client tool's stderr that says what went wrong, redacted."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    chosen = next((line for line in lines if "error" in line.lower()), lines[0] if lines else default)
    return scrub(chosen)


def schema_fingerprint(tools: Tools, database: Database) -> str:
    """The database's schema fingerprint: `pg_dump --schema-only`, normalised. Live introspection gives
    the same fingerprint by design; this needs nothing but the client tools we already use."""
    from schemareg.normalize import normalize

    args = [tools.path("pg_dump"), "--schema-only", "--no-owner", "--no-privileges"]
    if tools.restrict_key_supported:
        args.append(f"--restrict-key={RESTRICT_KEY}")
    result = subprocess.run(
        [*args, "--dbname", database.conninfo],
        capture_output=True,
        env=database.child_env(),
        check=False,
    )
    if result.returncode != 0:
        detail = first_error(result.stderr, f"exit code {result.returncode}")
        raise ExternalError(f"pg_dump --schema-only of {database.redacted} failed: {detail}")
    return normalize(result.stdout.decode(), "postgres", source=database.redacted).fingerprint
