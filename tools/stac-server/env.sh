# Settings shared by setup.sh, start.sh and stop.sh (sourced, not run): where the repo, the Python venv,
# the PostgreSQL admin connection, the database and the server's port and run folder are.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${SCM_PYTHON_VENV:-$repo/.venv}"
admin_dsn="${SCM_PG_DSN:-postgresql://postgres@127.0.0.1:54329/postgres}"
db="${SCM_STAC_DB:-scm_stac_api}"
port="${SCM_STAC_PORT:-8089}"
run_dir="${SCM_STAC_RUN_DIR:-/tmp/scm-stac-server-$port}"
