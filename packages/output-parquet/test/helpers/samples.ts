import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StacItem } from '@scm/core';

/** Folder of the sample item files copied from the shared corpus. */
export const SAMPLES_DIR = join(import.meta.dirname, '..', 'fixtures', 'samples');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  );
}

/** Items of a Feature, FeatureCollection or array-of-Features file. */
export function itemsOf(value: unknown): StacItem[] {
  if (Array.isArray(value)) return value as StacItem[];
  const v = value as { type?: string; features?: StacItem[] };
  if (v.type === 'Feature') return [value as StacItem];
  return v.features ?? [];
}

/** Every sample file, relative path and its items. */
export function sampleFiles(): { name: string; items: StacItem[] }[] {
  return walk(SAMPLES_DIR)
    .sort()
    .map((file) => ({
      name: relative(SAMPLES_DIR, file),
      items: itemsOf(JSON.parse(readFileSync(file, 'utf8'))),
    }));
}
