import { readFile } from 'node:fs/promises';
import { type ReadYamlResult, readYaml } from '@scm/config';
import { ScmError } from '@scm/core';
import { parseCsvText } from '@scm/input';
import { readWkt } from '@scm/scaffold';
import type { ParseMappingOptions } from '@scm/transform';

/**
 * What every mapping is compiled with: the workspace's one WKT reader
 * (`@scm/scaffold`), CSV reader (`@scm/input`, for lookup tables) and safe
 * YAML reader (`@scm/config`). `@scm/transform` has none of its own, so the
 * rebuild and the record commands read WKT, CSV and YAML exactly as
 * `scaffold-items`, `validate` and configuration files do.
 */
export const MAPPING_READERS: Readonly<ParseMappingOptions> = Object.freeze({
  readWkt,
  parseCsv: parseCsvText,
  parseYaml: readYaml,
});

/**
 * Reads a YAML or JSON file with the one safe YAML reader of `@scm/config`
 * (size and alias limits, core schema, no custom tags, duplicate and
 * `__proto__`/`constructor` keys refused). Throws `SCM_CONFIG_NOT_FOUND`
 * when the file cannot be read, otherwise the `SCM_CONFIG_PARSE` or
 * `SCM_CONFIG_INVALID` error a configuration file with the same problem gets
 * (`file:line:column`).
 */
export async function readSafeYaml(path: string): Promise<unknown> {
  return (await readSafeYamlDocument(path)).data;
}

/** {@link readSafeYaml}, keeping the document's `lineOf(keyPath)` for errors found in its data later. */
export async function readSafeYamlDocument(path: string): Promise<Extract<ReadYamlResult, { ok: true }>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ScmError('SCM_CONFIG_NOT_FOUND', `cannot read ${path}`, { cause });
  }
  const read = readYaml(text, path);
  if (read.ok) return read;
  throw read.error;
}
