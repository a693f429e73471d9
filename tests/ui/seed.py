"""The project the UI tests look at, made with the core's public surface: `shop` with a known history.

production = v1.0.0 = USERS; release v1.1.0 = + orders, billing.invoices; staging = v1.1.0 + users.name;
dev = staging with users.email renamed (a possible rename); a drift report on production and a backup
in the server's backup dir. `KNOWN_CHANGE` is exactly what lies between v1.1.0 and staging.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import msgspec

from schemareg import __version__
from schemareg.backup.manifest import MANIFEST_SUFFIX, Manifest, encode
from schemareg.drift import check_drift
from schemareg.normalize import normalize
from schemareg.service import Registry

__all__ = ["KNOWN_CHANGE", "PROJECT", "seed"]

PROJECT = "shop"
USERS = (
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());"
)
ORDERS = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),"
    " total numeric(10,2) NOT NULL DEFAULT 0, placed_at timestamptz);"
    "CREATE INDEX orders_user_id_idx ON orders (user_id);"
    "CREATE SCHEMA billing;"
    "CREATE TABLE billing.invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id),"
    " amount numeric(10,2) NOT NULL);"
    "CREATE VIEW order_totals AS SELECT user_id, sum(total) AS total FROM orders GROUP BY user_id;"
)
V1 = USERS
V2 = V1 + ORDERS
V3 = V2.replace("created_at timestamptz DEFAULT now())", "created_at timestamptz DEFAULT now(), name text)")
DEV = V3.replace("email text NOT NULL", "email_address text NOT NULL")
# (change, kind, object, name) of every change between v1.1.0 and staging: one column added.
KNOWN_CHANGE = [("add", "column", "public.users", "name")]


def seed(data_dir: Path, backup_dir: Path) -> None:
    with Registry(data_dir) as registry:
        registry.init_project(PROJECT, "postgres", "The web shop's database")
        registry.snapshot(PROJECT, "staging", V1, message="users")
        registry.promote(PROJECT, "production", "staging")
        registry.release(PROJECT, "v1.0.0", "production", description="first cut")
        registry.snapshot(PROJECT, "staging", V2, message="orders, invoices and a view")
        registry.release(PROJECT, "v1.1.0", "staging", description="orders")
        registry.snapshot(PROJECT, "staging", V3, message="users get a name")
        registry.promote(PROJECT, "dev", "staging")
        registry.snapshot(PROJECT, "dev", DEV, message="email becomes email_address")

        head = registry.expected(PROJECT, "production")
        live = normalize(V1 + "CREATE INDEX users_email_idx ON users (email);", "postgres")
        report = check_drift(
            project=PROJECT,
            env="production",
            baseline=registry.schema_at(PROJECT, head.sha),
            live=live,
            expected_sha=head.sha,
            expected_fingerprint=head.fingerprint,
            database="postgresql://app@db.internal/shop",
            database_version="PostgreSQL 17.2",
        )
        registry.record_drift(PROJECT, "production", msgspec.to_builtins(report))
    _backup(backup_dir, head.sha, head.fingerprint)


def _backup(directory: Path, sha: str, fingerprint: str) -> None:
    """A backup file and its manifest, as `schemareg backup` leaves them in a local backup dir."""
    directory.mkdir(parents=True, exist_ok=True)
    name = "full_backup_20260101_020000.sql.gz"
    raw = f"-- dump of {PROJECT}\n{V1}\n".encode()
    stored = gzip.compress(raw, mtime=0)
    (directory / name).write_bytes(stored)
    manifest = Manifest(
        name=name,
        kind="daily",
        format="plain",
        compression="gzip",
        compressed_by="schemareg",
        sha256=hashlib.sha256(stored).hexdigest(),
        size=len(stored),
        raw_size=len(raw),
        created_at="2026-01-01T02:00:00Z",
        duration_seconds=0.4,
        database="postgresql://app@db.internal/shop",
        server_version="PostgreSQL 17.2",
        pg_dump_version="17.2",
        restrict_key=None,
        fingerprint=fingerprint,
        project=PROJECT,
        env="production",
        env_head=sha,
        env_fingerprint=fingerprint,
        schemareg_version=__version__,
    )
    (directory / (name + MANIFEST_SUFFIX)).write_bytes(encode(manifest))
