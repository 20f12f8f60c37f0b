import {
  type ExtensionContext,
  isForbiddenKey,
  isPlainObject,
  type StacCollection,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { type AlternateAssetsConfig, type AlternateRule, versionOf } from './config.js';
import { fillTemplate } from './template.js';
import { ALTERNATE_ASSETS_URIS, supersededUris } from './versions.js';

/** Hrefs longer than this are not matched against rules. */
export const MAX_HREF_LENGTH = 4096;

interface CompiledRule {
  rule: AlternateRule;
  regex?: RegExp;
}

interface Compiled {
  rules: CompiledRule[];
  assets: RegExp[];
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
  const version = versionOf(config);
  const compiled = compile(config);
  if (!isPlainObject(object.assets)) return object;
  const id = String(object.id);
  const collection = object.type === 'Feature' ? String((object as StacItem).collection ?? '') : id;

  let any = false;
  let changed = false;
  const assets: Record<string, unknown> = {};
  for (const [key, asset] of Object.entries(object.assets)) {
    assets[key] = asset;
    if (!isPlainObject(asset)) continue;
    if (isPlainObject(asset.alternate) && Object.keys(asset.alternate).length > 0) any = true;
    if (typeof asset.href !== 'string' || !compiled.assets.some((r) => r.test(key))) continue;
    if (compiled.roles) {
      const roles = Array.isArray(asset.roles) ? asset.roles : [];
      if (!roles.some((r) => typeof r === 'string' && compiled.roles!.has(r))) continue;
    }
    const href = asset.href;
    const existing = isPlainObject(asset.alternate) ? asset.alternate : {};
    const alternate: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(existing)) if (!isForbiddenKey(k)) alternate[k] = v;
    let added = false;
    for (const { rule, regex } of compiled.rules) {
      const target = alternateHref(rule, href, { assetKey: key, id, collection }, regex);
      if (target === undefined || target === '' || target === href) continue;
      alternate[rule.key] = buildEntry(rule, target, existing[rule.key], version);
      added = true;
    }
    if (!added) continue;
    const next: Record<string, unknown> = { ...asset, alternate };
    if (version === '1.2.0') {
      const current = asset['alternate:name'];
      const primary =
        config.primary_name ?? (typeof current === 'string' && current !== '' ? current : schemeName(href));
      if (primary !== undefined) next['alternate:name'] = primary;
    }
    assets[key] = next;
    any = true;
    changed = true;
  }
  if (!any) return object;
  const stacExtensions = withStacExtension(
    object.stac_extensions,
    ALTERNATE_ASSETS_URIS[version],
    supersededUris(version),
  );
  return { ...object, stac_extensions: stacExtensions, ...(changed ? { assets } : {}) } as T;
}
