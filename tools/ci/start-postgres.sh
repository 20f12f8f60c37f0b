#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1:${SCM_PG_PORT:-54329}
# owned by the postgres user, for the pgstac integration tests.
set -euo pipefail
port="${SCM_PG_PORT:-54329}"
data="${SCM_PG_DATA:-/tmp/scm-pgdata}"
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if su postgres -c "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then
  echo "postgres already running on $port"
  exit 0
fi
rm -rf "$data"
mkdir -p "$data" && chown postgres:postgres "$data"
su postgres -c "$bin/initdb -D $data -U postgres --auth=trust -E UTF8" >/dev/null
su postgres -c "$bin/pg_ctl -D $data -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' -l $data/server.log -w start" >/dev/null
echo "postgres started on 127.0.0.1:$port"
