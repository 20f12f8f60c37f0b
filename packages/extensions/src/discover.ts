import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlainObject } from '@scm/core';

/** Keyword that marks an npm package as a stac-catalog-manager extension plugin. */
export const PLUGIN_KEYWORD = 'stac-catalog-manager-extension';

/** Prefix of plugin package names (`scm-extension-foo`, `@acme/scm-extension-foo`). */
export const PLUGIN_PACKAGE_PREFIX = 'scm-extension-';

/** Where a plugin was found. */
export type PluginPlace = 'node_modules' | 'extensions_dir' | 'module';

/** A plugin found on disk but not imported yet. */
export interface PluginCandidate {
  /** Names the plugin is expected to declare (package name without scope and prefix, file or folder name). */
  hints: string[];
  /** Absolute path of the module to import. */
  file: string;
  /** Which of the three places it came from. */
  place: PluginPlace;
  /** npm package name, for packages. */
  packageName?: string;
}

/** Options of {@link discoverExtensions}. */
export interface DiscoverExtensionsOptions {
  /**
   * `node_modules` folders to search for plugin packages. Default: every `node_modules` found walking up from
   * `cwd`, then every one found walking up from `cliDir`.
   */
  nodeModulesDirs?: readonly string[];
  /** Start of the first walk. Default: `process.cwd()`. */
  cwd?: string;
  /** Start of the second walk: where the CLI is installed. Default: the folder of this package's own code. */
  cliDir?: string;
  /**
   * The extensions folder (config `extensions_dir`). Default: `~/.stac-catalog-manager/extensions`
   * (under `homeDir`). `null` searches no folder.
   */
  extensionsDir?: string | null;
  /** Home folder for the default `extensionsDir`. Default: `os.homedir()`. */
  homeDir?: string;
  /** Also read every package's `package.json` for the {@link PLUGIN_KEYWORD} keyword. Default: `true`. */
  keywords?: boolean;
}

/** The folder of this module: next to the CLI once installed. */
function ownDir(): string {
  return path.dirname(fileURLToPath(import.meta.url));
}

