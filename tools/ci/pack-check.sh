#!/usr/bin/env bash
# Checks the packages as a user gets them: packs every workspace package (the
# build must have run), checks each tarball (LICENSE inside, no "@scm/source"
# condition pointing at sources it does not ship), installs all of them into an
# empty folder the way npm install ./scm-*.tgz does (third-party dependencies
# from the npm registry, nothing from this repository), and runs them there:
# the CLI's --help, the quickstart, and a script that validates a sample item
# with @scm/validate. The "linked" install strategy lets each package see only
# the dependencies it declares, so an undeclared one fails here.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/scm-pack-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "pack-check: $*" >&2; exit 1; }

echo "pack-check: packing every workspace package into $work/tarballs"
mkdir "$work/tarballs"
sha1sum packages/*/package.json > "$work/manifests.sha1"
npm pack --workspaces --silent --pack-destination "$work/tarballs" >/dev/null

for manifest in packages/*/package.json; do
  tarball=$(node -e '
    const p = require(process.argv[1]);
    if (!p.private) console.log(p.name.replace(/^@/, "").replace("/", "-") + "-" + p.version + ".tgz");
  ' "$repo/$manifest")
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
echo "pack-check: ok"
