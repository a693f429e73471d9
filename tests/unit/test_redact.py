"""A DSN's password never shows: URLs, query parameters, libpq key/value strings, and text quoting them."""

from __future__ import annotations

import pytest

from schemareg.dsn import password_of, redact, scrub


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/prod", "postgresql://app:***@db:5432/prod"),
        ("postgres://app:p%40ss@db/prod?sslmode=require", "postgres://app:***@db/prod?sslmode=require"),
        ("postgresql://db/prod?user=app&password=s3cret", "postgresql://db/prod?user=app&password=***"),
        ("postgresql://app@db/prod", "postgresql://app@db/prod"),
        ("host=db user=app password=s3cret dbname=prod", "host=db user=app password=*** dbname=prod"),
        ("host=db password='s3 cret' dbname=prod", "host=db password=*** dbname=prod"),
        ("sqlite:///var/app.db", "sqlite:///var/app.db"),
    ],
)
def test_redact(dsn: str, shown: str) -> None:
    assert redact(dsn) == shown
    secret = password_of(dsn)
    if secret:
        assert secret not in redact(dsn)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://db/prod?password=s3cret&user=postgres",
        "postgresql://db/prod?sslmode=require&password=s3cret&user=postgres&application_name=x",
    ],
)
def test_scrub_keeps_every_other_parameter_of_a_url(dsn: str) -> None:
    for text in (dsn, f"connection to {dsn} failed", f"{dsn} password=s3cret"):
        cleaned = scrub(text, dsn)
        assert "s3cret" not in cleaned
        assert redact(dsn) in cleaned  # user=postgres and the rest still name the target


def test_scrub_masks_urls_and_the_raw_password_anywhere() -> None:
    dsn = "postgresql://app:p%40ss@db/prod"
    text = f'connection to "{dsn}" failed: password "p@ss" rejected; also postgresql://x:y@h/d'
    cleaned = scrub(text, dsn)
    assert "p@ss" not in cleaned and "p%40ss" not in cleaned and ":y@" not in cleaned
    assert "postgresql://app:***@db/prod" in cleaned and "postgresql://x:***@h/d" in cleaned
