import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import {
  countedChunks,
  createFailure,
  type Failure,
  isPlainObject,
  readLines,
  ScmError,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  type StreamOptions,
  stacTypeOf,
  stripForbiddenKeys,
} from '@scm/core';
import { COLLECTIONS_NDJSON, ITEMS_NDJSON } from './ndjson-writer.js';
import { isInside } from './safe-path.js';

/** One STAC document found by {@link readJsonTree}. */
export type JsonTreeEntry =
  | { kind: 'catalog'; path: string; value: StacCatalog }
  | { kind: 'collection'; path: string; value: StacCollection }
  | { kind: 'item'; path: string; value: StacItem };

/** Options of {@link readJsonTree}. */
export interface ReadJsonTreeOptions extends StreamOptions {
  /** File to start from, relative to the root. Default `catalog.json`. */
  entry?: string;
}

/** One record found by {@link readNdjsonDir}. */
export type NdjsonEntry =
  | { kind: 'collection'; path: string; line: number; value: StacCollection }
  | {
      kind: 'item';
      path: string;
      line: number;
      value: StacItem;
      /** The line as read, the JSON text of `value`, for a writer to reuse; absent when a forbidden key was dropped. */
      text?: string;
    };

const FORBIDDEN_KEY_TEXT = /"(?:__proto__|constructor|prototype)"/;

/** Parses JSON text; drops `__proto__` / `constructor` / `prototype` members (checked cheaply first). */
function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return FORBIDDEN_KEY_TEXT.test(text) ? stripForbiddenKeys(value) : value;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: signal.reason });
}

