#!/usr/bin/env bash
# Checks the packages as a user gets them: packs every workspace package (the
# build must have run), checks each tarball (LICENSE inside, no "@scm/source"
# condition pointing at sources it does not ship), installs all of them into an
# empty folder the way npm install ./scm-*.tgz does (third-party dependencies
# from the npm registry, nothing from this repository), and runs them there:
# the CLI's --help, the quickstart, and a script that validates a sample item
# with @scm/validate. The "linked" install strategy lets each package see only
# the dependencies it declares, so an undeclared one fails here. Last, a copy
# of examples/plugin-extension installs @scm/testing from its tarball and runs
# its conformance tests with `npm test`, as a third-party plugin author would.
#
# Usage: pack-check.sh [plugin-extension]
#   plugin-extension  packs only @scm/testing and the @scm packages it depends
#                     on (build those first) and runs only the plugin example.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
only=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/scm-pack-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "pack-check: $*" >&2; exit 1; }
case "$only" in '' | plugin-extension) ;; *) fail "unknown part \"$only\" (usage: pack-check.sh [plugin-extension])" ;; esac

# The package folders of $1 and of every @scm package it depends on, one a line.
scm_closure() {
  node -e '
    const { readFileSync } = require("node:fs");
    const repo = process.argv[2];
    const folder = (name) => "packages/" + name.replace(/^@scm\//, "");
    const seen = new Set();
    const visit = (name) => {
      if (seen.has(name)) return;
      seen.add(name);
      const pkg = JSON.parse(readFileSync(repo + "/" + folder(name) + "/package.json", "utf8"));
      for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith("@scm/")) visit(dep);
    };
    visit(process.argv[1]);
    console.log([...seen].map(folder).join("\n"));
  ' "$1" "$repo"
}

# The tarball npm pack makes of the package whose manifest is $1 (empty for a private one).
tarball_of() {
  node -e '
    const p = require(process.argv[1]);
    if (!p.private) console.log(p.name.replace(/^@/, "").replace("/", "-") + "-" + p.version + ".tgz");
  ' "$repo/$1"
}

mkdir "$work/tarballs"
sha1sum packages/*/package.json > "$work/manifests.sha1"
if [ -z "$only" ]; then
  echo "pack-check: packing every workspace package into $work/tarballs"
  packed=(packages/*)
  npm pack --workspaces --silent --pack-destination "$work/tarballs" >/dev/null
else
  mapfile -t packed < <(scm_closure @scm/testing)
  echo "pack-check: packing ${packed[*]} into $work/tarballs"
  npm pack "${packed[@]/#/--workspace=}" --silent --pack-destination "$work/tarballs" >/dev/null
fi

for folder in "${packed[@]}"; do
  manifest=$folder/package.json
  [ -f "$manifest" ] || continue
  tarball=$(tarball_of "$manifest")
  [ -n "$tarball" ] || continue
  [ -f "$work/tarballs/$tarball" ] || fail "$manifest was not packed into $tarball"
  # Read whole outputs first: grep -q would close the pipe early and, with
  # pipefail, make tar's SIGPIPE look like a failure.
  listing=$(tar -tzf "$work/tarballs/$tarball")
  grep -qx 'package/LICENSE' <<<"$listing" || fail "$tarball has no LICENSE"
  published=$(tar -xOzf "$work/tarballs/$tarball" package/package.json)
  if grep -q '"@scm/source"' <<<"$published"; then
    fail "$tarball: package.json still has the @scm/source condition (src/ is not shipped)"
  fi
done
sha1sum --quiet -c "$work/manifests.sha1" || fail "packing left a package.json modified"
echo "pack-check: $(ls "$work/tarballs" | wc -l) tarballs, each with LICENSE and a published manifest"

# A copy of the plugin example with @scm/testing (and the @scm packages it needs) from the tarballs and
# vitest from the registry, the way its README tells a plugin author to install them; then its own npm test.
check_plugin_example() {
  local plugin="$work/plugin-extension" folder tarball tarballs=()
  cp -r "$repo/examples/plugin-extension" "$plugin"
  rm -rf "$plugin/node_modules" "$plugin/output"
  while read -r folder; do
    tarballs+=("$work/tarballs/$(tarball_of "$folder/package.json")")
  done < <(scm_closure @scm/testing)
  # Without every @scm tarball npm would look for the rest in the public registry.
  [ "${#tarballs[@]}" -ge 2 ] || fail "could not list the @scm packages @scm/testing needs"
  for tarball in "${tarballs[@]}"; do [ -f "$tarball" ] || fail "$tarball was not packed"; done
  (
    cd "$plugin"
    npm install --no-audit --no-fund --prefer-offline --install-strategy=linked --save-dev "${tarballs[@]}"
    npm test
  ) || fail "the plugin example's conformance tests failed against @scm/testing from its tarball"
  echo "pack-check: examples/plugin-extension passes its conformance tests with @scm/testing from its tarball"
}

if [ -n "$only" ]; then
  check_plugin_example
  echo "pack-check: ok ($only)"
  exit 0
fi

app="$work/app"
mkdir "$app"
cd "$app"
printf '{ "name": "scm-pack-check", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --prefer-offline --install-strategy=linked "$work"/tarballs/scm-*.tgz

npx --no-install stac-catalog-manager --help > help.txt
grep -q 'rebuild-catalog' help.txt || fail "stac-catalog-manager --help does not list rebuild-catalog"

cp -r "$repo/examples/quickstart" quickstart
rm -rf quickstart/output quickstart/output-logs
npx --no-install stac-catalog-manager rebuild-catalog --config quickstart/config.yaml --mode full \
  || fail "the installed CLI's quickstart exited $?"
test -s quickstart/output/catalog.json || fail "the installed CLI's quickstart wrote no catalog.json"

cp "$repo/packages/validate/test/fixtures/valid/earth-search-sentinel-2.json" item.json
cat > validate-item.mjs <<'JS'
import { readFileSync } from 'node:fs';
import { createValidator } from '@scm/validate';

const item = JSON.parse(readFileSync('item.json', 'utf8'));
const validator = createValidator({ level: 'strict' });
const good = validator.validate(item);
const bad = validator.validate({ ...item, id: 'no-geometry', geometry: 42 });
if (!good.valid || bad.valid) {
  console.error(JSON.stringify({ good, bad }, null, 2));
  process.exit(1);
}
console.log(`@scm/validate: ${item.id} is valid, a copy with a broken geometry is not`);
JS
node validate-item.mjs || fail "@scm/validate from its tarball did not validate the sample item"
check_plugin_example
echo "pack-check: ok"
