#!/usr/bin/env bash
# Starts stac-fastapi-pgstac (uvicorn, one worker unless SCM_STAC_WORKERS) on
# 127.0.0.1:${SCM_STAC_PORT:-8089} over the database that setup.sh loaded, in
# the background, and waits until it answers. Prints the URL; tests and
# benchmarks read it from SCM_STAC_API_URL. stop.sh stops it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
url="http://127.0.0.1:$port"
mkdir -p "$run_dir"

if [ -f "$run_dir/pid" ] && kill -0 "$(cat "$run_dir/pid")" 2>/dev/null; then
  echo "$url"
  exit 0
fi

# postgresql://user[:password]@host:port/db -> the PG* variables stac-fastapi-pgstac reads.
hostport="${admin_dsn#*@}"; hostport="${hostport%%/*}"
userinfo="${admin_dsn#*://}"; userinfo="${userinfo%%@*}"
export PGUSER="${userinfo%%:*}" PGPASSWORD="" PGHOST="${hostport%:*}" PGPORT="${hostport##*:}"
[ "$userinfo" != "${userinfo#*:}" ] && PGPASSWORD="${userinfo#*:}"
export PGDATABASE="$db"
export POSTGRES_USER="$PGUSER" POSTGRES_PASS="$PGPASSWORD" POSTGRES_HOST_READER="$PGHOST"
export POSTGRES_HOST_WRITER="$PGHOST" POSTGRES_PORT="$PGPORT" POSTGRES_DBNAME="$PGDATABASE"

nohup "$venv/bin/uvicorn" stac_fastapi.pgstac.app:create_app --factory --host 127.0.0.1 --port "$port" \
  --workers "${SCM_STAC_WORKERS:-1}" --log-level warning >"$run_dir/server.log" 2>&1 &
echo $! >"$run_dir/pid"

for _ in $(seq 1 120); do
  if "$venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url/" 2>/dev/null; then
    echo "$url"
    exit 0
  fi
  if ! kill -0 "$(cat "$run_dir/pid")" 2>/dev/null; then break; fi
  sleep 0.5
done
echo "stac-server: uvicorn did not answer on $url; its log:" >&2
cat "$run_dir/server.log" >&2
exit 1
