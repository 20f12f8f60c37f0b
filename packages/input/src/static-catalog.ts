import { open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  errorMessage,
  type Failure,
  isPlainObject,
  type JsonObject,
  type ParsedJsonText,
  parseJsonText,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import { findCatalogRoot, formatFromExtension, sniffFile } from './detect.js';
import {
  describeJson,
  fileError,
  readFailure,
  statInput,
  throwIfAborted,
  warnDropped,
} from './file-access.js';
import { readJson } from './json.js';
import { readNdjson } from './ndjson.js';

/** Options of {@link readStaticCatalog}. */
export interface StaticCatalogOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /**
   * Receives links that were not followed: remote (`http:`, `https:`, …)
   * links and links leading outside the catalog's root folder. Default: ignored.
   */
  onWarning?: (message: string, context: { file: string; href?: string; rel?: string }) => void;
  /** Follow `child` and `item` links that lead outside the root file's folder. Default `false`. */
  allowOutsideRoot?: boolean;
  /** Largest catalog, collection or item file in bytes; a larger one is reported as a Failure. Default 64 MiB. */
  maxFileBytes?: number;
}

/** Link relations that are followed. */
const FOLLOWED_RELS = new Set(['child', 'item']);
const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

interface PendingFile {
  /** Path shown in origins and messages: joined from the user's path and the link hrefs. */
  display: string;
  /** Absolute path used to read the file. */
  absolute: string;
  /** Which link led here, for messages. */
  via?: { file: string; rel: string; href: string };
}

/**
 * Walks a local static STAC catalog and yields every object in it: the root
 * catalog or collection first, then each `child` and `item` link in link
 * order, depth first. `origin.file` is the object's own file. Objects are
 * yielded as stored (hrefs are not rewritten).
 *
 * - `path` may be a `catalog.json` / `collection.json`, or a folder holding
 *   one. An ItemCollection (`FeatureCollection`) JSON file or an NDJSON file
 *   of items is read as such (see {@link readJson} and {@link readNdjson}).
 * - Each file is read once (a visited set guards against cycles and
 *   diamonds).
 * - A local copy of a published catalog (its root has an absolute `self`
 *   link) is walked too: a link under the URL folder of that `self` link is
 *   read from the root's folder.
 * - Remote links are never fetched, and links that lead outside the root's
 *   folder are not followed unless `allowOutsideRoot`; both are reported to
 *   `onWarning` and yield nothing.
 * - A linked file that is missing or not a JSON object is yielded as a
 *   {@link Failure}; the walk goes on. A root file that is not a JSON
 *   object is yielded as a Failure too (there is nothing more to walk).
 *
 * @param path - Root file or folder.
 * @param options - See {@link StaticCatalogOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the root is missing (or a folder has no catalog.json / collection.json).
 */
