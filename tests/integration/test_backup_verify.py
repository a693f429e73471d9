"""Restore drills: `verify-backup` restores into a scratch database and checks the fingerprint and every
table's row count recorded at backup time; a backup whose data was altered and re-signed fails."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import psycopg
import pytest

from schemareg.backup.manifest import decode, encode
from schemareg.cli import run
from tests.integration.test_backup import populate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def source(pg) -> str:  # type: ignore[no-untyped-def]
    url = pg.database("bvsrc")
    populate(url)
    return url


def databases(pg) -> set[str]:  # type: ignore[no-untyped-def]
    with psycopg.connect(pg.admin_url, autocommit=True) as conn:
        return {str(row[0]) for row in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_a_good_backup_passes_and_the_scratch_database_is_dropped(
    pg, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SCHEMAREG_DEV_URL", raising=False)
    common = ["--backup-dir", str(tmp_path), "--data-dir", str(tmp_path / "data")]
    assert run(["backup", "--dsn", source, "--kind", "daily", *common]) == 0
    [path] = tmp_path.glob("*.manifest.json")
    manifest = decode(path.read_bytes())
    assert manifest.row_counts is not None and manifest.row_counts["public.blobs"] == 3002
    capsys.readouterr()
    code = run(["verify-backup", "latest", "--dev-url", pg.admin_url, *common])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert (
        "fingerprint ok" in out and "row counts  5 of 5 tables match" in out and out.rstrip().endswith("OK")
    )
    code = run(["verify-backup", "latest", "--dev-url", pg.admin_url, "--json", *common])
    scratch = json.loads(capsys.readouterr().out)["scratch_database"].rsplit("/", 1)[1]
    assert code == 0 and scratch.startswith("schemareg_verify_") and scratch not in databases(pg)  # dropped
    # By default the scratch database is made on the embedded PostgreSQL.
    code = run(["verify-backup", str(tmp_path / manifest.name), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] and {t["table"] for t in report["tables"]} == set(manifest.row_counts)


def test_a_row_removed_and_the_manifest_re_signed_fails(
    pg, source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    assert run(["backup", "--dsn", source, "--dest", str(tmp_path), "--data-dir", str(tmp_path / "d")]) == 0
    [path] = tmp_path.glob("*.manifest.json")
    manifest = decode(path.read_bytes())
    backup = tmp_path / manifest.name
    lines = gzip.decompress(backup.read_bytes()).split(b"\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"COPY public.docs "))
    del lines[start + 1]  # the first row of docs
    backup.write_bytes(gzip.compress(b"\n".join(lines)))
    manifest.sha256 = hashlib.sha256(backup.read_bytes()).hexdigest()
    manifest.size = backup.stat().st_size
    path.write_bytes(encode(manifest))
    capsys.readouterr()
    code = run(["verify-backup", str(backup), "--dev-url", pg.admin_url])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "public.docs: 2999 rows, the manifest says 3000" in out and out.rstrip().endswith("MISMATCH")
    assert "fingerprint ok" in out  # the schema is intact: only the data was altered


def test_without_a_dev_server_it_says_what_to_give(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SCHEMAREG_DEV_URL", raising=False)
    monkeypatch.setattr("schemareg.devserver.embedded_available", lambda: False)  # an install without it
    code = run(["verify-backup", str(tmp_path / "full_backup_20250101_020000.sql.gz")])
    _, err = capsys.readouterr()
    assert code == 2 and "--dev-url" in err and len(err.strip().splitlines()) == 1
