#!/usr/bin/env bash
# Runs the README's first command on the bundled example, then checks that the
# output is complete and that both validators accept it as written: our own
# `validate` (the built CLI) and the Python stac-validator, run offline against
# the same vendored schemas. Either one finding an invalid object fails CI.
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
status=0
echo "quickstart checked by our validate:"
node packages/cli/dist/bin.js validate --input "$out" --quiet || { echo "quickstart: our validate rejects the output"; status=1; }
echo "quickstart checked by the Python stac-validator:"
"${SCM_PYTHON_VENV:-.venv}/bin/python" -W ignore tools/ci/stac_validator_offline.py packages/validate/schemas "$out" | tail -1 \
  || { echo "quickstart: stac-validator rejects the output"; status=1; }
exit "$status"
