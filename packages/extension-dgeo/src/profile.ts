import { isForbiddenKey, isPlainObject } from '@scm/core';
import type { DgeoVariant } from './uris.js';

/** `dgeo:cid_profile`: how the CID's DAG was built. Unknown keys are allowed by both schemas. */
export type CidProfile = Record<string, unknown>;

/** Result of {@link toVariantProfile}. */
export interface ProfileConversion {
  /** The profile with the target variant's keys. */
  profile: CidProfile;
  /** What was converted, for a log line (e.g. `chunk_algorithm → chunking_algorithm`). */
  changes: string[];
  /** Values that could not be converted (left as they were). */
  problems: string[];
}

/** Keys renamed between the variants: pgstac-variant name → main name. */
const RENAMED: readonly [string, string][] = [
  ['chunk_algorithm', 'chunking_algorithm'],
  ['leaf_envelope', 'leaves'],
];

/** Expected JSON types of the keys each variant defines (others are free). */
const TYPES: Record<DgeoVariant, Record<string, 'integer' | 'string' | 'boolean'>> = {
  'pgstac-variant': {
    cid_version: 'integer',
    multibase_encoding: 'string',
    hash_function: 'string',
    chunk_algorithm: 'string',
    chunk_size: 'integer',
    dag_width: 'integer',
    dag_layout: 'string',
    directory_wrapping: 'boolean',
    hamt_directory_fanout: 'integer',
    hamt_directory_threshold: 'integer',
    leaf_envelope: 'string',
  },
  main: {
    cid_version: 'integer',
    hash_function: 'string',
    chunking_algorithm: 'string',
    chunk_size: 'integer',
    dag_width: 'integer',
    dag_layout: 'string',
    empty_directories: 'boolean',
    hamt_directory_fanout: 'string',
    hamt_directory_threshold: 'string',
    hamt_switch_comparison: 'string',
    leaves: 'string',
    hidden_entities: 'boolean',
    symlinks: 'string',
    mode_permissions: 'boolean',
    mod_time: 'boolean',
  },
};

function hamtToString(key: string, value: number): string {
  // main documents the fanout as a block count ("256 blocks"); the threshold's unit depends on the
  // measure used (links-count, links-bytes, block-bytes), which an integer does not say: no unit is added.
  return key === 'hamt_directory_fanout' ? `${value} blocks` : String(value);
}

/**
 * Converts a cid_profile to the keys and types of `variant`:
 * `chunk_algorithm` ↔ `chunking_algorithm`, `leaf_envelope` ↔ `leaves`, and the HAMT fields
 * `hamt_directory_fanout` / `hamt_directory_threshold` between integers (pgstac-variant) and strings (main:
 * `256` ↔ `"256 blocks"`; a string becomes the integer it starts with). When both spellings are present the
 * target's wins. Other keys are kept as they are.
 */
export function toVariantProfile(input: CidProfile, variant: DgeoVariant): ProfileConversion {
  const profile: CidProfile = {};
  for (const [key, value] of Object.entries(input)) if (!isForbiddenKey(key)) profile[key] = value;
  const changes: string[] = [];
  const problems: string[] = [];
  for (const [pgstac, main] of RENAMED) {
    const [from, to] = variant === 'main' ? [pgstac, main] : [main, pgstac];
    if (!(from in profile)) continue;
    if (!(to in profile)) {
      profile[to] = profile[from];
      changes.push(`${from} → ${to}`);
    } else changes.push(`${from} dropped (${to} is set)`);
    delete profile[from];
  }
  for (const key of ['hamt_directory_fanout', 'hamt_directory_threshold']) {
    const value = profile[key];
    if (variant === 'main' && typeof value === 'number' && Number.isInteger(value)) {
      profile[key] = hamtToString(key, value);
      changes.push(`${key} ${value} → "${profile[key]}"`);
    } else if (variant === 'pgstac-variant' && typeof value === 'string') {
      const match = /^\s*(\d+)/.exec(value);
      if (match) {
        profile[key] = Number.parseInt(match[1]!, 10);
        changes.push(`${key} "${value}" → ${profile[key]}`);
      } else problems.push(`${key} "${value}" has no number to keep for pgstac-variant`);
    }
  }
  for (const [key, type] of Object.entries(TYPES[variant])) {
    const value = profile[key];
    if (value === undefined) continue;
    const ok =
      type === 'integer' ? typeof value === 'number' && Number.isInteger(value) : typeof value === type;
    if (!ok) problems.push(`${key} must be ${type === 'integer' ? 'an integer' : `a ${type}`} in ${variant}`);
  }
  if ('cid_version' in profile && profile.cid_version !== 0 && profile.cid_version !== 1) {
    problems.push('cid_version must be 0 or 1');
  }
  return { profile, changes, problems };
}

/** Merges cid_profiles left to right (later keys win) and converts the result to `variant`. */
export function mergeProfiles(variant: DgeoVariant, ...profiles: unknown[]): ProfileConversion | undefined {
  const present = profiles.filter(isPlainObject);
  if (present.length === 0) return undefined;
  const merged: CidProfile = {};
  for (const p of present) {
    for (const [key, value] of Object.entries(toVariantProfile(p, variant).profile)) {
      if (!isForbiddenKey(key)) merged[key] = value;
    }
  }
  return toVariantProfile(merged, variant);
}
