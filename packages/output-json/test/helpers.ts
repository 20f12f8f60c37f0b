import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { StacCollection, StacItem, StacLink } from '@scm/core';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A fresh folder under the OS temp folder, removed after each test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scm-output-json-'));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Parses a sample copied from shared/samples into test/fixtures/samples. */
export function sample<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/samples/${name}`, import.meta.url), 'utf8')) as T;
}

/** The small catalog of the golden tests: 2 collections, 4 items (3 Landsat from Planetary Computer, 1 from the STAC spec). */
export function goldenInput(): { collections: StacCollection[]; items: StacItem[] } {
  const landsat = sample<StacItem[]>('items-landsat-c2-l2-pc.json').slice(0, 3);
  return {
    collections: [
      sample<StacCollection>('collection-landsat-c2-l2.json'),
      sample<StacCollection>('stac-spec-collection.json'),
    ],
    items: [...landsat, sample<StacItem>('stac-spec-core-item.json')],
  };
}

/** Every file under `dir` (hidden ones included), relative, `/`-separated, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Reads a JSON file. */
export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const STRUCTURAL = new Set(['self', 'root', 'parent', 'child', 'item', 'collection']);

/**
 * Checks the links of every `.json` file of a written tree and returns the
 * problems found (none when the tree is consistent):
 * - without `baseUrl` (self-contained): no `self` link, structural hrefs are relative (`./` or `../`);
 * - with `baseUrl` (published): every file has a `self` link naming itself, and every structural href
 *   is absolute under `baseUrl`;
 * - `root` names `<root>/catalog.json`; every `child`/`item`/`parent`/`collection` target exists;
 * - a `child` or `item` target's `parent` points back at the linking file,
 *   and a `parent` target links back with `child` or `item`;
 * - a `collection` target is a Collection whose id is the item's `collection`.
 */
export function linkProblems(root: string, baseUrl?: string): string[] {
  const problems: string[] = [];
  const catalog = resolve(root, 'catalog.json');
  const published = baseUrl === undefined ? undefined : `${baseUrl.replace(/\/$/, '')}/`;
  /** The file an href names, or undefined when the href has the wrong form for the layout. */
  const targetOf = (file: string, href: string): string | undefined => {
    if (published)
      return href.startsWith(published) ? resolve(root, href.slice(published.length)) : undefined;
    return href.startsWith('./') || href.startsWith('../') ? resolve(dirname(file), href) : undefined;
  };
  const linksOf = (file: string): StacLink[] =>
    (readJson<{ links?: StacLink[] }>(file).links ?? []) as StacLink[];
  for (const rel of listFiles(root).filter((path) => path.endsWith('.json'))) {
    const file = resolve(root, rel);
    const doc = readJson<Record<string, unknown>>(file);
    const links = linksOf(file);
    if (published && !links.some((link) => link.rel === 'self')) problems.push(`${rel}: no self link`);
    for (const link of links) {
      if (!STRUCTURAL.has(link.rel)) continue;
      const where = `${rel} rel=${link.rel} href=${link.href}`;
      if (link.rel === 'self' && !published) {
        problems.push(`${where}: a self-contained catalog has no self link`);
        continue;
      }
      const target = targetOf(file, link.href);
      if (target === undefined) {
        problems.push(`${where}: ${published ? `not under ${published}` : 'not relative'}`);
        continue;
      }
      if (relative(root, target).startsWith('..')) problems.push(`${where}: leaves the root`);
      if (!isFile(target)) {
        problems.push(`${where}: target missing`);
        continue;
      }
      if (link.rel === 'self' && target !== file) problems.push(`${where}: self is not the file`);
      if (link.rel === 'root' && target !== catalog) problems.push(`${where}: root is not catalog.json`);
      if (link.rel === 'child' || link.rel === 'item') {
        const back = linksOf(target).find((l) => l.rel === 'parent');
        if (!back || targetOf(target, back.href) !== file)
          problems.push(`${where}: target's parent is not ${rel}`);
      }
      if (link.rel === 'parent') {
        const back = linksOf(target).some(
          (l) => (l.rel === 'child' || l.rel === 'item') && targetOf(target, l.href) === file,
        );
        if (!back) problems.push(`${where}: parent does not link back`);
      }
      if (link.rel === 'collection') {
        const collection = readJson<{ type?: string; id?: string }>(target);
        if (collection.type !== 'Collection' || collection.id !== doc.collection) {
          problems.push(`${where}: collection link does not match the collection member`);
        }
      }
    }
  }
  return problems;
}

/** The links of a document with the given relation. */
export function linksWithRel(doc: { links?: StacLink[] }, rel: string): StacLink[] {
  return (doc.links ?? []).filter((link) => link.rel === rel);
}
