import os from 'node:os';
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
import { defaultExtensionsDir, type PluginPlace } from './discover.js';
import { createResolver, type Resolver, resolveEntry } from './resolve-entry.js';
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
    origin: options.origin ?? BUILTIN_ORIGIN,
    logger,
  };
  return Object.freeze(loaded);
}

/** The context an extension's functions receive for a loaded extension. */
export function contextOf<C>(loaded: LoadedExtension<C>): ExtensionContext<C> {
  return { config: loaded.config as C, logger: loaded.logger };
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
  const cwd = options.cwd ?? process.cwd();
  const resolver = createResolver({
    registry: options.registry ?? createExtensionRegistry(options.builtins ?? []),
    logger,
    cwd,
    baseDir: options.baseDir ?? cwd,
    extensionsDir:
      options.extensionsDir === undefined
        ? defaultExtensionsDir(options.homeDir ?? os.homedir())
        : options.extensionsDir,
    ...(options.nodeModulesDirs ? { nodeModulesDirs: options.nodeModulesDirs } : {}),
    ...(options.cliDir ? { cliDir: options.cliDir } : {}),
  });
  const resolved = await resolveAll(resolver, options);
  const originOf = (extension: AnyExtension) => resolver.origins.get(extension.name) ?? BUILTIN_ORIGIN;
  if (options.checkConfigs === false) {
    return resolved.map(
      ({ entry, extension }): LoadedExtension =>
        Object.freeze({
          extension,
          config: deepFreeze(stripForbiddenKeys(entry.config ?? {})),
          schemaUri: extension.schemaUris[0]!,
          origin: originOf(extension),
          logger: logger.child(`extension:${extension.name}`),
        }),
    );
  }
  // Every config is checked before anything is applied.
  return resolved.map(({ entry, extension, at }) =>
    prepareExtension(extension, entry.config ?? {}, {
      configPath: `${at}.config`,
      logger,
      origin: originOf(extension),
    }),
  );
}

interface ResolvedEntry {
  entry: ExtensionConfigEntry;
  extension: AnyExtension;
  /** Config path of the entry, e.g. `extensions[2]`. */
  at: string;
}

/** Throws `SCM_EXTENSION_CONFIG` for an entry without a name, with a non-string module, or listed twice. */
function assertEntryShape(entry: ExtensionConfigEntry, at: string, seenNames: Set<string>): void {
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
}

/** Resolves the entries in order; an optional one that cannot be found or loaded is skipped with a warning. */
async function resolveAll(resolver: Resolver, options: LoadExtensionsOptions): Promise<ResolvedEntry[]> {
  const resolved: ResolvedEntry[] = [];
  const seenNames = new Set<string>();
  for (const [index, entry] of (options.extensions ?? []).entries()) {
    const at = `${options.configPath ?? 'extensions'}[${index}]`;
    assertEntryShape(entry, at, seenNames);
    try {
      resolved.push({ entry, extension: await resolveEntry(resolver, entry, at), at });
    } catch (error) {
      const optional = entry.optional ?? options.optional ?? false;
      const skippable =
        isScmError(error) &&
        (error.code === 'SCM_EXTENSION_LOAD' || error.code === 'SCM_EXTENSION_NOT_FOUND');
      if (!optional || !skippable) throw error;
      resolver.logger.warn(`optional extension "${entry.name}" skipped: ${errorMessage(error)}`, {
        extension: entry.name,
        ...(isScmError(error) && error.details ? { details: error.details } : {}),
      });
    }
  }
  return resolved;
}
