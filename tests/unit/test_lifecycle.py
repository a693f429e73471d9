"""The S3 lifecycle rules, checked with moto (SeaweedFS does not implement bucket lifecycle)."""

from __future__ import annotations

import pytest

moto = pytest.importorskip("moto")

from schemareg.backup.s3 import Location, apply_lifecycle, client  # noqa: E402
from schemareg.cli import run  # noqa: E402


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        s3 = client()
        s3.create_bucket(Bucket="backups")
        yield s3


def rules_by_id(s3) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    return {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket="backups")["Rules"]}


def test_rules_deep_archive_after_a_year_and_abort_incomplete_uploads(aws) -> None:  # type: ignore[no-untyped-def]
    apply_lifecycle(aws, Location("backups", "shop"))
    rules = rules_by_id(aws)
    archive = rules["schemareg-deep-archive"]
    assert archive["Status"] == "Enabled"
    assert archive["Transitions"] == [{"Days": 365, "StorageClass": "DEEP_ARCHIVE"}]
    assert archive["Filter"] == {"Prefix": "shop/"}
    abort = rules["schemareg-abort-incomplete-uploads"]
    assert abort["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_other_rules_are_kept_and_ours_replaced_not_duplicated(aws) -> None:  # type: ignore[no-untyped-def]
    other = {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 3}}
    aws.put_bucket_lifecycle_configuration(Bucket="backups", LifecycleConfiguration={"Rules": [other]})
    apply_lifecycle(aws, Location("backups"))
    apply_lifecycle(aws, Location("backups"))
    assert sorted(rules_by_id(aws)) == [
        "logs",
        "schemareg-abort-incomplete-uploads",
        "schemareg-deep-archive",
    ]


def test_the_command(aws, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert run(["s3", "lifecycle", "--s3", "s3://backups/shop"]) == 0
    out = capsys.readouterr().out
    assert "schemareg-deep-archive" in out and "DEEP_ARCHIVE" in out
    assert run(["s3", "lifecycle", "--s3", "s3://missing-bucket"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
