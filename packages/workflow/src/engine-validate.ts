import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ValidationReport } from '@scm/core';
import { runStacValidator } from '@scm/validate';

async function jsonFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonFiles(child)));
    else if (/\.(json|ndjson|jsonl)$/i.test(entry.name)) out.push(child);
  }
  return out;
}

async function featuresOf(file: string): Promise<unknown[] | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as { type?: unknown; features?: unknown };
    return value.type === 'FeatureCollection' && Array.isArray(value.features) ? value.features : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates with the Python stac-validator instead of our engine
 * (`validate --engine stac-validator`). It reads single JSON objects, so each
 * NDJSON line is handed to it as its own temporary file and reported with its
 * line number. Throws `SCM_ENGINE_MISSING` when the tool is not installed.
 */
export async function validateWithStacValidator(
  inputs: string[],
  cwd: string,
  signal?: AbortSignal,
): Promise<{ reports: { file: string; line?: number; report: ValidationReport }[] }> {
  const reports: { file: string; line?: number; report: ValidationReport }[] = [];
  const temp = await mkdtemp(join(tmpdir(), 'scm-stac-validator-'));
  let seq = 0;
  try {
    for (const input of inputs) {
      for (const file of await jsonFiles(isAbsolute(input) ? input : resolve(cwd, input))) {
        const parts: { path: string; line?: number }[] = [];
        if (/\.(ndjson|jsonl)$/i.test(file)) {
          for (const [index, text] of (await readFile(file, 'utf8')).split('\n').entries()) {
            if (!text.trim()) continue;
            const path = join(temp, `${seq++}.json`);
            await writeFile(path, text);
            parts.push({ path, line: index + 1 });
          }
        } else {
          const features = await featuresOf(file);
          if (features) {
            // stac-validator reads one object per file, so each feature of an ItemCollection gets its own.
            for (const feature of features) {
              const path = join(temp, `${seq++}.json`);
              await writeFile(path, JSON.stringify(feature));
              parts.push({ path });
            }
          } else parts.push({ path: file });
        }
        const results = await runStacValidator(
          parts.map((p) => p.path),
          signal ? { signal } : {},
        );
        for (const [i, report] of results.entries()) {
          const line = parts[i]!.line;
          reports.push(line !== undefined ? { file, line, report } : { file, report });
        }
      }
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return { reports };
}
