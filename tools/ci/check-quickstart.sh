#!/usr/bin/env bash
# Runs the README's first command on the bundled example, then checks that the
# output is complete and that the Python stac-validator, run offline against
# the same vendored schemas, finds every item and collection valid.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=examples/quickstart/output
rm -rf "$out"
npm run quickstart
for f in catalog.json summary.json ndjson/collections.ndjson; do
  test -s "$out/$f" || { echo "quickstart: $out/$f is missing"; exit 1; }
done
node -e "
const s = require('./$out/summary.json');
if (s.failed !== 0 || s.succeeded === 0) { console.error('quickstart summary:', s); process.exit(1); }
console.log('quickstart summary: ' + s.succeeded + ' items, ' + s.collections + ' collections, 0 failed');
"
"${SCM_PYTHON_VENV:-.venv}/bin/python" -W ignore tools/ci/stac_validator_offline.py packages/validate/schemas "$out" | tail -1
