#!/usr/bin/env node
// Project rule: no function in packages/*/src is longer than a reader can take
// in at a glance (80 lines). Biome has no such rule, so this walks the syntax
// trees with the TypeScript compiler API and lists every function, method or
// arrow over the limit as file:line, name and length. Only functions that are
// data tables (a literal returned as is) may be allowed, each with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const MAX_LINES = 80;

/**
 * Functions allowed past the limit: `file` (relative to the repository root)
 * and `name` as reported, with `reason`, why the length is data, not logic.
 * Example: { file: 'packages/x/src/codes.ts', name: 'codeTable', reason: 'one line per error code' }.
 */
const ALLOWED = [];

// The repository root; a test passes another folder laid out the same way.
const root = process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL('..', import.meta.url));

/** The TypeScript files under `packages/<name>/src`, tests and declarations left out. */
function sourceFiles() {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue;
    const src = join(root, 'packages', pkg.name, 'src');
    let entries;
    try {
      entries = readdirSync(src, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (!entry.isFile() || !name.endsWith('.ts') || name.endsWith('.d.ts') || name.endsWith('.test.ts'))
        continue;
      files.push(join(entry.parentPath, name));
    }
  }
  return files.sort();
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** A readable name: the declared one, else the variable, property or argument position holding it. */
function nameOf(node, file) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(file);
  if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(file).slice(0, 40)}>`;
  return '<anonymous>';
}

/** Every function of `path` longer than the limit. */
function longFunctions(path) {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (isFunctionLike(node) && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_LINES) found.push({ line: first + 1, name: nameOf(node, file), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const problems = [];
const used = new Set();
for (const path of sourceFiles()) {
  const file = relative(root, path);
  for (const fn of longFunctions(path)) {
    const allowed = ALLOWED.find((a) => a.file === file && a.name === fn.name);
    if (allowed) {
      used.add(allowed);
      continue;
    }
    problems.push(`${file}:${fn.line}: ${fn.name} is ${fn.lines} lines (limit ${MAX_LINES})`);
  }
}
for (const entry of ALLOWED) {
  if (!entry.reason) problems.push(`allow-list entry ${entry.file} ${entry.name} gives no reason`);
  if (!used.has(entry))
    problems.push(`stale allow-list entry ${entry.file} ${entry.name}: no such long function`);
}

if (problems.length > 0) {
  console.error(`check-function-length: ${problems.length} problem(s)`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(`check-function-length: no function over ${MAX_LINES} lines in packages/*/src`);
