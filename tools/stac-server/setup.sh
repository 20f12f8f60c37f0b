#!/usr/bin/env bash
# Creates the pgstac database that the CI's real STAC API serves, on the CI
# PostgreSQL (tools/ci/start-postgres.sh), and loads it: the sample collections
# and items (tools/stac-server/fixtures/samples) and a synthetic HLS-shaped
# collection of SCM_STAC_BIG_ITEMS items (default 100000).
#
# Needs the venv of tools/python/requirements.txt (pypgstac, psycopg) in
# SCM_PYTHON_VENV (default <repo>/.venv). Re-running it on a database that
# already holds the same load does nothing; SCM_STAC_RELOAD=1 forces a reload.
set -euo pipefail
source "$(dirname "$0")/env.sh"
big="${SCM_STAC_BIG_ITEMS:-100000}"
big_id="${SCM_STAC_BIG_COLLECTION:-HLSS30_2.0_synthetic}"
dsn="${admin_dsn%/*}/$db"
py="$venv/bin/python"
marker="loaded:$big_id:$big"

sql() { "$py" - "$1" "$2" <<'PY'
import sys, psycopg
dsn, statement = sys.argv[1], sys.argv[2]
with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
    row = conn.execute(statement).fetchone() if statement.lstrip().upper().startswith('SELECT') else conn.execute(statement)
    if isinstance(row, tuple) and row and row[0] is not None: print(row[0])
PY
}

if [ "${SCM_STAC_RELOAD:-0}" != 1 ] &&
  [ "$(sql "$admin_dsn" "SELECT 1 FROM pg_database WHERE datname = '$db'")" = 1 ] &&
  [ "$(sql "$dsn" "SELECT obj_description('public.scm_load_marker'::regclass)" 2>/dev/null || true)" = "$marker" ]; then
  echo "stac-server: database $db already holds $marker"
  exit 0
fi

t0=$(date +%s)
sql "$admin_dsn" "DROP DATABASE IF EXISTS $db WITH (FORCE)"
sql "$admin_dsn" "CREATE DATABASE $db"
"$venv/bin/pypgstac" migrate --dsn "$dsn" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$here/prepare-samples.mjs" "$work"
node "$here/generate-items.mjs" --count 0 --collection "$big_id" --collection-json "$work/big-collection.ndjson"
cat "$work/big-collection.ndjson" >>"$work/collections.ndjson"
"$venv/bin/pypgstac" load collections "$work/collections.ndjson" --dsn "$dsn" --method insert_ignore >/dev/null
"$venv/bin/pypgstac" load items "$work/items.ndjson" --dsn "$dsn" --method insert_ignore >/dev/null
t1=$(date +%s)
node "$here/generate-items.mjs" --count "$big" --collection "$big_id" |
  "$venv/bin/pypgstac" load items stdin --dsn "$dsn" --method insert_ignore >/dev/null
t2=$(date +%s)
sql "$dsn" "CREATE TABLE public.scm_load_marker ()"
sql "$dsn" "COMMENT ON TABLE public.scm_load_marker IS '$marker'"
echo "stac-server: database $db ready (schema and samples $((t1 - t0))s, $big items of $big_id in $((t2 - t1))s)"
