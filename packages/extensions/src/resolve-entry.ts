import { errorMessage, type Logger, ScmError } from '@scm/core';
import { discoverExtensions, type PluginCandidate } from './discover.js';
import type { ExtensionConfigEntry, ExtensionOrigin } from './load.js';
import { explicitModuleFile, importPlugin, isExistingPath, loadError } from './plugin-import.js';
import type { AnyExtension, ExtensionRegistry } from './registry.js';

/** Where one `loadExtensions` call looks for plugins. */
export interface ResolverPlaces {
  registry: ExtensionRegistry;
  logger: Logger;
  cwd: string;
  baseDir: string;
  extensionsDir: string | null;
  nodeModulesDirs?: readonly string[];
  cliDir?: string;
}

/**
 * What one `loadExtensions` call has learned so far: the plugins discovered (searched once, when first
 * needed), each module imported (once, even when searching by declared name), and where each came from.
 */
export interface Resolver extends ResolverPlaces {
  candidates?: PluginCandidate[];
  readonly importedByFile: Map<string, AnyExtension | Error>;
  readonly origins: Map<string, ExtensionOrigin>;
}

/** A resolver for one `loadExtensions` call. */
export function createResolver(places: ResolverPlaces): Resolver {
  return { ...places, importedByFile: new Map(), origins: new Map() };
}

function discovered(resolver: Resolver): PluginCandidate[] {
  resolver.candidates ??= discoverExtensions({
    extensionsDir: resolver.extensionsDir,
    cwd: resolver.cwd,
    ...(resolver.nodeModulesDirs ? { nodeModulesDirs: resolver.nodeModulesDirs } : {}),
    ...(resolver.cliDir ? { cliDir: resolver.cliDir } : {}),
  });
  return resolver.candidates;
}

/** Imports `file` once; a failed import is remembered and thrown again. */
async function importOnce(resolver: Resolver, file: string, name: string): Promise<AnyExtension> {
  const cached = resolver.importedByFile.get(file);
  if (cached instanceof Error) throw cached;
  if (cached) return cached;
  try {
    const extension = await importPlugin(file, name);
    resolver.importedByFile.set(file, extension);
    return extension;
  } catch (error) {
    resolver.importedByFile.set(file, error as Error);
    throw error;
  }
}

function registerPlugin(
  resolver: Resolver,
  extension: AnyExtension,
  name: string,
  file: string,
): AnyExtension {
  if (resolver.registry.get(extension.name) === extension) return extension;
  try {
    return resolver.registry.register(extension);
  } catch (error) {
    throw loadError(name, file, errorMessage(error), error);
  }
}

async function fromCandidate(
  resolver: Resolver,
  name: string,
  candidate: PluginCandidate,
): Promise<AnyExtension> {
  const extension = await importOnce(resolver, candidate.file, name);
  if (extension.name !== name) {
    throw loadError(name, candidate.file, `declares the name "${extension.name}", not "${name}"`);
  }
  resolver.origins.set(name, {
    kind: candidate.place,
    file: candidate.file,
    ...(candidate.packageName ? { packageName: candidate.packageName } : {}),
  });
  return registerPlugin(resolver, extension, name, candidate.file);
}

/** No file or package is named after it: imports the remaining plugins and looks at their declared names. */
async function findByDeclaredName(
  resolver: Resolver,
  name: string,
  all: readonly PluginCandidate[],
): Promise<PluginCandidate | undefined> {
  for (const candidate of all) {
    const known = resolver.importedByFile.get(candidate.file);
    if (known !== undefined) {
      if (!(known instanceof Error) && known.name === name) return candidate;
      continue;
    }
    try {
      const extension = await importOnce(resolver, candidate.file, candidate.hints[0] ?? candidate.file);
      if (extension.name === name) return candidate;
    } catch (error) {
      resolver.logger.warn(`skipping plugin ${candidate.file}: ${errorMessage(error)}`, {
        file: candidate.file,
      });
    }
  }
  return undefined;
}

function notFound(resolver: Resolver, name: string, at: string, all: readonly PluginCandidate[]): ScmError {
  const available = [
    ...new Set([...resolver.registry.list().map((e) => e.name), ...all.flatMap((c) => c.hints.slice(0, 1))]),
  ].sort();
  return new ScmError(
    'SCM_EXTENSION_NOT_FOUND',
    `${at}: no extension named "${name}"; available: ${available.length ? available.join(', ') : '(none)'}. ` +
      'Plugins are looked for in node_modules (packages named scm-extension-* or with the keyword ' +
      `"stac-catalog-manager-extension"), in ${resolver.extensionsDir ?? '(no extensions folder)'}, ` +
      'or at an explicit "module" path',
    { details: { name, available }, location: { path: at } },
  );
}

/**
 * The extension one config entry names: from its explicit `module` path, else a built-in or registered
 * one, else a discovered plugin named after it, else a discovered plugin declaring that name.
 */
export async function resolveEntry(
  resolver: Resolver,
  entry: ExtensionConfigEntry,
  at: string,
): Promise<AnyExtension> {
  const { name } = entry;
  if (entry.module !== undefined) {
    const file = explicitModuleFile(entry.module, resolver.baseDir);
    if (!isExistingPath(file)) throw loadError(name, file, `module path "${entry.module}" does not exist`);
    return fromCandidate(resolver, name, { hints: [name], file, place: 'module' });
  }
  const builtin = resolver.registry.get(name);
  if (builtin) return builtin;
  const all = discovered(resolver);
  const candidate =
    all.find((c) => c.hints.includes(name)) ?? (await findByDeclaredName(resolver, name, all));
  if (candidate) return fromCandidate(resolver, name, candidate);
  throw notFound(resolver, name, at, all);
}
