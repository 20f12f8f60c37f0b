import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  errorMessage,
  type ExtensionContext,
  isPlainObject,
  isScmError,
  type Logger,
  noopLogger,
  ScmError,
  stripForbiddenKeys,
} from '@scm/core';
import { assertExtensionConfig } from './config-check.js';
import {
  defaultExtensionsDir,
  discoverExtensions,
  type PluginCandidate,
  type PluginPlace,
  resolvePackageEntry,
} from './discover.js';
import {
  type AnyExtension,
  createExtensionRegistry,
  type ExtensionRegistry,
  toExtension,
} from './registry.js';

/** One entry of the config's `extensions:` list. */
export interface ExtensionConfigEntry {
  /** Extension name, e.g. `dgeo`, `alternate-assets`, or a plugin's name. */
  name: string;
  /**
   * Path of a plugin module (a `.js`/`.mjs` file or a folder with a `package.json`), relative to
   * `baseDir`. Only needed for a plugin outside the searched places.
   */
  module?: string;
  /** The extension's own options, checked against its `configSchema`. Default `{}`. */
  config?: Record<string, unknown>;
  /** When true, a plugin that cannot be found or loaded is skipped with a warning. Default `false`. */
  optional?: boolean;
}

/** Where a loaded extension came from. */
export interface ExtensionOrigin {
  /** `builtin` for an extension given in `builtins` / the registry, else where its plugin was found. */
  kind: 'builtin' | PluginPlace;
  /** Module file, for plugins. */
  file?: string;
  /** npm package name, for plugin packages. */
  packageName?: string;
}

/** An extension ready to apply: its config checked, its logger scoped. */
export interface LoadedExtension<C = Record<string, unknown>> {
  /** The extension. */
  readonly extension: AnyExtension;
  /** Its config (checked, deep-frozen, without prototype keys). */
  readonly config: Readonly<C>;
  /** Schema URI its apply functions add for this config. */
  readonly schemaUri: string;
  /** Where it came from. */
  readonly origin: ExtensionOrigin;
  /** Logger scoped to `extension:<name>`. */
  readonly logger: Logger;
}

/** Options of {@link prepareExtension}. */
export interface PrepareExtensionOptions {
  /** Config path used in error messages. Default `config`. */
  configPath?: string;
  /** Logger; the extension gets `logger.child('extension:<name>')`. Default: no logging. */
  logger?: Logger;
  /** Origin to record. Default `{ kind: 'builtin' }`. */
  origin?: ExtensionOrigin;
}

