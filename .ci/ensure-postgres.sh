#!/usr/bin/env bash
# Make sure a PostgreSQL answers on 127.0.0.1:5432 for the database tests.
# The machine normally starts it; if it is down, start the installed cluster; if none is
# installed, install Debian's and start it. Tests skip with a reason if it still is not there.
set -uo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null || {
    echo "ensure-postgres: could not install PostgreSQL; database tests will skip" >&2; exit 0; }
fi
version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
if [ -n "$version" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "ensure-postgres: PostgreSQL did not come up; database tests will skip" >&2
exit 0
