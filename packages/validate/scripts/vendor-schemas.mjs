#!/usr/bin/env node
/**
 * Copies the collected JSON Schemas into this package so validation works offline and in a fresh clone.
 *
 *   npm run vendor-schemas [-- --from <dir>] [-- --to <dir>]
 *
 * Source: `--from`, else env SCM_SCHEMAS_SOURCE, else `<repo>/../shared/schemas`.
 * Destination: `--to`, else this package's `schemas/` (the copy that is committed and published).
 * Everything under the source is copied with its URL layout kept (`HOST/PATH`), except `examples/`;
 * `LICENSES/` and `SOURCES.md` come along. The destination `schemas/` is emptied first so removed files
 * disappear. Every copied file listed in SOURCES.md with a SHA-256 is checked against it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function flag(name) {
  const at = process.argv.indexOf(name);
  return at !== -1 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : undefined;
}

const destination = flag('--to') ?? join(packageDir, 'schemas');

function sourceDir() {
  const from = flag('--from');
  if (from) return from;
  if (process.env.SCM_SCHEMAS_SOURCE) return resolve(process.env.SCM_SCHEMAS_SOURCE);
  return resolve(packageDir, '../../../shared/schemas');
}

/** Relative paths of every file under `root`, sorted, skipping top-level `examples/`. */
function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (rel === 'examples' || rel.startsWith('examples/')) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(root);
  return out.sort();
}

/** `path -> sha256` pairs from the Markdown tables of SOURCES.md (first cell a path, a 64-hex cell). */
function expectedHashes(sourcesText) {
  const map = new Map();
  for (const line of sourcesText.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').map((c) => c.trim());
    const path = /^`([^`]+\.json)`$/.exec(cells[1] ?? '')?.[1];
    const hash = cells.map((c) => /^`([0-9a-f]{64})`$/.exec(c)?.[1]).find(Boolean);
    if (path && hash) map.set(path, hash);
  }
  return map;
}

function main() {
  const source = sourceDir();
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    console.error(
      `vendor-schemas: source folder not found: ${source} (pass --from <dir> or set SCM_SCHEMAS_SOURCE)`,
    );
    process.exit(1);
  }
  const files = listFiles(source);
  if (!files.includes('SOURCES.md')) {
    console.error(`vendor-schemas: ${source} has no SOURCES.md; refusing to copy schemas without provenance`);
    process.exit(1);
  }
  const hashes = expectedHashes(readFileSync(join(source, 'SOURCES.md'), 'utf8'));

  const mismatches = [];
  let schemas = 0;
  for (const rel of files) {
    if (rel.endsWith('.json')) {
      const bytes = readFileSync(join(source, rel));
      JSON.parse(bytes.toString('utf8')); // a broken file fails here, before anything is replaced
      const expected = hashes.get(rel);
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (expected && expected !== actual) mismatches.push(`${rel}: expected ${expected}, got ${actual}`);
      schemas++;
    }
  }
  if (mismatches.length > 0) {
    console.error(`vendor-schemas: SHA-256 differs from SOURCES.md:\n  ${mismatches.join('\n  ')}`);
    process.exit(1);
  }

  rmSync(destination, { recursive: true, force: true });
  for (const rel of files) {
    const target = join(destination, rel);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(source, rel), target);
  }
  const checked = files.filter((f) => hashes.has(f)).length;
  console.log(
    `vendor-schemas: copied ${files.length} files (${schemas} schemas, ${checked} checked against SOURCES.md) ` +
      `from ${source} to ${destination}`,
  );
}

main();
