#!/usr/bin/env bash
# Stops the server that start.sh started on ${SCM_STAC_PORT:-8089}.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ -f "$run_dir/pid" ] || exit 0
pid="$(cat "$run_dir/pid")"
kill "$pid" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$run_dir/pid"
