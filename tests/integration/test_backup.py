"""Backups against a real PostgreSQL holding data that dumps badly when done wrong: both formats round
trip with the same fingerprint, row counts and per-table content checksums; bad cases fail cleanly."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from schemareg.backup.manifest import decode, encode
from schemareg.backup.pg import Database
from schemareg.cli import run

pytestmark = pytest.mark.integration

SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text UNIQUE NOT NULL,
    balance numeric(14, 2) DEFAULT 0,
    mood mood
);
CREATE TABLE blobs (id int PRIMARY KEY, data bytea, note text);
CREATE TABLE docs (id int PRIMARY KEY, doc jsonb, raw json);
CREATE TABLE arrays (id int PRIMARY KEY, ints int[], texts text[], grid int[][]);
CREATE TABLE moments (
    id int PRIMARY KEY, at timestamptz, local_at timestamp, day date, span interval,
    account_id bigint REFERENCES accounts (id)
);
CREATE INDEX moments_at ON moments (at);
CREATE VIEW recent AS SELECT id, at FROM moments WHERE at > '2024-01-01';
"""

DATA = """
INSERT INTO accounts (email, balance, mood)
    SELECT 'user' || g || '@example.com', g / 3.0, (ARRAY['sad','ok','happy']::mood[])[1 + g % 3]
    FROM generate_series(1, 2000) g;
INSERT INTO blobs SELECT g,
    CASE WHEN g % 10 = 0 THEN NULL ELSE decode(md5(g::text) || '00ff5c0a0d27', 'hex') END,
    CASE WHEN g % 7 = 0 THEN NULL ELSE E'tab\\there, quote '' backslash \\\\ newline\\n' || g END
    FROM generate_series(1, 3000) g;
INSERT INTO blobs VALUES (100000, '\\x', ''), (100001, decode('00', 'hex'), E'\\u00e9\\u4e2d\\U0001F600');
INSERT INTO docs SELECT g,
    CASE WHEN g % 11 = 0 THEN NULL ELSE jsonb_build_object('n', g, 'nested', jsonb_build_object('a',
        ARRAY[g, g + 1]), 's', E'quote " and \\\\ and \\u00fc', 'null', NULL) END,
    CASE WHEN g % 13 = 0 THEN 'null'::json ELSE ('{"b": ' || g || ', "a": [1, 2]}')::json END
    FROM generate_series(1, 3000) g;
INSERT INTO arrays SELECT g, ARRAY[g, NULL, -g], ARRAY['a,b', NULL, 'NULL', 'q"t', ''],
    CASE WHEN g % 5 = 0 THEN NULL ELSE ARRAY[[g, 1], [2, NULL]] END
    FROM generate_series(1, 3000) g;
INSERT INTO moments SELECT g,
    CASE WHEN g % 9 = 0 THEN NULL
         ELSE (timestamptz '2024-03-31 01:30:00+00' + g * interval '37 minutes') AT TIME ZONE 'UTC'
              AT TIME ZONE (ARRAY['Europe/Paris', 'America/St_Johns', 'Asia/Kolkata'])[1 + g % 3] END,
    timestamp '2024-03-31 01:30:00' + g * interval '1 hour',
    date '2024-02-28' + g, make_interval(days => g, secs => g / 7.0), 1 + g % 2000
    FROM generate_series(1, 3000) g;
INSERT INTO moments VALUES (90001, 'infinity', '-infinity', 'infinity', NULL, NULL);
"""


