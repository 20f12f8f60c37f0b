import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, ScmError } from '@scm/core';
import { readPackageJson, resolvePackageEntry } from './discover.js';
import { type AnyExtension, toExtension } from './registry.js';

/** `SCM_EXTENSION_LOAD` naming the plugin and its file. */
export function loadError(name: string, file: string, message: string, cause?: unknown): ScmError {
  return new ScmError('SCM_EXTENSION_LOAD', `extension plugin "${name}" (${file}): ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { name, file },
    location: { file },
  });
}

/**
 * Imports one plugin module and returns its extension. The module's default export, or else its named
 * export `extension`, must be an Extension (from `defineExtension`) or a plain ExtensionDefinition.
 * Throws `SCM_EXTENSION_LOAD` with details `{ name, file }`.
 */
export async function importPlugin(file: string, name: string): Promise<AnyExtension> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw loadError(name, file, `could not be imported: ${errorMessage(error)}`, error);
  }
  const exported = mod.default ?? mod.extension;
  if (exported === undefined) {
    throw loadError(
      name,
      file,
      'exports no extension (expected a default export or a named export "extension")',
    );
  }
  try {
    return toExtension(exported);
  } catch (error) {
    throw loadError(name, file, `is not a valid extension: ${errorMessage(error)}`, error);
  }
}

/** The file an explicit `module:` path names: the path itself, with `.mjs`/`.js` added, or a package's entry. */
export function explicitModuleFile(modulePath: string, baseDir: string): string {
  const full = path.resolve(baseDir, modulePath);
  if (!isExistingPath(full)) {
    const withExtension = ['.mjs', '.js'].map((ext) => full + ext).find(isExistingPath);
    if (withExtension) return withExtension;
  }
  const entry = resolvePackageEntry(full, readPackageJson(full));
  return entry && full !== entry ? entry : full;
}

/** True when something exists at `p`. */
export function isExistingPath(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
