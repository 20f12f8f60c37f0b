#!/usr/bin/env bash
# Starts a local S3-compatible server (moto's, `moto[server]` from
# tools/python/requirements.txt) on 127.0.0.1:${SCM_S3_PORT:-9199} in the
# background, waits until it answers, and prints its URL: the object-store
# tests read it from SCM_S3_ENDPOINT. Its state is in memory: a restart empties
# it. tools/ci/stop-s3.sh stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${SCM_PYTHON_VENV:-$PWD/.venv}"
port="${SCM_S3_PORT:-9199}"
run_dir="${SCM_S3_RUN_DIR:-${TMPDIR:-/tmp}/scm-s3-$port}"
url="http://127.0.0.1:$port"
mkdir -p "$run_dir"

if [ -f "$run_dir/pid" ] && kill -0 "$(cat "$run_dir/pid")" 2>/dev/null; then
  echo "$url"
  exit 0
fi
nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$run_dir/server.log" 2>&1 &
echo $! >"$run_dir/pid"
for _ in $(seq 1 120); do
  if "$venv/bin/python" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url/moto-api/" 2>/dev/null; then
    echo "$url"
    exit 0
  fi
  if ! kill -0 "$(cat "$run_dir/pid")" 2>/dev/null; then break; fi
  sleep 0.5
done
echo "start-s3: moto_server did not answer on $url; its log:" >&2
cat "$run_dir/server.log" >&2
exit 1
