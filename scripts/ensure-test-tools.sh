#!/usr/bin/env bash
# What the tests need besides Python packages: the system's PostgreSQL server binaries (initdb, pg_ctl,
# pg_dump, psql: Debian's PostgreSQL 15, the oldest end of the supported range, beside the embedded 18 that
# `make` installs), git (clone and fsck tests), curl (the curl guide's examples) and Chromium with its
# driver (the web UI's browser tests). Installed from Debian's packages when missing and allowed; otherwise
# a clear message.
set -euo pipefail
missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  missing+=(postgresql postgresql-client)
fi
command -v git >/dev/null 2>&1 || missing+=(git)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing what the tests need: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need these system packages: ${missing[*]}. Install them with your package manager" >&2
exit 1
