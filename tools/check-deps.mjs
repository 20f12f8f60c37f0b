#!/usr/bin/env node
// Workspace rules that no linter checks: capability packages depend only on
// @scm/core and npm libraries, every dependency is pinned exactly, every
// package declares engines and an exports map with types first, declares only
// the @scm packages its src/ imports (an unused one is installed for nothing),
// and wires the pack hooks that make its tarball stand alone. A last section keeps
// each domain rule in one home: Ajv is set up in packages/validate/src/ajv.ts only.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

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

// ---------------------------------------------------------------- one home per rule: RFC 3339
// RFC 3339 parsing lives in packages/core/src/time*.ts (`@scm/core/time`). A
// second copy elsewhere in packages/*/src shows up as a date or time regular
// expression (`\d{4}-\d{2}`, `(\d{2}):(\d{2})`) or as a function named like
// parseRfc3339 / parseDatetime / isRfc3339 in a file that does not import
// `@scm/core/time` (a named wrapper that delegates to core is fine).
const DATE_TIME_REGEX = /\\d\{4\}\)?-\(?\\d\{2\}|\\d\{2\}\)?:\(?\\d\{2\}/;
const DATE_TIME_FUNCTION =
  /\b(?:function\s+|(?:const|let)\s+)((?:parse|read|is|normali[sz]e)\w*(?:Rfc3339|Date[Tt]ime|Iso8601)\w*)\b/;
const CORE_TIME = /from\s+'@scm\/core\/time'/;

/** Where a TypeScript file under packages/<pkg>/src re-implements RFC 3339 parsing. */
function rfc3339Copies(relative, text) {
  if (/^packages\/core\/src\/time[^/]*\.ts$/.test(relative)) return [];
  const found = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (DATE_TIME_REGEX.test(line)) {
      found.push(`${relative}:${i + 1}: a date-time regular expression; parse with @scm/core/time`);
    }
    const named = DATE_TIME_FUNCTION.exec(line);
    if (named && !CORE_TIME.test(text)) {
      found.push(`${relative}:${i + 1}: ${named[1]} parses date-times without @scm/core/time; use it`);
    }
  }
  return found;
}

for (const file of sourceFiles()) {
  if (file.endsWith('.ts')) problems.push(...rfc3339Copies(file, readFileSync(join(root, file), 'utf8')));
}

// ---------------------------------------------------------------- one home per library-backed rule
// WKT, YAML and CSV reading each need an npm library and live in exactly one
// package; the others receive the reader through their options, composed by
// @scm/workflow and the CLI. A second reader (an import of the library, a
// parser named after the format, or a WKT keyword table) outside its home
// is reported, so copies cannot drift apart again.
const LIBRARY_RULES = [
  {
    rule: 'WKT reading',
    home: 'packages/scaffold/src/wkt.ts',
    imports:
      /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:@terraformer\/wkt|wellknown|wkx|terraformer-wkt-parser)['"]/,
    definitions:
      /\b(?:function\*?|class|const|let|var)\s+(\w*(?:wkt\w*(?:read|pars)|(?:read|pars)\w*wkt)\w*)/i,
    tables: /['"]MULTIPOLYGON['"]/,
  },
  {
    rule: 'YAML reading',
    home: 'packages/config/src/',
    imports: /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](?:yaml|js-yaml)['"]/,
    definitions:
      /\b(?:function\*?|class|const|let|var)\s+(\w*(?:yaml\w*(?:load|read|pars)|(?:load|read|pars)\w*yaml)\w*)\s*[=(]/i,
    // A file-reading wrapper around the home's reader is not a second reader.
    delegate: /import\s*\{[^}]*\breadYaml\b[^}]*\}\s*from\s*'@scm\/config'/,
  },
  {
    rule: 'CSV parsing',
    home: 'packages/input/src/',
    // Writing CSV with Papa.unparse is not parsing; only the parser is reserved.
    imports: /\bPapa\.parse\s*\(|new\s+Papa\.Parser\b|['"](?:csv-parse|csv-parser|fast-csv|d3-dsv)['"]/,
    definitions: /\b(?:function\*?|class|const|let|var)\s+(\w*(?:csv\w*pars|pars\w*csv)\w*)\s*[=(]/i,
  },
];

/** TypeScript sources under packages/<name>/src, as paths relative to the root. */
function sourceFiles() {
  const files = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    let entries;
    try {
      entries = readdirSync(join(root, 'packages', dir, 'src'), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isFile() && /\.(?:ts|mts|js|mjs)$/.test(entry.name)) {
        files.push(relative(root, join(entry.parentPath, entry.name)));
      }
    }
  }
  return files;
}

for (const file of sourceFiles()) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const { rule, home, imports, definitions, tables, delegate } of LIBRARY_RULES) {
    if (home.endsWith('/') ? file.startsWith(home) : file === home) continue;
    if (imports.test(text)) problems.push(`${file}: ${rule} belongs in ${home} only (library used here)`);
    const defined = delegate?.test(text) ? null : definitions.exec(text);
    if (defined) problems.push(`${file}: ${rule} belongs in ${home} only (${defined[1]} defined here)`);
    if (tables?.test(text))
      problems.push(`${file}: ${rule} belongs in ${home} only (a WKT keyword table here)`);
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