export async function* readStaticCatalog(
  path: string,
  options: StaticCatalogOptions = {},
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { signal } = options;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  throwIfAborted(signal);
  const root = await findRoot(path);
  if (root.kind !== 'catalog') {
    yield* root.kind === 'ndjson' ? readNdjson(path, { signal }) : readJson(path, { signal });
    return;
  }
  const walk = await startWalk(root.path, options);
  const stack: PendingFile[] = [{ display: walk.rootPath, absolute: walk.rootAbsolute }];
  while (stack.length > 0) {
    throwIfAborted(signal);
    const current = stack.pop()!;
    const isRoot = current.via === undefined;
    const loaded = await loadObject(current, maxFileBytes);
    if ('value' in loaded) warnDropped(loaded.dropped, { file: current.display, line: 1 }, walk.warn);
    if ('error' in loaded) {
      // A root that cannot be found stops the run; one that cannot be parsed is a bad record like any other.
      if (isRoot && loaded.code !== 'SCM_INPUT_PARSE') {
        throw new ScmError(loaded.code, loaded.error, { location: { file: current.display } });
      }
      yield readFailure({ file: current.display, message: loaded.error, details: current.via });
      continue;
    }
    const value = loaded.value;
    if (isRoot) walk.published = publishedFolder(value);
    yield { value, origin: { file: current.display } };
    const next = await linkedFiles(current, value, walk);
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
}

/**
 * What `path` is: a static catalog's root file (a folder's catalog.json or
 * collection.json, or the file itself), or an NDJSON or JSON file of items to
 * read as such.
 */
async function findRoot(
  path: string,
): Promise<{ kind: 'catalog'; path: string } | { kind: 'ndjson' | 'json' }> {
  const info = await statInput(path);
  if (info.isDirectory()) {
    const found = await findCatalogRoot(path);
    if (!found) {
      throw new ScmError('SCM_INPUT_NOT_FOUND', `no catalog.json or collection.json in ${path}`, {
        location: { file: path },
      });
    }
    return { kind: 'catalog', path: found };
  }
  if (formatFromExtension(path) === 'ndjson') return { kind: 'ndjson' };
  const sniff = await sniffFile(path);
  if (sniff.kind === 'ndjson') return { kind: 'ndjson' };
  if (sniff.kind === 'array' || sniff.type === 'FeatureCollection') return { kind: 'json' };
  return { kind: 'catalog', path };
}

/** The state of one walk that deciding which links to follow needs. */
interface Walk {
  /** The root file as the user named it. */
  rootPath: string;
  /** The root file's real path. */
  rootAbsolute: string;
  /** The folder of {@link Walk.rootAbsolute}: links leading outside it are not followed. */
  rootFolder: string;
  /** The URL folder of a published root's `self` link, once the root is read. */
  published: string | undefined;
  /** Real paths already queued, so each file is read once. */
  visited: Set<string>;
  warn: NonNullable<StaticCatalogOptions['onWarning']>;
  allowOutsideRoot: boolean;
}

async function startWalk(rootPath: string, options: StaticCatalogOptions): Promise<Walk> {
  const rootAbsolute = await realpath(resolve(rootPath)).catch((error: unknown) => {
    throw fileError(error, rootPath);
  });
  return {
    rootPath,
    rootAbsolute,
    rootFolder: dirname(rootAbsolute),
    published: undefined,
    visited: new Set<string>([rootAbsolute]),
    warn: options.onWarning ?? (() => {}),
    allowOutsideRoot: options.allowOutsideRoot ?? false,
  };
}

/** The files `value`'s `child` and `item` links lead to that the walk follows, in link order. */
async function linkedFiles(current: PendingFile, value: JsonObject, walk: Walk): Promise<PendingFile[]> {
  const next: PendingFile[] = [];
  const links = Array.isArray(value.links) ? value.links : [];
  for (const link of links) {
    if (!isPlainObject(link) || typeof link.rel !== 'string' || !FOLLOWED_RELS.has(link.rel)) continue;
    const rel = link.rel;
    const href = link.href;
    if (typeof href !== 'string' || href === '') {
      walk.warn(`a "${rel}" link in ${current.display} has no href`, { file: current.display, rel });
      continue;
    }
    const target =
      walk.published !== undefined && href.startsWith(walk.published)
        ? localCopyOf(href.slice(walk.published.length), walk.rootPath, walk.rootFolder)
        : await resolveLink(current, href);
    if (target === 'remote') {
      walk.warn(`not following remote ${rel} link ${href} in ${current.display}`, {
        file: current.display,
        href,
        rel,
      });
      continue;
    }
    const real = await realpath(target.absolute).catch(() => target.absolute);
    if (!walk.allowOutsideRoot && isOutside(walk.rootFolder, real)) {
      walk.warn(
        `not following ${rel} link ${href} in ${current.display}: it leads outside the catalog folder`,
        {
          file: current.display,
          href,
          rel,
        },
      );
      continue;
    }
    if (walk.visited.has(real)) continue;
    walk.visited.add(real);
    next.push({ display: target.display, absolute: real, via: { file: current.display, rel, href } });
  }
  return next;
}

/** The URL folder (ending in `/`) of an object's absolute http(s) `self` link, when it has one. */
function publishedFolder(value: JsonObject): string | undefined {
  const links = Array.isArray(value.links) ? value.links : [];
  const self = links.find((l) => isPlainObject(l) && l.rel === 'self' && typeof l.href === 'string');
  const href = isPlainObject(self) ? String(self.href) : '';
  return /^https?:\/\//i.test(href) ? href.slice(0, href.lastIndexOf('/') + 1) : undefined;
}

/** Where a path below a published root's URL folder is in the local copy. */
function localCopyOf(
  path: string,
  rootPath: string,
  rootFolder: string,
): { display: string; absolute: string } {
  let decoded = stripQueryAndFragment(path);
  try {
    decoded = decodeURI(decoded);
  } catch {
    // keep it as written
  }
  return { display: join(dirname(rootPath), decoded), absolute: resolve(rootFolder, decoded) };
}

async function resolveLink(
  current: PendingFile,
  href: string,
): Promise<{ display: string; absolute: string } | 'remote'> {
  if (SCHEME.test(href)) {
    if (!href.toLowerCase().startsWith('file:')) return 'remote';
    const absolute = fileURLToPath(href);
    return { display: absolute, absolute };
  }
  const local = stripQueryAndFragment(href);
  let decoded = local;
  try {
    decoded = decodeURI(local);
  } catch {
    // keep it as written
  }
  if (isAbsolute(decoded)) return { display: decoded, absolute: decoded };
  return {
    display: join(dirname(current.display), decoded),
    absolute: resolve(dirname(current.absolute), decoded),
  };
}

function stripQueryAndFragment(href: string): string {
  const cut = href.search(/[?#]/);
  return cut === -1 ? href : href.slice(0, cut);
}

function isOutside(rootFolder: string, target: string): boolean {
  const rel = relative(rootFolder, target);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel);
}

type Loaded =
  | { value: JsonObject; dropped: readonly string[] }
  | { error: string; code: 'SCM_INPUT_NOT_FOUND' | 'SCM_INPUT_PARSE' | 'SCM_INPUT_UNSUPPORTED' };

async function loadObject(file: PendingFile, maxFileBytes: number): Promise<Loaded> {
  const from = file.via ? ` (${file.via.rel} link "${file.via.href}" in ${file.via.file})` : '';
  let text: string;
  try {
    const handle = await open(file.absolute, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxFileBytes) {
        return {
          error: `${file.display}${from} is larger than ${maxFileBytes} bytes`,
          code: 'SCM_INPUT_PARSE',
        };
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const mapped = fileError(error, file.display);
    return {
      error: `${mapped.message}${from}`,
      code: mapped.code as Extract<Loaded, { code: string }>['code'],
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: ParsedJsonText;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    return {
      error: `${file.display}${from} is not valid JSON: ${errorMessage(error)}`,
      code: 'SCM_INPUT_PARSE',
    };
  }
  const { value, dropped } = parsed;
  if (!isPlainObject(value)) {
    return {
      error: `${file.display}${from} holds ${describeJson(value)}, expected a STAC object`,
      code: 'SCM_INPUT_PARSE',
    };
  }
  return { value: value as JsonObject, dropped };
}
