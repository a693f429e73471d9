"""The pure halves of the ALTER forms folded into their objects (tests/integration/test_alter_forms.py)."""

from __future__ import annotations

import pytest

from schemareg.model import Definition, Kind, ObjectKey, Table
from schemareg.normalize import ops
from schemareg.normalize.domain_alter import apply_alter_domain
from schemareg.normalize.identity import retuned_identity
from schemareg.normalize.storage import set_logged

_DOMAIN = "CREATE DOMAIN public.d AS TEXT DEFAULT 'NOT NULL' CONSTRAINT zz CHECK (value <> 'a CONSTRAINT x CHECK (')"


def _domain(sql: str, *actions: tuple[str, ...]) -> tuple[bool, str]:
    key = ObjectKey(Kind.DOMAIN, "public.d")
    objects = {key: Definition(kind=Kind.DOMAIN, schema="public", name="d", sql=sql)}
    done = all(apply_alter_domain(objects, ops.AlterDomain(domain="public.d", action=a)) for a in actions)
    return done, objects[key].sql


def test_domain_actions_fold_into_the_canonical_text() -> None:
    done, sql = _domain(
        _DOMAIN,
        ("not_null", "1"),
        ("check", "", "LENGTH(value) < 5"),
        ("check", "", "LENGTH(value) < 9"),
        ("rename", "zz", "A z"),
        ("default", ""),
        ("drop", "d_check", ""),
        ("validate", "A z"),
    )
    assert done
    assert sql == (
        "CREATE DOMAIN public.d AS TEXT NOT NULL CONSTRAINT \"A z\" CHECK (value <> 'a CONSTRAINT x CHECK (')"
        " CONSTRAINT d_check1 CHECK (LENGTH(value) < 9)"
    )


@pytest.mark.parametrize(
    "action",
    [("drop", "nothere", ""), ("rename", "nothere", "x"), ("validate", "nothere"), ("check", "zz", "true")],
)
def test_domain_action_on_a_missing_or_taken_constraint_is_not_applied(action: tuple[str, ...]) -> None:
    assert _domain(_DOMAIN, action) == (False, _DOMAIN)


def test_dropping_a_missing_domain_constraint_if_exists_does_nothing() -> None:
    assert _domain(_DOMAIN, ("drop", "nothere", "1")) == (True, _DOMAIN)


@pytest.mark.parametrize(
    ("identity", "kind", "options", "column_type", "expected"),
    [
        ("ALWAYS", "BY DEFAULT", "START WITH 10", "INT", "BY DEFAULT (START WITH 10)"),
        ("BY DEFAULT (START WITH 5 MINVALUE 2 CACHE 3)", None, "NO MINVALUE INCREMENT BY 2", "INT",
         "BY DEFAULT (START WITH 5 INCREMENT BY 2 CACHE 3)"),
        ("ALWAYS (SEQUENCE NAME public.s START WITH 3)", None, "START WITH 1", "BIGINT",
         "ALWAYS (SEQUENCE NAME public.s)"),
        ("ALWAYS (CYCLE)", "ALWAYS", "NO CYCLE MAXVALUE 2147483647", "INT", "ALWAYS"),
    ],
)  # fmt: skip
def test_retuned_identity(
    identity: str, kind: str | None, options: str, column_type: str, expected: str
) -> None:
    assert retuned_identity(identity, kind, options, column_type) == expected


def test_set_logged_keeps_the_other_options() -> None:
    table = Table(schema="public", name="t", options="fillfactor='70'")
    assert set_logged({}, table, ops.SetLogged(table="public.t", unlogged=True))
    assert table.options == "UNLOGGED fillfactor='70'"
    assert set_logged({}, table, ops.SetLogged(table="public.t", unlogged=False))
    assert table.options == "fillfactor='70'"
    assert not set_logged({}, None, ops.SetLogged(table="public.t", unlogged=True))
