#!/usr/bin/env node
// Every package's pack hooks, run by npm in the package folder (npm pack,
// npm publish, changeset publish):
//   "prepack":     "node ../../tools/publish-manifest.mjs prepack"
//   "postpack":    "node ../../tools/publish-manifest.mjs postpack"
//   "postpublish": "node ../../tools/publish-manifest.mjs postpublish"
//
// A tarball must stand on its own, so prepack
// - copies the repository's LICENSE into the package (npm always packs it), and
// - removes the "@scm/source" export condition from package.json: it points at
//   src/, which the tarball does not ship, and only the repository's tests and
//   typecheck use it. The prepack/postpack hooks go too: they point outside the
//   package and have done their work.
// postpack puts package.json back byte for byte and removes the LICENSE copy.
// Under `npm publish` it leaves that to postpublish: npm reads package.json
// again after packing and sends that copy to the registry, so the registry's
// metadata matches the tarball. (postpublish therefore stays in the published
// manifest; npm never runs it for an installed package.) A prepack that finds
// a backup left by an interrupted run restores it first.
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SOURCE_CONDITION = '@scm/source';
const BACKUP = 'package.json.prepack';
const LICENSE = 'LICENSE';
const rootLicense = fileURLToPath(new URL('../LICENSE', import.meta.url));

/**
 * The manifest as published: a copy without the `@scm/source` condition (at
 * any depth of `exports`) and without the prepack/postpack hooks.
 */
export function publishedManifest(pkg) {
  const copy = structuredClone(pkg);
  copy.exports = withoutCondition(copy.exports);
  if (copy.scripts) {
    delete copy.scripts.prepack;
    delete copy.scripts.postpack;
  }
  return copy;
}

function withoutCondition(exportsField) {
  if (exportsField === null || typeof exportsField !== 'object' || Array.isArray(exportsField)) {
    return exportsField;
  }
  const kept = {};
  for (const [key, target] of Object.entries(exportsField)) {
    if (key !== SOURCE_CONDITION) kept[key] = withoutCondition(target);
  }
  return kept;
}

/** Prepares the package folder `dir` for packing. */
export function prepack(dir) {
  restore(dir);
  const manifestFile = join(dir, 'package.json');
  const original = readFileSync(manifestFile, 'utf8');
  writeFileSync(join(dir, BACKUP), original);
  writeFileSync(manifestFile, `${JSON.stringify(publishedManifest(JSON.parse(original)), null, 2)}\n`);
  copyFileSync(rootLicense, join(dir, LICENSE));
}

/** After packing: restores `dir`, unless the pack is part of `npm publish`. */
export function postpack(dir, npmCommand = process.env.npm_command) {
  if (npmCommand !== 'publish') restore(dir);
}

/** Puts the package folder `dir` back as it is in the repository. */
export function restore(dir) {
  const backup = join(dir, BACKUP);
  if (!existsSync(backup)) return;
  renameSync(backup, join(dir, 'package.json'));
  rmSync(join(dir, LICENSE), { force: true });
}

const hooks = { prepack, postpack, postpublish: restore };
const [, script, hook] = process.argv;
if (script === fileURLToPath(import.meta.url)) {
  if (!Object.hasOwn(hooks, hook ?? '')) {
    console.error(
      'usage: publish-manifest.mjs prepack|postpack|postpublish (run by npm in a package folder)',
    );
    process.exit(2);
  }
  hooks[hook](process.cwd());
}
