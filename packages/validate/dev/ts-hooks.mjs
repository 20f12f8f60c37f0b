/**
 * Module hooks for running the pool worker from TypeScript sources (see ./worker-source.mjs).
 * esbuild is the transpiler tsup already brings into the workspace; only type syntax is stripped.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const SOURCE_CONDITION = '@scm/source';

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(fileURLToPath(candidate)))
      return { url: candidate.href, format: 'module', shortCircuit: true };
  }
  const conditions = [...new Set([SOURCE_CONDITION, ...(context.conditions ?? [])])];
  return nextResolve(specifier, { ...context, conditions });
}

export async function load(url, context, nextLoad) {
  // Sources import JSON (bundled schemas) without an import attribute, as tsup inlines it in the build.
  if (url.startsWith('file:') && url.endsWith('.json') && !context.importAttributes?.type) {
    const text = await readFile(fileURLToPath(url), 'utf8');
    return { format: 'module', source: `export default ${text};`, shortCircuit: true };
  }
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  const result = await transform(source, {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: result.code, shortCircuit: true };
}
