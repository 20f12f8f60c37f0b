import {
  type ExtensionContext,
  isForbiddenKey,
  isPlainObject,
  plainCopy,
  type StacCollection,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { type AlternateAssetsConfig, type AlternateRule, versionOf } from './config.js';
import { fillTemplate } from './template.js';
import { ALTERNATE_ASSETS_URIS, SUPERSEDED_URIS } from './versions.js';

/** Hrefs longer than this are not matched against rules. */
export const MAX_HREF_LENGTH = 4096;

interface CompiledRule {
  rule: AlternateRule;
  regex?: RegExp;
}

interface Compiled {
  rules: CompiledRule[];
  assets: RegExp[];
  /** A `*` among the asset globs: every key matches, no pattern needs to run. */
  allAssets: boolean;
  roles?: Set<string>;
}

// Rules are compiled once per config object (configs are frozen by the loader, so this is a memo, not state).
const compiledConfigs = new WeakMap<object, Compiled>();

function globToRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function compile(config: AlternateAssetsConfig): Compiled {
  let compiled = compiledConfigs.get(config);
  if (!compiled) {
    compiled = {
      rules: (config.alternates ?? []).map((rule) =>
        rule.match === undefined ? { rule } : { rule, regex: new RegExp(rule.match) },
      ),
      assets: (config.assets ?? ['*']).map(globToRegex),
      allAssets: (config.assets ?? ['*']).includes('*'),
      ...(config.roles ? { roles: new Set(config.roles) } : {}),
    };
    compiledConfigs.set(config, compiled);
  }
  return compiled;
}

/** The alternate href a rule gives for `href`, or `undefined` when the rule does not apply. */
export function alternateHref(
  rule: AlternateRule,
  href: string,
  values: { assetKey: string; id: string; collection: string },
  regex: RegExp | undefined = rule.match === undefined ? undefined : new RegExp(rule.match),
): string | undefined {
  if (href.length > MAX_HREF_LENGTH) return undefined;
  if (regex) {
    const match = regex.exec(href);
    if (!match) return undefined;
    return fillTemplate(rule.href ?? '', {
      ...values,
      groups: [...match],
      ...(match.groups ? { named: match.groups } : {}),
    });
  }
  if (rule.prefix === undefined || !href.startsWith(rule.prefix)) return undefined;
  const rest = href.slice(rule.prefix.length);
  if (rule.replace_prefix !== undefined) return rule.replace_prefix + rest;
  return fillTemplate(rule.href ?? '', { ...values, groups: [href], rest });
}

/** `HTTPS` for `https://…`, `S3` for `s3://…`; `undefined` for a relative href. */
export function schemeName(href: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  return scheme ? scheme[1]!.toUpperCase() : undefined;
}

function buildEntry(
  rule: AlternateRule,
  href: string,
  existing: unknown,
  version: '1.2.0' | '1.1.0',
): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  if (isPlainObject(existing)) {
    for (const [k, v] of Object.entries(existing)) if (!isForbiddenKey(k)) entry[k] = v;
  }
  entry.href = href;
  if (version === '1.2.0') entry['alternate:name'] = rule.name ?? rule.key;
  if (rule.title !== undefined) entry.title = rule.title;
  if (rule.description !== undefined) entry.description = rule.description;
  if (rule.storage_refs) entry['storage:refs'] = [...rule.storage_refs];
  if (rule.storage) {
    for (const [k, v] of Object.entries(rule.storage)) if (v !== undefined) entry[`storage:${k}`] = v;
  }
  return entry;
}

type Target = StacItem | StacCollection;

/** What every asset of one object shares while its alternates are made. */
interface AssetScope {
  config: AlternateAssetsConfig;
  version: '1.2.0' | '1.1.0';
  compiled: Compiled;
  id: string;
  collection: string;
}

/** Whether the config selects the asset under `key` (its key globs, then its roles). */
function selectsAsset(compiled: Compiled, key: string, asset: Record<string, unknown>): boolean {
  if (!compiled.allAssets && !compiled.assets.some((r) => r.test(key))) return false;
  if (!compiled.roles) return true;
  const roles = Array.isArray(asset.roles) ? asset.roles : [];
  return roles.some((r) => typeof r === 'string' && compiled.roles!.has(r));
}

/** The asset's alternates already there, forbidden keys left out. */
function existingAlternates(existing: Record<string, unknown> | undefined): Record<string, unknown> {
  const alternate: Record<string, unknown> = {};
  if (existing) for (const k of Object.keys(existing)) if (!isForbiddenKey(k)) alternate[k] = existing[k];
  return alternate;
}

/** The asset with the rules' alternates merged in, or `undefined` when no rule gives one. */
function withAlternates(
  key: string,
  asset: Record<string, unknown> & { href: string },
  scope: AssetScope,
): Record<string, unknown> | undefined {
  const { href } = asset;
  const existing = isPlainObject(asset.alternate) ? asset.alternate : undefined;
  let alternate: Record<string, unknown> | undefined;
  for (const { rule, regex } of scope.compiled.rules) {
    const target = alternateHref(
      rule,
      href,
      { assetKey: key, id: scope.id, collection: scope.collection },
      regex,
    );
    if (target === undefined || target === '' || target === href) continue;
    alternate ??= existingAlternates(existing);
    alternate[rule.key] = buildEntry(rule, target, existing?.[rule.key], scope.version);
  }
  if (!alternate) return undefined;
  const next = plainCopy(asset);
  next.alternate = alternate;
  if (scope.version === '1.2.0') {
    const current = asset['alternate:name'];
    const primary =
      scope.config.primary_name ??
      (typeof current === 'string' && current !== '' ? current : schemeName(href));
    if (primary !== undefined) next['alternate:name'] = primary;
  }
  return next;
}

/**
 * Adds `alternate` locations (and `alternate:name` with v1.2.0) to the selected assets of an Item or a
 * Collection, merging with alternates already there by key. Pure and idempotent. Objects that end up with
 * no alternate anywhere are returned unchanged.
 */
export function applyAlternateAssets<T extends Target>(
  object: T,
  context: ExtensionContext<AlternateAssetsConfig>,
): T {
  const config = context.config;
  if (!isPlainObject(object.assets)) return object;
  const id = String(object.id);
  const collection = object.type === 'Feature' ? String((object as StacItem).collection ?? '') : id;
  const version = versionOf(config);
  const scope: AssetScope = { config, version, compiled: compile(config), id, collection };
  const source = object.assets as Record<string, unknown>;
  let any = false;
  let assets: Record<string, unknown> | undefined;
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const asset = source[key];
    if (!isPlainObject(asset)) continue;
    if (!any && isPlainObject(asset.alternate) && Object.keys(asset.alternate).length > 0) any = true;
    if (typeof asset.href !== 'string' || !selectsAsset(scope.compiled, key, asset)) continue;
    const next = withAlternates(key, asset as Record<string, unknown> & { href: string }, scope);
    if (!next) continue;
    assets ??= plainCopy(source);
    assets[key] = next;
    any = true;
  }
  if (!any) return object;
  const stacExtensions = withStacExtension(
    object.stac_extensions,
    ALTERNATE_ASSETS_URIS[version],
    SUPERSEDED_URIS[version],
  );
  return { ...object, stac_extensions: stacExtensions, ...(assets ? { assets } : {}) } as T;
}
