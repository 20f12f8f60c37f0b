// Schema checks with ajv used directly, against the STAC schemas @scm/validate bundles.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStacAjv as createAjvFor, stacSchemasDir } from '@scm/testing';

export { coreErrors, schemaErrors } from '@scm/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.resolve(here, '../fixtures');

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(path.resolve(fixturesDir, file), 'utf8')) as T;
}

/** An Ajv holding every bundled STAC schema plus any `extra` documents. */
export function createStacAjv(extra: Record<string, unknown>[] = []) {
  return createAjvFor({ schemaDirs: [stacSchemasDir], extra });
}
