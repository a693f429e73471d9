"""A backup, upload or prune that fails is reported: one GitHub issue per (project, kind of failure) on the
local recording server, commented on while it keeps failing and closed by the next success; a webhook
gets the failure; the exit code stays non-zero. The storage quota keeps the newest full backup and every
release's backup, and says what it removed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from schemareg.backup.manifest import decode, encode
from schemareg.cli import run
from tests.support.postgres import free_port
from tests.support.recorder import Recorder, recording_server

pytestmark = pytest.mark.integration


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    with recording_server() as recorder:
        monkeypatch.setenv("GITHUB_TOKEN", "ghs_test_token")
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/db")
        monkeypatch.setenv("GITHUB_API_URL", recorder.url)
        yield recorder


def backup_issues(recorder: Recorder) -> list[dict[str, object]]:
    return [issue for issue in recorder.issues.values() if issue.get("labels") == ["schemareg-backup"]]


def test_a_failing_backup_opens_one_issue_and_the_next_success_closes_it(
    pg, github: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    unreachable = f"postgresql://app:s3cretpw@127.0.0.1:{free_port()}/shop"
    common = [
        "--dest",
        str(tmp_path),
        "--data-dir",
        str(tmp_path / "data"),
        "--project",
        "shop",
        "--open-issue",
    ]
    for attempt in range(2):
        code = run(["backup", "--dsn", unreachable, *common])
        _, err = capsys.readouterr()
        assert code == 2 and "cannot connect" in err
        assert ("github issue: opened #1" if attempt == 0 else "github issue: commented #1") in err
    [issue] = backup_issues(github)
    assert issue["state"] == "open" and issue["title"] == "Backup failed: shop"
    assert "cannot connect" in str(issue["body"]) and "s3cretpw" not in str(issue["body"])
    assert len(github.comments[1]) == 1 and "Failed again" in github.comments[1][0]

    source = pg.database("balert")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int)")
    code = run(["backup", "--dsn", source, *common])
    _, err = capsys.readouterr()
    assert code == 0 and "github issue: closed #1" in err
    assert github.issues[1]["state"] == "closed"
    assert "Succeeded again" in github.comments[1][-1]
    # One more success finds nothing to close.
    assert run(["backup", "--dsn", source, *common]) == 0
    assert "github issue" not in capsys.readouterr().err


def test_a_webhook_receives_the_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with recording_server() as hook:
        dsn = f"postgresql://app@127.0.0.1:{free_port()}/shop"
        code = run(["backup", "--dsn", dsn, "--dest", str(tmp_path), "--webhook", f"{hook.url}/hooks/backup"])
        _, err = capsys.readouterr()
    assert code == 2 and "webhook: posted" in err
    [call] = [c for c in hook.calls if c.path == "/hooks/backup"]
    assert call.method == "POST" and call.body["text"].startswith("Backup failed: shop: cannot connect")
    assert call.body["incident"]["kind"] == "backup" and call.body["incident"]["project"] == "shop"


def test_an_unreachable_s3_is_an_upload_failure(
    pg, github: Recorder, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    source = pg.database("bupl")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    code = run(
        ["backup", "--dsn", source, "--s3", "s3://backups/shop", "--no-local", "-p", "shop", "--open-issue"]
    )
    _, err = capsys.readouterr()
    assert code == 2 and "S3" in err
    [issue] = backup_issues(github)
    assert issue["title"] == "Backup upload failed: shop"


def make_release(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = data_dir.parent / "schema.sql"
    schema.write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    common = ["--data-dir", str(data_dir)]
    assert run(["init", "shop", "--dialect", "postgres", *common]) == 0
    assert (
        run(
            [
                "snapshot",
                "-p",
                "shop",
                "-e",
                "production",
                "--file",
                str(schema),
                "--dialect",
                "postgres",
                *common,
            ]
        )
        == 0
    )
    assert run(["version", "v1.0.0", "-p", "shop", "-e", "production", *common]) == 0
    capsys.readouterr()


def test_the_quota_keeps_the_newest_full_backup_and_every_release(
    pg, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    source = pg.database("bquota")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g")
    data = tmp_path / "data"
    backups = tmp_path / "backups"
    common = ["--backup-dir", str(backups), "--data-dir", str(data)]
    make_release(data, capsys)
    assert run(["backup", "--release", "v1.0.0", "-p", "shop", *common]) == 0
    for _ in range(3):
        assert run(["backup", "--dsn", source, "--kind", "manual", *common]) == 0
    capsys.readouterr()
    # Age them apart (all within retention): days 3, 2, 1 before now, the release oldest of all.
    manifests = sorted(backups.glob("*.manifest.json"), key=lambda p: decode(p.read_bytes()).created_at)
    ages = {"release": "2020-01-01T00:00:00Z"}
    fulls = iter(["2099-01-01T00:00:00Z", "2099-01-02T00:00:00Z", "2099-01-03T00:00:00Z"])
    for path in manifests:
        manifest = decode(path.read_bytes())
        manifest.created_at = ages.get(manifest.kind) or next(fulls)
        path.write_bytes(encode(manifest))
    newest = next(
        decode(p.read_bytes()).name
        for p in manifests
        if decode(p.read_bytes()).created_at.startswith("2099-01-03")
    )

    with recording_server() as hook:
        code = run(["prune", "--max-size", "1", "--webhook", hook.url, *common])  # the plan only
        out, _ = capsys.readouterr()
        assert code == 0 and "2 to delete, 2 to keep" in out and "CANNOT be met" in out
        assert len(list(backups.glob("*.manifest.json"))) == 4 and not hook.calls
        code = run(["prune", "--max-size", "1", "--yes", "--json", "--webhook", hook.url, *common])
        out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    [quota] = result["quota"]
    assert not quota["met"] and quota["limit"] == 1
    left = sorted(decode(p.read_bytes()).name for p in backups.glob("*.manifest.json"))
    assert left == sorted([newest, "release_v1.0.0.sql.gz"])
    [call] = hook.calls
    assert call.body["incident"]["kind"] == "quota" and "cannot be met" in call.body["text"]
    assert call.body["incident"]["detail"].count("removed:") == 2