def populate(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute(DATA)


def content(url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and md5 of every row's text in key order, in one fixed time zone."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        found = {}
        for table in tables:
            row = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"
            ).fetchone()
            assert row is not None
            found[table] = (int(row[0]), str(row[1]))
        return found


@pytest.fixture(scope="module")
def source(pg) -> str:  # type: ignore[no-untyped-def]
    url = pg.database("bsrc")
    populate(url)
    return url


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def bin_dir(pg) -> str:  # type: ignore[no-untyped-def]
    return str(Path(pg.tool("pg_dump")).parent)


@pytest.mark.parametrize(
    ("dump_format", "compression", "suffix"),
    [("plain", "gzip", ".sql.gz"), ("custom", "gzip", ".dump"), ("plain", "zstd", ".sql.zst")],
)
def test_round_trip_keeps_schema_and_data(
    pg,
    source: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dump_format: str,
    compression: str,
    suffix: str,
) -> None:  # type: ignore[no-untyped-def]
    expected = content(source)
    assert expected["blobs"][0] == 3002 and expected["moments"][0] == 3001
    code, out, err = cli(
        capsys, "backup", "--dsn", source, "--dest", str(tmp_path), "--format", dump_format,
        "--compression", compression, "--kind", "daily", "--pg-bin", bin_dir(pg), "--data-dir", str(tmp_path / "d"),
    )  # fmt: skip
    assert code == 0, err
    [backup] = [
        p for p in tmp_path.iterdir() if p.name.startswith("full_backup_") and p.name.endswith(suffix)
    ]
    manifest = decode((tmp_path / (backup.name + ".manifest.json")).read_bytes())
    assert manifest.sha256 == hashlib.sha256(backup.read_bytes()).hexdigest()
    assert (manifest.size, manifest.kind, manifest.format) == (backup.stat().st_size, "daily", dump_format)
    assert manifest.server_version.startswith("PostgreSQL ") and manifest.fingerprint
    assert f"fingerprint {manifest.fingerprint}" in out
    if dump_format == "plain" and compression == "gzip":
        assert gzip.decompress(backup.read_bytes()).startswith(b"--\n-- PostgreSQL database dump")

    target = pg.database("brst")
    code, out, err = cli(capsys, "restore", str(backup), "--dsn", target, "--pg-bin", bin_dir(pg))
    assert code == 0, err
    assert f"fingerprint {manifest.fingerprint} matches the manifest" in out
    assert content(target) == expected


def test_equal_databases_give_equal_dumps(pg, source: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    digests = set()
    for n in range(2):
        code, out, err = cli(
            capsys,
            "backup",
            "--dsn",
            source,
            "--dest",
            str(tmp_path / str(n)),
            "--pg-bin",
            bin_dir(pg),
            "--json",
        )
        assert code == 0, err
        digests.add(json.loads(out)["manifest"]["sha256"])
    assert len(digests) == 1


def test_a_corrupted_backup_is_refused_before_anything_is_restored(
    pg, source: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert cli(capsys, "backup", "--dsn", source, "--dest", str(tmp_path), "--pg-bin", bin_dir(pg))[0] == 0
    [backup] = tmp_path.glob("full_backup_*.sql.gz")
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))
    target = pg.database("bcor")
    code, _, err = cli(capsys, "restore", str(backup), "--dsn", target, "--pg-bin", bin_dir(pg))
    assert code == 2 and "checksum mismatch" in err and "nothing was restored" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert Database(target).user_objects() == 0


def test_a_non_empty_target_is_refused_without_force(pg, source: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli(capsys, "backup", "--dsn", source, "--dest", str(tmp_path), "--pg-bin", bin_dir(pg))[0] == 0
    [backup] = tmp_path.glob("full_backup_*.sql.gz")
    target = pg.database("bfull")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE TABLE accounts (id int); INSERT INTO accounts VALUES (1)")
    code, _, err = cli(capsys, "restore", str(backup), "--dsn", target, "--pg-bin", bin_dir(pg))
    assert code == 2 and "not empty" in err and "--force" in err
    with psycopg.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (1,)
    code, _, err = cli(capsys, "restore", str(backup), "--dsn", target, "--force", "--pg-bin", bin_dir(pg))
    assert code == 0, err
    assert content(target) == content(source)


def test_restore_stops_at_the_first_error_and_rolls_back(pg, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = pg.database("bsmall")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE a (id int)")
    assert cli(capsys, "backup", "--dsn", source, "--dest", str(tmp_path), "--pg-bin", bin_dir(pg))[0] == 0
    [backup] = tmp_path.glob("full_backup_*.sql.gz")
    # A backup whose SQL fails halfway, with a manifest that matches it: the checksum passes, psql stops.
    broken = b"CREATE TABLE first (id int);\nSELECT 1 / 0;\nCREATE TABLE second (id int);\n"
    backup.write_bytes(gzip.compress(broken))
    manifest_path = tmp_path / (backup.name + ".manifest.json")
    manifest = decode(manifest_path.read_bytes())
    manifest.sha256, manifest.size = hashlib.sha256(backup.read_bytes()).hexdigest(), backup.stat().st_size
    manifest_path.write_bytes(encode(manifest))
    target = pg.database("bstop")
    code, _, err = cli(capsys, "restore", str(backup), "--dsn", target, "--pg-bin", bin_dir(pg))
    assert code == 2 and "division by zero" in err and len(err.strip().splitlines()) == 1
    assert Database(target).user_objects() == 0


def test_a_wrong_dsn_is_one_line_exit_2_without_the_password(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.support.postgres import free_port

    dsn = f"postgresql://app:s3cretpw@127.0.0.1:{free_port()}/shop"
    for args in (
        ["backup", "--dsn", dsn, "--dest", str(tmp_path)],
        ["restore", str(tmp_path / "missing.sql.gz"), "--dsn", dsn],
    ):
        code, out, err = cli(capsys, *args)
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err and "s3cretpw" not in out + err
    assert "app:***@127.0.0.1" in cli(capsys, "backup", "--dsn", dsn, "--dest", str(tmp_path))[2]
    assert not list(tmp_path.iterdir())


def test_the_password_never_reaches_output_or_manifest(pg, source: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # The server's own password where its URL has one (the embedded server's), else any: a server that
    # trusts loopback accepts it. Either way it must never be shown.
    secret = urlsplit(source).password or "Hunter2pw"
    with_password = source if secret in source else source.replace("postgres@", f"postgres:{secret}@", 1)
    assert secret in with_password
    code, out, err = cli(
        capsys, "backup", "--dsn", with_password, "--dest", str(tmp_path), "--pg-bin", bin_dir(pg), "--json"
    )
    assert code == 0, err
    assert secret not in out + err
    manifest_text = next(tmp_path.glob("*.manifest.json")).read_text()
    assert secret not in manifest_text and "postgres:***@" in manifest_text


def test_list_and_prune_local_backups(pg, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    source = pg.database("bprune")
    backups = tmp_path / "backups"
    common = ["--backup-dir", str(backups), "--data-dir", str(tmp_path / "data")]
    for kind in ("daily", "daily"):
        assert (
            cli(capsys, "backup", "--dsn", source, "--kind", kind, "--pg-bin", bin_dir(pg), *common)[0] == 0
        )
    assert cli(capsys, "backup", "--dsn", source, "--schema-only", "--pg-bin", bin_dir(pg), *common)[0] == 0
    # Age the first daily backup and the schema snapshot past their retention.
    manifests = sorted(backups.glob("*.manifest.json"))
    assert len(manifests) == 3
    dailies = 0
    for path in manifests:
        manifest = decode(path.read_bytes())
        if manifest.kind == "daily":
            dailies += 1
        newest = manifest.kind == "daily" and dailies == 2
        manifest.created_at = "2099-01-01T00:00:00Z" if newest else "2025-01-01T00:00:00Z"
        path.write_bytes(encode(manifest))
    (backups / ".full_backup_20200101_000000.sql.gz.partial").write_bytes(b"x")
    code, out, _ = cli(capsys, "list", *common)
    assert code == 0 and "backups:" in out and out.count("full_backup_") == 2 and "schema_" in out
    assert ".partial" not in out
    lines = out.splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.split() == ["KIND", "AGE", "SIZE", "FORMAT", "WHERE"]
    )
    where = lines[header].index("WHERE")
    assert all(row[where:].startswith(str(backups)) for row in lines[header + 1 : header + 4]), lines
    listed = json.loads(cli(capsys, "list", "--backups", "--format", "json", *common)[1])
    assert sorted(item["kind"] for item in listed) == ["daily", "daily", "schema"]

    code, out, _ = cli(capsys, "prune", *common)
    assert code == 0 and "2 to delete, 1 to keep; run with --yes" in out
    assert len(list(backups.glob("*.manifest.json"))) == 3
    code, out, _ = cli(capsys, "prune", "--yes", *common)
    assert code == 0 and "2 deleted, 1 kept" in out
    [left] = backups.glob("*.manifest.json")
    assert decode(left.read_bytes()).created_at.startswith("2099")
    assert (backups / ".full_backup_20200101_000000.sql.gz.partial").exists()  # fresh: maybe still running


def test_restore_progress_counts_against_the_manifest(pg, source: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The restore line knows its totals from the manifest (no `5.0/? MB`): the stored size while the
    file is verified, the dump's size while it streams into psql; sizes in binary units as everywhere."""
    from schemareg.backup import restore
    from schemareg.backup.plans import restore_request
    from schemareg.cli.backup_options import PhaseProgress, amount_text, size_text

    code, _, err = cli(
        capsys, "backup", "--dsn", source, "--dest", str(tmp_path), "--pg-bin", bin_dir(pg),
        "--data-dir", str(tmp_path / "d"),
    )  # fmt: skip
    assert code == 0, err
    [backup] = [p for p in tmp_path.iterdir() if p.name.endswith(".sql.gz")]
    manifest = decode((tmp_path / (backup.name + ".manifest.json")).read_bytes())
    seen: list[tuple[str, int, int | None]] = []

    def line(done: int, stored: int = 0, *, total: int | None = None, phase: str | None = None) -> None:
        assert phase is not None
        seen.append((phase, done, total))

    request = restore_request(
        str(backup), pg.database("bprogress"), force=False, jobs=1, identity=None, pg_bin=bin_dir(pg)
    )
    request.progress = PhaseProgress(line)
    assert restore(request).matches
    last = {phase: (done, total) for phase, done, total in seen}
    assert [phase for phase in dict.fromkeys(phase for phase, _, _ in seen)] == ["verify", "restore"]
    assert last["verify"] == (manifest.size, manifest.size)
    assert last["restore"] == (manifest.raw_size, manifest.raw_size)
    assert all(total for _, _, total in seen)
    assert (
        amount_text(manifest.raw_size, manifest.raw_size)
        == f"{size_text(manifest.raw_size)}/{size_text(manifest.raw_size)}"
    )
    assert amount_text(5 * 1024 * 1024, None) == "5.0 MiB"
    assert amount_text(5 * 1024 * 1024, 12 * 1024 * 1024) == "5.0 MiB/12.0 MiB"
