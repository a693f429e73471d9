"""Backups in a real S3-compatible server (SeaweedFS `weed mini` on loopback): a multipart upload over
8 MiB with our metadata, storage classes and encryption; list, restore from s3://, prune; an upload that
dies or is killed halfway leaves nothing that `list` shows; an unreachable S3 is a one-line error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from schemareg.backup.manifest import decode, encode
from schemareg.cli import run
from tests.support import s3 as s3_support
from tests.support.postgres import free_port
from tests.support.s3 import S3Server

pytestmark = pytest.mark.integration
# The S3 fixtures, imported explicitly (tests/conftest.py stays as it is).
s3_server = s3_support.s3_server
s3_env = s3_support.s3_env
ROOT = Path(__file__).resolve().parents[2]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def bin_dir(pg) -> str:  # type: ignore[no-untyped-def]
    return str(Path(pg.tool("pg_dump")).parent)


@pytest.fixture(scope="module")
def big_source(pg) -> str:  # type: ignore[no-untyped-def]
    """About 14 MiB of gzip output: random bytes do not compress."""
    url = pg.database("s3src")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE noise (id int PRIMARY KEY, data bytea, note text, at timestamptz)")
        conn.execute(
            """INSERT INTO noise SELECT g, decode(md5(random()::text) || md5(random()::text), 'hex'),
                   CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END, now() - g * interval '1 minute'
               FROM generate_series(1, 400000) g"""
        )
    return url


def counts(url: str) -> tuple[int, str]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*), md5(string_agg(data::text, '' ORDER BY id)) FROM noise"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


@pytest.mark.slow
def test_multipart_upload_list_restore_prune(
    pg, big_source: str, s3_env: S3Server, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    s3 = s3_env.client()
    bucket = s3_env.bucket()
    url = f"s3://{bucket}/shop/prod"
    common = ["--backup-dir", str(tmp_path / "local"), "--data-dir", str(tmp_path / "data"), "--s3", url]
    code, out, err = cli(
        capsys, "backup", "--dsn", big_source, "--no-local", "--kind", "daily", "--level", "1",
        "--pg-bin", bin_dir(pg), "--json", *common,
    )  # fmt: skip
    assert code == 0, err
    manifest = json.loads(out)["manifest"]
    key = f"shop/prod/{manifest['name']}"
    assert manifest["size"] > 8 * 1024 * 1024  # more than one part
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == manifest["size"]
    assert head["Metadata"]["sha256"] == manifest["sha256"]
    assert head.get("StorageClass") == "GLACIER_IR" and head.get("ServerSideEncryption") == "AES256"
    manifest_head = s3.head_object(Bucket=bucket, Key=key + ".manifest.json")
    assert manifest_head.get("StorageClass", "STANDARD") == "STANDARD"
    assert not (tmp_path / "local").exists()

    # A schema snapshot goes to STANDARD.
    code, out, err = cli(capsys, "backup", "--dsn", big_source, "--no-local", "--schema-only", "--json",
                         "--pg-bin", bin_dir(pg), *common)  # fmt: skip
    assert code == 0, err
    schema_key = f"shop/prod/{json.loads(out)['manifest']['name']}"
    assert s3.head_object(Bucket=bucket, Key=schema_key).get("StorageClass", "STANDARD") == "STANDARD"

    code, out, _ = cli(capsys, "list", *common)
    assert code == 0 and f"{url}/{manifest['name']}" in out and "daily" in out and "schema" in out
    listed = json.loads(cli(capsys, "list", "--backups", "--format", "json", *common)[1])
    assert {item["store"] for item in listed} == {"s3"} and len(listed) == 2

    target = pg.database("s3rst")
    code, out, err = cli(
        capsys, "restore", f"{url}/{manifest['name']}", "--dsn", target, "--pg-bin", bin_dir(pg)
    )
    assert code == 0, err
    assert "matches the manifest" in out
    assert counts(target) == counts(big_source)

    # An old daily backup beside the newest: prune plans it, and deletes it only with --yes.
    old = decode(s3.get_object(Bucket=bucket, Key=key + ".manifest.json")["Body"].read())
    old.name, old.created_at = "full_backup_20250101_020000.sql.gz", "2025-01-01T02:00:00Z"
    s3.put_object(Bucket=bucket, Key=f"shop/prod/{old.name}", Body=b"old")
    s3.put_object(Bucket=bucket, Key=f"shop/prod/{old.name}.manifest.json", Body=encode(old))
    code, out, _ = cli(capsys, "prune", *common)
    assert code == 0 and f"delete   {url}/{old.name}" in out and "1 to delete" in out
    assert cli(capsys, "prune", "--yes", *common)[0] == 0
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert f"shop/prod/{old.name}" not in keys and f"shop/prod/{old.name}.manifest.json" not in keys
    assert key in keys and schema_key in keys


def fake_pg_dump(pg, directory: Path) -> str:  # type: ignore[no-untyped-def]
    """A pg_dump stand-in: the real one for the schema and version, else 20 MB of noise, then death
    (or, with HANG set, a long sleep to be killed in)."""
    real = pg.tool("pg_dump")
    directory.mkdir()
    script = directory / "pg_dump"
    script.write_text(
        "#!/bin/bash\n"
        'for a in "$@"; do case "$a" in --schema-only|--help|--version) exec ' + real + ' "$@";; esac; done\n'
        "head -c 20000000 /dev/urandom\n"
        'if [ -n "$HANG" ]; then sleep 120; fi\n'
        'echo "pg_dump: error: stand-in died halfway" >&2\n'
        "exit 1\n"
    )
    script.chmod(0o755)
    return str(directory)


def nothing_left(s3_env: S3Server, bucket: str, capsys, common: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(capsys, "list", "--backups", *common)
    assert code == 0 and "(none)" in out
    assert s3_env.client().list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


def test_a_pg_dump_that_dies_halfway_leaves_nothing(pg, s3_env: S3Server, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bucket = s3_env.bucket()
    source = pg.database("s3die")
    common = [
        "--backup-dir",
        str(tmp_path / "local"),
        "--data-dir",
        str(tmp_path / "d"),
        "--s3",
        f"s3://{bucket}/p",
    ]
    fake = fake_pg_dump(pg, tmp_path / "bin")
    code, _, err = cli(capsys, "backup", "--dsn", source, "--pg-bin", fake, *common)
    assert code == 2 and "stand-in died halfway" in err and len(err.strip().splitlines()) == 1
    nothing_left(s3_env, bucket, capsys, common)
    assert s3_env.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert list((tmp_path / "local").iterdir()) == []  # the temporary file is gone too


@pytest.mark.slow
def test_a_backup_killed_halfway_is_never_listed(pg, s3_env: S3Server, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bucket = s3_env.bucket()
    source = pg.database("s3kill")
    common = [
        "--backup-dir",
        str(tmp_path / "local"),
        "--data-dir",
        str(tmp_path / "d"),
        "--s3",
        f"s3://{bucket}/p",
    ]
    fake = fake_pg_dump(pg, tmp_path / "bin")
    env = {**os.environ, "HANG": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "schemareg", "backup", "--dsn", source, "--pg-bin", fake, *common],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    s3 = s3_env.client()
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:  # wait until a part of the upload is in S3
            uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
            if uploads and s3.list_parts(
                Bucket=bucket, Key=uploads[0]["Key"], UploadId=uploads[0]["UploadId"]
            ).get("Parts"):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the upload never started")
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the backup and its pg_dump stand-in with it
        process.wait()
    nothing_left(s3_env, bucket, capsys, common)
    # The local copy is a hidden temporary file, which `list` ignores and `prune` removes once stale.
    assert all(path.name.endswith(".partial") for path in (tmp_path / "local").iterdir())


def test_unreachable_s3_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for args in (
        ["list", "--s3", "s3://backups/shop", "--data-dir", str(tmp_path)],
        [
            "restore",
            "s3://backups/shop/full_backup_20250101_000000.sql.gz",
            "--dsn",
            "postgresql://localhost/x",
        ],
        ["prune", "--s3", "s3://backups/shop", "--data-dir", str(tmp_path)],
    ):
        code, _, err = cli(capsys, *args)
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "S3" in err