function toPosix(base: string, path: string): string {
  return relative(base, path).split(sep).join('/');
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Resolves a link href against the file it is in; a reason instead when it must not be followed. */
function resolveLocalHref(base: string, from: string, href: unknown): { path: string } | { reason: string } {
  if (typeof href !== 'string' || href.trim() === '') return { reason: 'the link has no href' };
  if (SCHEME.test(href) || href.startsWith('//')) {
    return { reason: 'the href is a URL or an absolute location; only relative links are followed' };
  }
  let local = href;
  const cut = local.search(/[?#]/);
  if (cut !== -1) local = local.slice(0, cut);
  try {
    local = decodeURI(local);
  } catch {
    // not percent-encoded text: use it as written
  }
  if (local === '' || local.includes('\0')) return { reason: 'the href does not name a file' };
  const path = resolve(dirname(from), local);
  if (!isInside(base, path)) return { reason: 'the href leads outside the catalog folder' };
  return { path };
}

async function loadJson(path: string): Promise<{ value: unknown } | { error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      error: code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? error})`,
    };
  }
  try {
    return { value: parseJson(text) };
  } catch (error) {
    return { error: `the file is not valid JSON (${(error as Error).message})` };
  }
}

function skipped(itemId: string, message: string, file: string, details: Record<string, unknown>): Failure {
  return createFailure({ itemId, errorType: 'other', step: 'read', message, file, details });
}

/**
 * Walks a static catalog from `<root>/catalog.json`, yielding the catalog,
 * then each child (collection or sub-catalog) followed by what it links to,
 * then the items the catalog links directly. Only `child` and `item` links
 * are followed, relative to the file they are in. A link that is remote
 * (a URL), leads outside `root`, or points at a missing, unreadable or
 * non-STAC file is skipped and yielded as a {@link Failure} (`step: read`,
 * `error_type: other`) naming the file and href; the walk goes on. Each file
 * is yielded once, even when linked twice. Throws `SCM_INPUT_NOT_FOUND` when
 * the entry file is missing and `SCM_INPUT_PARSE` when it is not a STAC
 * catalog or collection.
 */
export async function* readJsonTree(
  root: string,
  options: ReadJsonTreeOptions = {},
): AsyncGenerator<JsonTreeEntry | Failure> {
  const base = resolve(root);
  const start = resolve(base, options.entry ?? 'catalog.json');
  if (!isInside(base, start)) {
    throw new ScmError('SCM_USAGE', `entry "${options.entry}" is outside the catalog folder "${base}"`);
  }
  const loaded = await loadJson(start);
  if ('error' in loaded) {
    const missing = loaded.error === 'the file does not exist';
    throw new ScmError(missing ? 'SCM_INPUT_NOT_FOUND' : 'SCM_INPUT_PARSE', `${start}: ${loaded.error}`, {
      location: { file: start },
    });
  }
  const kind = stacTypeOf(loaded.value);
  if (kind !== 'Catalog' && kind !== 'Collection') {
    throw new ScmError('SCM_INPUT_PARSE', `${start} is not a STAC catalog or collection`, {
      location: { file: start },
    });
  }
  const visited = new Set<string>([start]);
  yield* visitContainer(base, start, loaded.value as StacCatalog | StacCollection, visited, options.signal);
}

async function* visitContainer(
  base: string,
  path: string,
  value: StacCatalog | StacCollection,
  visited: Set<string>,
  signal: AbortSignal | undefined,
): AsyncGenerator<JsonTreeEntry | Failure> {
  const here = toPosix(base, path);
  if (value.type === 'Collection') yield { kind: 'collection', path: here, value: value as StacCollection };
  else yield { kind: 'catalog', path: here, value: value as StacCatalog };
  const links = Array.isArray(value.links) ? value.links : [];
  for (const link of links) {
    throwIfAborted(signal);
    if (!isPlainObject(link) || (link.rel !== 'child' && link.rel !== 'item')) continue;
    const rel = link.rel;
    const href = link.href;
    const details = { rel, href: typeof href === 'string' ? href : null };
    const target = resolveLocalHref(base, path, href);
    if ('reason' in target) {
      yield skipped(
        String(href),
        `link rel="${rel}" href="${String(href)}" in ${here} skipped: ${target.reason}`,
        here,
        {
          ...details,
          reason: target.reason,
        },
      );
      continue;
    }
    if (visited.has(target.path)) continue;
    const targetPath = toPosix(base, target.path);
    const loaded = await loadJson(target.path);
    if ('error' in loaded) {
      yield skipped(
        targetPath,
        `link rel="${rel}" in ${here} skipped: ${targetPath}: ${loaded.error}`,
        here,
        {
          ...details,
          reason: loaded.error,
        },
      );
      continue;
    }
    const kind = stacTypeOf(loaded.value);
    const expected = rel === 'item' ? kind === 'Item' : kind === 'Catalog' || kind === 'Collection';
    if (!expected) {
      const reason = `expected ${rel === 'item' ? 'an Item' : 'a Catalog or Collection'}, found ${kind ?? 'no STAC object'}`;
      yield skipped(targetPath, `link rel="${rel}" in ${here} skipped: ${targetPath}: ${reason}`, here, {
        ...details,
        reason,
      });
      continue;
    }
    visited.add(target.path); // only once accepted, so a wrong link does not hide a right one to the same file
    if (kind === 'Item') yield { kind: 'item', path: targetPath, value: loaded.value as StacItem };
    else
      yield* visitContainer(base, target.path, loaded.value as StacCatalog | StacCollection, visited, signal);
  }
}

/** Those of `paths` (relative to `base`) that are files, with their sizes. */
async function existingFiles(base: string, paths: string[]): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  for (const path of paths) {
    const info = await stat(resolve(base, path)).catch(() => undefined);
    if (info?.isFile()) found.push({ path, size: info.size });
  }
  return found;
}

/** Adds up the chunks read and tells `report` the count of the files' summed size; undefined without `report`. */
function bytesCounter(
  files: readonly { size: number }[],
  report: ((read: number, total: number) => void) | undefined,
): ((bytes: number) => void) | undefined {
  if (!report) return undefined;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let read = 0;
  return (bytes) => {
    read = Math.min(total, read + bytes);
    report(read, total);
  };
}

/**
 * Reads an NDJSON folder as {@link createNdjsonWriter} writes it:
 * `collections.ndjson`, then `items.ndjson` at the root, then
 * `<folder>/items.ndjson` for each sub-folder in name order (hidden folders
 * and temporary files are ignored). Blank lines are skipped; a line that is
 * not JSON, or not the expected STAC type, is yielded as a {@link Failure}
 * with its file and line number. Throws `SCM_INPUT_NOT_FOUND` when `root`
 * is not a folder. `onBytesRead` is told, as the files are read, the bytes
 * read so far of their summed size (for a progress bar).
 */
export async function* readNdjsonDir(
  root: string,
  options: StreamOptions & { onBytesRead?: (read: number, total: number) => void } = {},
): AsyncGenerator<NdjsonEntry | Failure> {
  const base = resolve(root);
  let names: string[];
  try {
    const entries = await readdir(base, { withFileTypes: true });
    names = entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new ScmError('SCM_INPUT_NOT_FOUND', `${base} is not a readable folder`, {
      cause: error,
      location: { file: base },
    });
  }
  const paths = await existingFiles(base, [
    COLLECTIONS_NDJSON,
    ITEMS_NDJSON,
    ...names.map((name) => `${name}/${ITEMS_NDJSON}`),
  ]);
  const onBytes = bytesCounter(paths, options.onBytesRead);
  for (const { path } of paths) {
    const full = resolve(base, path);
    const expected = path === COLLECTIONS_NDJSON ? 'Collection' : 'Item';
    for await (const { text, line } of readLines(countedChunks(createReadStream(full), onBytes), {
      file: path,
    })) {
      throwIfAborted(options.signal);
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = parseJson(text);
      } catch (error) {
        yield createFailure({
          itemId: `${path}:${line}`,
          errorType: 'other',
          step: 'read',
          message: `${path} line ${line} is not valid JSON (${(error as Error).message})`,
          file: path,
          line,
        });
        continue;
      }
      if (stacTypeOf(value) !== expected) {
        yield createFailure({
          itemId: `${path}:${line}`,
          errorType: 'other',
          step: 'read',
          message: `${path} line ${line} is not a STAC ${expected}`,
          file: path,
          line,
          sourceData: value,
        });
        continue;
      }
      if (expected === 'Collection') yield { kind: 'collection', path, line, value: value as StacCollection };
      else {
        const same = !FORBIDDEN_KEY_TEXT.test(text); // else value lost keys the text still has
        yield { kind: 'item', path, line, value: value as StacItem, ...(same ? { text } : {}) };
      }
    }
  }
}
