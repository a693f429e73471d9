#!/usr/bin/env bash
# The tests need the PostgreSQL server binaries (initdb, pg_ctl, pg_dump, psql) unless
# SCHEMAREG_TEST_POSTGRES names a server. Install them from Debian's packages when they are missing.
set -euo pipefail
if [ -n "${SCHEMAREG_TEST_POSTGRES:-}" ]; then exit 0; fi
if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing the PostgreSQL server binaries (Debian package postgresql)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
  exit 0
fi
echo "The tests need PostgreSQL's server binaries (initdb, pg_ctl, pg_dump): install your system's" >&2
echo "postgresql package, or set SCHEMAREG_TEST_POSTGRES to a server URL." >&2
exit 1
