"""What the client tests share: tokens (configured on the servers as sha256 digests) and schemas."""

from __future__ import annotations

import hashlib

ADMIN = "admin-token-for-tests"
READER = "read-token-for-tests"
TOKENS = ";".join(
    f"{hashlib.sha256(token.encode()).hexdigest()}:{scope}"
    for token, scope in ((ADMIN, "admin"), (READER, "read"))
)

V1 = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);"
V2 = V1 + "\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));"
V3 = V2 + "\nALTER TABLE users ADD COLUMN name text;"
BAD_SQL = "CREATE TABLE users (\n  id bigint,\n  email text DEFAULT 'unterminated\n);"