/** Options of {@link loadExtensions}. */
export interface LoadExtensionsOptions {
  /** The config's `extensions:` list, applied in this order. Default `[]`. */
  extensions?: readonly ExtensionConfigEntry[];
  /** Extensions that need no plugin (the built-ins). Ignored when `registry` is given. Default `[]`. */
  builtins?: readonly AnyExtension[];
  /** Registry to resolve names from and to add loaded plugins to. Default: a new one with `builtins`. */
  registry?: ExtensionRegistry;
  /**
   * Extensions folder (config `extensions_dir`). Default `~/.stac-catalog-manager/extensions`;
   * `null` searches no folder.
   */
  extensionsDir?: string | null;
  /** `node_modules` folders to search. Default: walking up from `cwd`, then from `cliDir`. */
  nodeModulesDirs?: readonly string[];
  /** Start of the first `node_modules` walk. Default `process.cwd()`. */
  cwd?: string;
  /** Where the CLI is installed. Default: this package's own folder. */
  cliDir?: string;
  /** Home folder for the default extensions folder. Default `os.homedir()`. */
  homeDir?: string;
  /** Folder that relative `module` paths are resolved against (the config file's folder). Default `cwd`. */
  baseDir?: string;
  /** Treat every entry as `optional: true`. Default `false`. */
  optional?: boolean;
  /** Logger for warnings and for the extensions. Default: no logging. */
  logger?: Logger;
  /** Config path of the list, for messages. Default `extensions`. */
  configPath?: string;
  /**
   * `false` resolves and imports the extensions without checking their configs, for callers that only
   * validate objects (schemas and `checkObject` need no config, and a plugin named on the command line has
   * none). Each result then carries its entry's config unchecked and `schemaUris[0]`. Default `true`.
   */
  checkConfigs?: boolean;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const BUILTIN_ORIGIN: ExtensionOrigin = { kind: 'builtin' };

/** The URI an extension adds for `config`: `schemaUri(config)` when it has one, else `schemaUris[0]`. */
export function schemaUriFor(extension: AnyExtension, config: unknown): string {
  if (typeof extension.schemaUri === 'function') {
    const uri = extension.schemaUri(config);
    if (typeof uri === 'string') return uri;
  }
  return extension.schemaUris[0]!;
}

/**
 * Checks `config` for one extension (configSchema, then checkConfig) and returns it ready to apply.
 * Throws `SCM_EXTENSION_CONFIG` naming the extension and the config path.
 */
export function prepareExtension<C = Record<string, unknown>>(
  extension: AnyExtension,
  config: unknown = {},
  options: PrepareExtensionOptions = {},
): LoadedExtension<C> {
  const ext = toExtension(extension);
  const clean = deepFreeze(stripForbiddenKeys(config ?? {}));
  const base = options.configPath ?? 'config';
  const logger = (options.logger ?? noopLogger).child(`extension:${ext.name}`);
  const warnings = assertExtensionConfig(ext, clean, base);
  for (const warning of warnings) {
    logger.warn(`extension "${ext.name}": ${warning.path}: ${warning.message}`, { extension: ext.name });
  }
  const loaded: LoadedExtension<C> = {
    extension: ext,
    config: clean as Readonly<C>,
    schemaUri: schemaUriFor(ext, clean),
    origin: options.origin ?? { kind: 'builtin' },
    logger,
  };
  return Object.freeze(loaded);
}

/** The context an extension's functions receive for a loaded extension. */
export function contextOf<C>(loaded: LoadedExtension<C>): ExtensionContext<C> {
  return { config: loaded.config as C, logger: loaded.logger };
}

function loadError(name: string, file: string, message: string, cause?: unknown): ScmError {
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

function explicitModuleFile(modulePath: string, baseDir: string): string {
  const full = path.resolve(baseDir, modulePath);
  if (!isExistingPath(full)) {
    const withExtension = ['.mjs', '.js'].map((ext) => full + ext).find(isExistingPath);
    if (withExtension) return withExtension;
  }
  const entry = resolvePackageEntry(full, readJson(path.join(full, 'package.json')));
  return entry && full !== entry ? entry : full;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    // Synchronous read is fine here: this runs once per explicit module, before the run starts.
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isExistingPath(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves every entry of the config's `extensions:` list to an extension, imports plugins from the three
 * documented places only (npm packages in `node_modules`, the extensions folder, an explicit `module` path),
 * and checks every config before returning, so nothing runs with a bad config.
 *
 * Throws `SCM_EXTENSION_NOT_FOUND` (listing what is available), `SCM_EXTENSION_LOAD` (`details: { name, file }`)
 * or `SCM_EXTENSION_CONFIG`. An entry with `optional: true` that cannot be found or loaded is skipped with
 * a warning instead.
 */
export async function loadExtensions(options: LoadExtensionsOptions = {}): Promise<LoadedExtension[]> {
  const logger = options.logger ?? noopLogger;
  const registry = options.registry ?? createExtensionRegistry(options.builtins ?? []);
  const entries = options.extensions ?? [];
  const listPath = options.configPath ?? 'extensions';
  const cwd = options.cwd ?? process.cwd();
  const baseDir = options.baseDir ?? cwd;
  const extensionsDir =
    options.extensionsDir === undefined
      ? defaultExtensionsDir(options.homeDir ?? os.homedir())
      : options.extensionsDir;

  let candidates: PluginCandidate[] | undefined;
  const discovered = () => {
    candidates ??= discoverExtensions({
      extensionsDir,
      cwd,
      ...(options.nodeModulesDirs ? { nodeModulesDirs: options.nodeModulesDirs } : {}),
      ...(options.cliDir ? { cliDir: options.cliDir } : {}),
    });
    return candidates;
  };
  const origins = new Map<string, ExtensionOrigin>();
  // Plugins imported while searching by declared name, so a module is imported once.
  const importedByFile = new Map<string, AnyExtension | Error>();

  const registerPlugin = (extension: AnyExtension, name: string, file: string) => {
    const existing = registry.get(extension.name);
    if (existing === extension) return extension;
    try {
      return registry.register(extension);
    } catch (error) {
      throw loadError(name, file, errorMessage(error), error);
    }
  };

  const fromCandidate = async (name: string, candidate: PluginCandidate): Promise<AnyExtension> => {
    const cached = importedByFile.get(candidate.file);
    if (cached instanceof Error) throw cached;
    let extension = cached;
    if (!extension) {
      try {
        extension = await importPlugin(candidate.file, name);
      } catch (error) {
        importedByFile.set(candidate.file, error as Error);
        throw error;
      }
      importedByFile.set(candidate.file, extension);
    }
    if (extension.name !== name) {
      throw loadError(name, candidate.file, `declares the name "${extension.name}", not "${name}"`);
    }
    origins.set(name, {
      kind: candidate.place,
      file: candidate.file,
      ...(candidate.packageName ? { packageName: candidate.packageName } : {}),
    });
    return registerPlugin(extension, name, candidate.file);
  };

  const resolveEntry = async (entry: ExtensionConfigEntry, at: string): Promise<AnyExtension> => {
    const { name } = entry;
    if (entry.module !== undefined) {
      const file = explicitModuleFile(entry.module, baseDir);
      if (!isExistingPath(file)) throw loadError(name, file, `module path "${entry.module}" does not exist`);
      return fromCandidate(name, { hints: [name], file, place: 'module' });
    }
    const builtin = registry.get(name);
    if (builtin) return builtin;
    const all = discovered();
    const byHint = all.find((c) => c.hints.includes(name));
    if (byHint) return fromCandidate(name, byHint);
    // No file or package is named after it: import the remaining plugins and look at their declared names.
    for (const candidate of all) {
      if (importedByFile.has(candidate.file)) {
        const known = importedByFile.get(candidate.file);
        if (known && !(known instanceof Error) && known.name === name) return fromCandidate(name, candidate);
        continue;
      }
      try {
        const extension = await importPlugin(candidate.file, candidate.hints[0] ?? candidate.file);
        importedByFile.set(candidate.file, extension);
        if (extension.name === name) return fromCandidate(name, candidate);
      } catch (error) {
        importedByFile.set(candidate.file, error as Error);
        logger.warn(`skipping plugin ${candidate.file}: ${errorMessage(error)}`, { file: candidate.file });
      }
    }
    const available = [
      ...new Set([...registry.list().map((e) => e.name), ...all.flatMap((c) => c.hints.slice(0, 1))]),
    ].sort();
    throw new ScmError(
      'SCM_EXTENSION_NOT_FOUND',
      `${at}: no extension named "${name}"; available: ${available.length ? available.join(', ') : '(none)'}. ` +
        'Plugins are looked for in node_modules (packages named scm-extension-* or with the keyword ' +
        `"stac-catalog-manager-extension"), in ${extensionsDir ?? '(no extensions folder)'}, ` +
        'or at an explicit "module" path',
      { details: { name, available }, location: { path: at } },
    );
  };

  const resolved: { entry: ExtensionConfigEntry; extension: AnyExtension; at: string }[] = [];
  const seenNames = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const at = `${listPath}[${index}]`;
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      throw new ScmError('SCM_EXTENSION_CONFIG', `${at}: an extension entry needs a "name"`, {
        location: { path: at },
      });
    }
    if (entry.module !== undefined && typeof entry.module !== 'string') {
      throw new ScmError('SCM_EXTENSION_CONFIG', `${at}.module: must be a path`, {
        details: { name: entry.name },
        location: { path: `${at}.module` },
      });
    }
    if (seenNames.has(entry.name)) {
      throw new ScmError('SCM_EXTENSION_CONFIG', `${at}: extension "${entry.name}" is listed twice`, {
        details: { name: entry.name },
        location: { path: at },
      });
    }
    seenNames.add(entry.name);
    try {
      resolved.push({ entry, extension: await resolveEntry(entry, at), at });
    } catch (error) {
      const optional = entry.optional ?? options.optional ?? false;
      const skippable =
        isScmError(error) &&
        (error.code === 'SCM_EXTENSION_LOAD' || error.code === 'SCM_EXTENSION_NOT_FOUND');
      if (!optional || !skippable) throw error;
      logger.warn(`optional extension "${entry.name}" skipped: ${errorMessage(error)}`, {
        extension: entry.name,
        ...(isScmError(error) && error.details ? { details: error.details } : {}),
      });
    }
  }

  if (options.checkConfigs === false) {
    return resolved.map(
      ({ entry, extension }): LoadedExtension =>
        Object.freeze({
          extension,
          config: deepFreeze(stripForbiddenKeys(entry.config ?? {})),
          schemaUri: extension.schemaUris[0]!,
          origin: origins.get(extension.name) ?? BUILTIN_ORIGIN,
          logger: logger.child(`extension:${extension.name}`),
        }),
    );
  }
  // Every config is checked before anything is applied.
  return resolved.map(({ entry, extension, at }) =>
    prepareExtension(extension, entry.config ?? {}, {
      configPath: `${at}.config`,
      logger,
      origin: origins.get(extension.name) ?? { kind: 'builtin' },
    }),
  );
}
