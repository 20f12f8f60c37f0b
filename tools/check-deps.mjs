#!/usr/bin/env node
// Workspace rules that no linter checks: capability packages depend only on
// @scm/core and npm libraries, every dependency is pinned exactly, every
// package declares engines and an exports map with types first, declares only
// the @scm packages its src/ imports (an unused one is installed for nothing),
// and wires the pack hooks that make its tarball stand alone. A last section keeps
// each domain rule in one home: Ajv is set up in packages/validate/src/ajv.ts only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const COMPOSERS = new Set(['@scm/workflow', '@scm/cli', '@scm/testing']);
const root = new URL('..', import.meta.url).pathname;
const problems = [];
const exact = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const PACK_HOOKS = {
  prepack: 'node ../../tools/publish-manifest.mjs prepack',
  postpack: 'node ../../tools/publish-manifest.mjs postpack',
  postpublish: 'node ../../tools/publish-manifest.mjs postpublish',
};

/** Names of the @scm packages that the TypeScript files under `dir` import. */
function importedScmPackages(dir) {
  const names = new Set();
  const specifier = /(?:from\s+|import\s*\(\s*|import\s+)'(@scm\/[^'/]+)/g;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(specifier)) names.add(match[1]);
  }
  return names;
}

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const [name, range] of Object.entries(rootPkg.devDependencies ?? {})) {
  if (!exact.test(range)) problems.push(`package.json: devDependency ${name}@${range} is not pinned exactly`);
}

for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'package.json');
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue;
  }
  const where = `packages/${dir}/package.json`;
  if (!pkg.engines?.node) problems.push(`${where}: no engines.node`);
  const dot = pkg.exports?.['.'];
  if (!dot || Object.keys(dot)[0] !== '@scm/source' || Object.keys(dot)[1] !== 'types') {
    problems.push(`${where}: exports["."] must list "@scm/source" then "types" first`);
  }
  for (const [hook, command] of Object.entries(PACK_HOOKS)) {
    if (pkg.scripts?.[hook] !== command) problems.push(`${where}: scripts.${hook} must be "${command}"`);
  }
  const imported = importedScmPackages(join(root, 'packages', dir, 'src'));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@scm/') && !imported.has(name)) {
      problems.push(`${where}: dependency ${name} is never imported by src/; remove it`);
    }
  }
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!exact.test(range)) problems.push(`${where}: ${field} ${name}@${range} is not pinned exactly`);
      if (
        field === 'dependencies' &&
        name.startsWith('@scm/') &&
        name !== '@scm/core' &&
        !COMPOSERS.has(pkg.name)
      ) {
        problems.push(
          `${where}: ${pkg.name} depends on ${name}; capability packages may depend on @scm/core only`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------- one home per rule: Ajv set-up
// Ajv is created and given its formats in one file only (packages/validate/src/ajv.ts); everything else
// takes `createAjv` / `compileSchema` from @scm/validate or the SchemaCompiler contract of @scm/core. A second
// `new Ajv…(`, an import of ajv-formats or of another Ajv dialect, or ajv-formats in a manifest is refused,
// in sources, tests, benches and scripts alike.
const AJV_HOME = 'packages/validate/src/ajv.ts';
const AJV_SETUP = [
  [/\bnew\s+Ajv\w*\s*\(/, 'creates an Ajv instance'],
  [/(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]ajv-formats['"]/, 'imports ajv-formats'],
  [/['"]ajv\/dist\/20(?:19|20)(?:\.js)?['"]/, 'imports an Ajv dialect class'],
];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'fixtures', 'schemas', '.nx', 'coverage']);

/** Script files under `dir` (relative to the repository root), fixtures and build output left out. */
function scriptFiles(dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : scriptFiles(path);
    return /\.(?:[cm]?[jt]s|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

for (const file of ['packages', 'examples', 'tools'].flatMap(scriptFiles)) {
  if (file === AJV_HOME || file === 'tools/check-deps.mjs') continue;
  const text = readFileSync(join(root, file), 'utf8');
  for (const [pattern, what] of AJV_SETUP) {
    if (pattern.test(text)) {
      problems.push(`${file}: ${what}; Ajv is set up only in ${AJV_HOME} (use createAjv or compileSchema)`);
    }
  }
}
for (const dir of readdirSync(join(root, 'packages'))) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    if (pkg.name !== '@scm/validate' && pkg[field]?.['ajv-formats'] !== undefined) {
      problems.push(`packages/${dir}/package.json: ${field} ajv-formats; only @scm/validate sets up Ajv`);
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log('workspace dependency rules: ok');
