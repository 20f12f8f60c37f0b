#!/usr/bin/env bash
# Debian packages the integration tests need: PostgreSQL with PostGIS for pgstac, and Chromium, which
# the run report's browser test drives headless (packages/cli/test/report-browser.test.ts).
set -euo pipefail
need=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || need+=(postgresql-15-postgis-3)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${need[@]}"
fi
echo "system packages: ok"
