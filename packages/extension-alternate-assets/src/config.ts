import { isForbiddenKey, type JsonObject, type ValidationIssue } from '@scm/core';
import { regexProblem } from './safe-regex.js';
import { groupsOf, placeholdersOf } from './template.js';
import type { AlternateAssetsVersion } from './versions.js';

/** Storage extension v1 fields written on an alternate (`storage:platform`, …). */
export type AlternateStorage = {
  /** `storage:platform`, e.g. `AWS`. */
  platform?: string;
  /** `storage:region`, e.g. `us-west-2`. */
  region?: string;
  /** `storage:requester_pays`. */
  requester_pays?: boolean;
  /** `storage:tier`, e.g. `Standard`. */
  tier?: string;
};

/** One alternate location built from each selected asset's href. */
export type AlternateRule = {
  /** Key in the asset's `alternate` map, e.g. `s3`. Existing entries with this key are merged. */
  key: string;
  /** `alternate:name` of the alternate (v1.2.0 only). Default: `key`. */
  name?: string;
  /** Regular expression on the asset href; the rule applies when it matches. Use with `href`. */
  match?: string;
  /** Href prefix; the rule applies when the asset href starts with it. Use with `href` or `replace_prefix`. */
  prefix?: string;
  /** Href template: `{0}`, `{1}`…, `{name}` (groups), `{rest}` (after the prefix), `{asset_key}`, `{id}`, `{collection}`. */
  href?: string;
  /** With `prefix`: the alternate href is this followed by the rest of the asset href. */
  replace_prefix?: string;
  /** `title` of the alternate. */
  title?: string;
  /** `description` of the alternate. */
  description?: string;
  /** `storage:refs` (Storage extension v2: keys of `storage:schemes`). */
  storage_refs?: string[];
  /** Storage extension v1 fields. */
  storage?: AlternateStorage;
};

/** Config of the alternate-assets extension. */
export type AlternateAssetsConfig = {
  /** Version to write and declare. Default `1.2.0`. */
  version?: AlternateAssetsVersion;
  /** `alternate:name` of the primary location (the asset itself, v1.2.0). Default: the href scheme upper-cased (`HTTPS`, `S3`). */
  primary_name?: string;
  /** The alternate locations to add. */
  alternates: AlternateRule[];
  /** Asset keys (`*` and `?` wildcards) to consider. Default `['*']`. */
  assets?: string[];
  /** Only assets with at least one of these roles. Default: any role. */
  roles?: string[];
};

const text = { type: 'string', minLength: 1 };

/** JSON Schema of {@link AlternateAssetsConfig}. */
export const alternateAssetsConfigSchema: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['alternates'],
  additionalProperties: false,
  properties: {
    version: { enum: ['1.2.0', '1.1.0'], default: '1.2.0' },
    primary_name: text,
    assets: { type: 'array', minItems: 1, items: text },
    roles: { type: 'array', minItems: 1, items: text },
    alternates: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['key'],
        additionalProperties: false,
        properties: {
          key: text,
          name: text,
          match: { type: 'string', minLength: 1 },
          prefix: text,
          href: text,
          replace_prefix: text,
          title: text,
          description: text,
          storage_refs: { type: 'array', minItems: 1, items: text },
          storage: {
            type: 'object',
            additionalProperties: false,
            properties: {
              platform: text,
              region: text,
              requester_pays: { type: 'boolean' },
              tier: text,
            },
          },
        },
      },
    },
  },
};

/** The version a config selects. */
export function versionOf(config: AlternateAssetsConfig | undefined): AlternateAssetsVersion {
  return config?.version === '1.1.0' ? '1.1.0' : '1.2.0';
}

const FIXED_PLACEHOLDERS = new Set(['asset_key', 'id', 'collection']);

/**
 * Checks what the JSON Schema cannot: each rule has exactly one of `match` / `prefix`, the right href
 * option, a safe regular expression, known placeholders, and a unique key.
 */
export function checkAlternateAssetsConfig(config: AlternateAssetsConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const error = (path: string, message: string) =>
    issues.push({ path, message, kind: 'config', severity: 'error' });
  const seen = new Set<string>();
  (config.alternates ?? []).forEach((rule, i) => {
    const at = `/alternates/${i}`;
    if (isForbiddenKey(rule.key)) error(`${at}/key`, `"${rule.key}" is not allowed as a key`);
    if (seen.has(rule.key)) error(`${at}/key`, `key "${rule.key}" is used by another rule`);
    seen.add(rule.key);
    if ((rule.match === undefined) === (rule.prefix === undefined)) {
      error(at, 'needs exactly one of "match" (a regular expression) or "prefix"');
      return;
    }
    let allowed = new Set(FIXED_PLACEHOLDERS);
    if (rule.match !== undefined) {
      const problem = regexProblem(rule.match);
      if (problem) {
        error(`${at}/match`, problem);
        return;
      }
      if (rule.href === undefined) error(`${at}/href`, 'is required with "match"');
      if (rule.replace_prefix !== undefined) error(`${at}/replace_prefix`, 'only works with "prefix"');
      const { count, names } = groupsOf(rule.match);
      allowed = new Set([...allowed, ...names, ...Array.from({ length: count + 1 }, (_, n) => String(n))]);
    } else {
      if ((rule.href === undefined) === (rule.replace_prefix === undefined)) {
        error(at, 'with "prefix", give exactly one of "href" or "replace_prefix"');
      }
      allowed = new Set([...allowed, '0', 'rest']);
    }
    if (rule.href !== undefined) {
      for (const name of placeholdersOf(rule.href)) {
        if (!allowed.has(name))
          error(
            `${at}/href`,
            `placeholder {${name}} is not available (use ${[...allowed].map((a) => `{${a}}`).join(', ')})`,
          );
      }
    }
  });
  if (versionOf(config) === '1.1.0') {
    if (config.primary_name !== undefined || config.alternates?.some((r) => r.name !== undefined)) {
      issues.push({
        path: '',
        message: 'alternate-assets 1.1.0 has no alternate:name; primary_name and name are ignored',
        kind: 'config',
        severity: 'warning',
      });
    }
  }
  return issues;
}
