#!/usr/bin/env bash
# Creates packages/<name> with the layout every @scm package shares.
# Usage: tools/scaffold-package.sh <name> "<one-sentence description>"
set -euo pipefail
name="$1"; desc="$2"
dir="packages/$name"
mkdir -p "$dir/src" "$dir/test/fixtures"
cat > "$dir/package.json" <<JSON
{
  "name": "@scm/$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "Apache-2.0",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20.19" },
  "exports": {
    ".": {
      "@scm/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "import": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "files": ["dist", "README.md", "CHANGELOG.md"],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "biome check .",
    "prepack": "node ../../tools/publish-manifest.mjs prepack",
    "postpack": "node ../../tools/publish-manifest.mjs postpack",
    "postpublish": "node ../../tools/publish-manifest.mjs postpublish"
  },
  "dependencies": {}
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "outDir": "dist", "noEmit": true },
  "include": ["src", "test"]
}
JSON
cat > "$dir/tsup.config.ts" <<TS
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
TS
cat > "$dir/vitest.config.ts" <<TS
import { sharedTestConfig } from '../../vitest.shared.ts';

export default sharedTestConfig;
TS
[ -f "$dir/CHANGELOG.md" ] || printf '# @scm/%s\n' "$name" > "$dir/CHANGELOG.md"
# The first CHANGELOG entry comes from this changeset at the next `changeset version`.
changeset=".changeset/first-release-$name.md"
[ -f "$changeset" ] || printf -- '---\n"@scm/%s": minor\n---\n\nFirst release. %s\n' "$name" "$desc" > "$changeset"
