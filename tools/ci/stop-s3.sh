#!/usr/bin/env bash
# Stops the server that tools/ci/start-s3.sh started on ${SCM_S3_PORT:-9199}.
set -euo pipefail
port="${SCM_S3_PORT:-9199}"
run_dir="${SCM_S3_RUN_DIR:-${TMPDIR:-/tmp}/scm-s3-$port}"
[ -f "$run_dir/pid" ] || exit 0
pid="$(cat "$run_dir/pid")"
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$run_dir/pid"
