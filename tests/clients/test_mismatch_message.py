"""SchemaMismatch's message stays readable however many differences there are: counts, then the first few;
`differences` keeps them all."""

from __future__ import annotations

from schemareg_client import SchemaMismatch
from schemareg_client._base import SHOWN_DIFFERENCES, describe_mismatch
from schemareg_client._models import Change, Check, Diff


def _check(changes: int) -> Check:
    removed = [
        Change(change="remove", kind="table", object=f"public.t{n}", severity="breaking")
        for n in range(changes)
    ]
    return Check(
        match=False,
        expected="sha256:" + "a" * 64,
        actual="sha256:" + "b" * 64,
        sha="c" * 40,
        diff=Diff(from_="production", to="posted", semver="major", changes=removed),
    )


def test_an_empty_database_is_summarised() -> None:
    check = _check(136)
    message = describe_mismatch(
        check, project="shop", env="production", database="postgresql://app:***@db/shop"
    )
    lines = message.splitlines()
    assert len(lines) == 1 + SHOWN_DIFFERENCES + 1
    assert "136 difference(s)" in lines[0] and "136 remove" in lines[0] and "136 breaking" in lines[0]
    assert lines[-1] == f"  ... and {136 - SHOWN_DIFFERENCES} more (SchemaMismatch.differences)"
    assert len(SchemaMismatch(message, check=check).differences) == 136


def test_a_few_differences_are_all_listed() -> None:
    message = describe_mismatch(_check(2), project="shop", env="production", database="db")
    assert len(message.splitlines()) == 3 and "more" not in message
