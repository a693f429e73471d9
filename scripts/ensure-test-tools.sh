#!/usr/bin/env bash
# What the tests need besides Python packages: PostgreSQL's server binaries (initdb, pg_ctl, pg_dump, psql)
# unless SCHEMAREG_TEST_POSTGRES names a server, git (clone and fsck tests) and curl (the curl guide's
# examples). Installed from Debian's packages when missing and allowed; otherwise a clear message.
set -euo pipefail
missing=()
if [ -z "${SCHEMAREG_TEST_POSTGRES:-}" ] && ! command -v initdb >/dev/null 2>&1 \
   && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql postgresql-client)
fi
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing what the tests need: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need these system packages: ${missing[*]}. Install them with your package manager" >&2
echo "(or set SCHEMAREG_TEST_POSTGRES to a PostgreSQL server URL instead of installing postgresql)." >&2
exit 1