/** Default extensions folder under `home`. */
export function defaultExtensionsDir(home: string = os.homedir()): string {
  return path.join(home, '.stac-catalog-manager', 'extensions');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function walkUp(start: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'node_modules');
    if (path.basename(dir) !== 'node_modules' && isDir(candidate)) out.push(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/** The `node_modules` folders searched by default, nearest first, without duplicates. */
export function defaultNodeModulesDirs(cwd: string = process.cwd(), cliDir: string = ownDir()): string[] {
  return dedupe([...walkUp(cwd), ...walkUp(cliDir)]);
}

function dedupe(dirs: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of dirs) {
    let key = path.resolve(dir);
    try {
      key = realpathSync(key);
    } catch {
      // keep the resolved path when it cannot be followed
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(path.resolve(dir));
  }
  return out;
}

/** The `package.json` of `dir` as an object, `undefined` when it is missing or not a JSON object. */
export function readPackageJson(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, 'package.json');
  if (!isFile(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `@acme/scm-extension-foo` → `foo`; `acme-tools` → `acme-tools`. */
export function hintFromPackageName(name: string): string {
  const bare = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return bare.startsWith(PLUGIN_PACKAGE_PREFIX) ? bare.slice(PLUGIN_PACKAGE_PREFIX.length) : bare;
}

const CONDITIONS = ['import', 'node', 'default'];

function pickExport(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const found = pickExport(t);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(target)) {
    for (const condition of CONDITIONS) {
      if (condition in target) {
        const found = pickExport(target[condition]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * The module file a plugin package (or folder with a `package.json`) exposes: `exports["."]` (conditions
 * `import`, `node`, `default`), then `module`, then `main`, then `index.js` / `index.mjs`.
 * Returns `undefined` when none exists or the target points outside the package.
 */
export function resolvePackageEntry(
  dir: string,
  pkg: Record<string, unknown> | undefined,
): string | undefined {
  const candidates: string[] = [];
  if (pkg) {
    const exp = pkg.exports;
    let target: string | undefined;
    if (typeof exp === 'string' || Array.isArray(exp)) target = pickExport(exp);
    else if (isPlainObject(exp)) {
      const hasSubpaths = Object.keys(exp).some((k) => k.startsWith('.'));
      target = pickExport(hasSubpaths ? exp['.'] : exp);
    }
    if (target) candidates.push(target);
    if (typeof pkg.module === 'string') candidates.push(pkg.module);
    if (typeof pkg.main === 'string') candidates.push(pkg.main);
  }
  candidates.push('index.js', 'index.mjs');
  const root = path.resolve(dir);
  for (const rel of candidates) {
    const file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) continue;
    if (isFile(file)) return file;
    for (const ext of ['.js', '.mjs']) if (isFile(file + ext)) return file + ext;
  }
  return undefined;
}

function packageCandidate(
  dir: string,
  pkg: Record<string, unknown>,
  place: PluginPlace,
  extraHints: string[] = [],
): PluginCandidate | undefined {
  const file = resolvePackageEntry(dir, pkg);
  if (!file) return undefined;
  const packageName = typeof pkg.name === 'string' ? pkg.name : undefined;
  const hints = [...extraHints];
  if (packageName) hints.unshift(hintFromPackageName(packageName));
  return { hints: [...new Set(hints)], file, place, ...(packageName ? { packageName } : {}) };
}

function hasKeyword(pkg: Record<string, unknown>): boolean {
  return Array.isArray(pkg.keywords) && pkg.keywords.includes(PLUGIN_KEYWORD);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Plugin packages in one `node_modules` folder: by name pattern, then (optionally) by keyword. */
export function scanNodeModules(dir: string, keywords = true): PluginCandidate[] {
  const out: PluginCandidate[] = [];
  const consider = (pkgDir: string, matchedByName: boolean) => {
    if (!isDir(pkgDir)) return;
    if (!matchedByName && !keywords) return;
    const pkg = readPackageJson(pkgDir);
    if (!pkg) return;
    if (!matchedByName && !hasKeyword(pkg)) return;
    const candidate = packageCandidate(pkgDir, pkg, 'node_modules');
    if (candidate) out.push(candidate);
  };
  for (const entry of listDir(dir)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const sub of listDir(path.join(dir, entry))) {
        if (sub.startsWith('.')) continue;
        consider(path.join(dir, entry, sub), sub.startsWith(PLUGIN_PACKAGE_PREFIX));
      }
    } else {
      consider(path.join(dir, entry), entry.startsWith(PLUGIN_PACKAGE_PREFIX));
    }
  }
  return out;
}

/** Plugins in an extensions folder: each `*.js` / `*.mjs` file and each subfolder with a `package.json`. */
export function scanExtensionsDir(dir: string): PluginCandidate[] {
  const out: PluginCandidate[] = [];
  for (const entry of listDir(dir)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (/\.(m?js)$/.test(entry) && isFile(full)) {
      const base = entry.replace(/\.(m?js)$/, '');
      out.push({
        hints: [...new Set([hintFromPackageName(base), base])],
        file: full,
        place: 'extensions_dir',
      });
    } else if (isDir(full)) {
      const pkg = readPackageJson(full);
      if (!pkg) continue;
      const candidate = packageCandidate(full, pkg, 'extensions_dir', [hintFromPackageName(entry)]);
      if (candidate) out.push(candidate);
    }
  }
  return out;
}

/**
 * Lists plugins without importing them, in precedence order: the extensions folder first, then
 * `node_modules` folders nearest first. Missing folders are skipped silently.
 */
export function discoverExtensions(options: DiscoverExtensionsOptions = {}): PluginCandidate[] {
  const out: PluginCandidate[] = [];
  const extensionsDir =
    options.extensionsDir === undefined
      ? defaultExtensionsDir(options.homeDir ?? os.homedir())
      : options.extensionsDir;
  if (extensionsDir !== null && existsSync(extensionsDir)) out.push(...scanExtensionsDir(extensionsDir));
  const dirs = options.nodeModulesDirs
    ? dedupe(options.nodeModulesDirs)
    : defaultNodeModulesDirs(options.cwd ?? process.cwd(), options.cliDir ?? ownDir());
  const seenFiles = new Set(out.map((c) => c.file));
  for (const dir of dirs) {
    for (const candidate of scanNodeModules(dir, options.keywords ?? true)) {
      if (seenFiles.has(candidate.file)) continue;
      seenFiles.add(candidate.file);
      out.push(candidate);
    }
  }
  return out;
}
