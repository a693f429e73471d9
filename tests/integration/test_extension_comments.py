"""An extension's comment, with PostgreSQL as the judge: a comment a user wrote is part of the schema on
both engines, the one CREATE EXTENSION gives it (which pg_dump writes too) is not, and schema.sql replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemareg.normalize import normalize
from tests.integration.test_fidelity import assert_agree
from tests.integration.test_quoting import replays
from tests.integration.test_roundtrip import ENGINE_NAMES
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

SCRIPT = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';
CREATE EXTENSION hstore;
COMMENT ON EXTENSION hstore IS 'our key-value store';
CREATE EXTENSION citext;
COMMENT ON EXTENSION citext IS 'to be removed';
COMMENT ON EXTENSION citext IS NULL;
CREATE EXTENSION btree_gist;
COMMENT ON EXTENSION btree_gist IS 'it''s ours';
"""


def test_a_users_comment_on_an_extension_counts(pg: PostgresServer) -> None:
    assert_agree(SCRIPT, pg)
    canonical = "\n".join(normalize(SCRIPT, "postgres").rendered().values())
    assert "COMMENT ON EXTENSION hstore IS 'our key-value store';" in canonical
    assert "COMMENT ON EXTENSION btree_gist IS 'it''s ours';" in canonical
    assert "pg_trgm IS" not in canonical and "citext IS" not in canonical  # the default, and none


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_an_extensions_comment_replays(pg: PostgresServer, engine_name: str, tmp_path: Path) -> None:
    replays(pg, SCRIPT, engine_name, tmp_path)
