import type { S3Client } from '@aws-sdk/client-s3';
import { type Logger, noopLogger, ScmError } from '@scm/core';
import { expectedEtag, type LocalFile, listLocalFiles } from './files.js';
import type { S3Location } from './location.js';
import { s3Url } from './location.js';
import { deleteObjects, listObjects, putFile, type RemoteObject } from './store.js';

/** The file that marks a folder, or a prefix, as written by stac-catalog-manager. */
export const OUTPUT_MARKER = '.stac-catalog-manager.json';

/** The default part size of multipart uploads, and the size above which they are used: 16 MiB. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

/** Which objects under the prefix a publish may replace. */
export interface PublishTargetOptions {
  /** Replace objects under a prefix that holds no marker (CLI `--overwrite`). Default false. */
  overwrite?: boolean;
  /**
   * Relative path prefixes (such as `shards/`) that the publish leaves alone:
   * neither uploaded, nor deleted, nor counted as foreign.
   */
  keep?: readonly string[];
}

/** Options of {@link publishFolder}. */
export interface PublishOptions extends PublishTargetOptions {
  client: S3Client;
  /** The finished folder to publish. */
  dir: string;
  location: S3Location;
  /** Uploaded last, in this order, once every other object is in place. Default `['catalog.json']`. */
  last?: readonly string[];
  /** Uploads at once. Default 8. */
  concurrency?: number;
  /** Multipart part size in bytes (at least 5 MiB, S3's minimum). Default {@link DEFAULT_PART_SIZE}. */
  partSize?: number;
  logger?: Logger;
}

/** What a publish did, by paths relative to the prefix. */
export interface PublishResult {
  /** Uploaded, in the order they were uploaded. */
  uploaded: string[];
  /** Already there with the same bytes (same ETag), not uploaded. */
  unchanged: string[];
  /** Deleted after the root switch: under the prefix before, not in the folder. */
  deleted: string[];
}

function kept(path: string, keep: readonly string[]): boolean {
  return keep.some((k) => path.startsWith(k));
}

/**
 * Refuses a prefix that holds objects (outside `keep`) but no marker, unless
 * `overwrite`: a mistyped output URL must never replace someone's data.
 * Returns the objects found, for the publish to compare against.
 *
 * @throws ScmError `SCM_OUTPUT_EXISTS` naming the prefix.
 */
export async function assertPublishable(
  client: S3Client,
  location: S3Location,
  options: PublishTargetOptions = {},
): Promise<RemoteObject[]> {
  const objects = await listObjects(client, location);
  const keep = options.keep ?? [];
  const ours = objects.some((o) => o.path === OUTPUT_MARKER);
  const foreign = objects.filter((o) => !kept(o.path, keep));
  if (foreign.length === 0 || ours || options.overwrite) return objects;
  throw new ScmError(
    'SCM_OUTPUT_EXISTS',
    `output prefix ${s3Url(location)} holds ${foreign.length} objects that stac-catalog-manager did not write (no ${OUTPUT_MARKER}), such as ${foreign[0]!.path}; choose an empty or new prefix, or pass --overwrite to replace them`,
    { location: { file: s3Url(location) } },
  );
}

/** Runs `work` on every item, `concurrency` at a time (module-internal: not exported from the package). */
export async function inPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The files whose bytes differ from the object of the same path (by ETag), and those that do not (by path).
 * Module-internal: not exported from the package.
 */
export async function compare(files: LocalFile[], remote: RemoteObject[], partSize: number) {
  const etags = new Map(remote.map((o) => [o.path, o]));
  const changed: LocalFile[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const there = etags.get(file.path);
    const same = there?.size === file.size && there.etag === (await expectedEtag(file, partSize));
    if (same) unchanged.push(file.path);
    else changed.push(file);
  }
  return { changed, unchanged };
}

/**
 * Publishes a finished catalog folder to `s3://bucket/prefix/`, in place, in
 * an order that keeps what a reader can see consistent:
 *
 * 1. the prefix is checked ({@link assertPublishable}) and listed;
 * 2. the marker ({@link OUTPUT_MARKER}) goes first, so a publish that fails
 *    half-way leaves a prefix the next run recognises as its own;
 * 3. every changed object except the `last` ones (items, collections,
 *    NDJSON, Parquet, state, reports), `concurrency` at a time; objects
 *    whose ETag already matches the file's bytes are not uploaded again;
 * 4. the `last` ones (the root `catalog.json`), one after the other: from
 *    then on readers see the new catalog;
 * 5. objects the folder no longer has are deleted (outside `keep`).
 *
 * A failure stops the publish at once with `SCM_OUTPUT_WRITE` naming the
 * object; nothing is deleted then, and running it again uploads what is
 * still missing or different.
 */
export async function publishFolder(options: PublishOptions): Promise<PublishResult> {
  const { client, location } = options;
  const keep = options.keep ?? [];
  const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024);
  const last = options.last ?? ['catalog.json'];
  const logger = options.logger ?? noopLogger;
  const remote = await assertPublishable(client, location, options);
  const files = (await listLocalFiles(options.dir)).filter((f) => !kept(f.path, keep));
  const { changed, unchanged } = await compare(files, remote, partSize);
  const rank = (f: LocalFile) => (f.path === OUTPUT_MARKER ? 0 : last.includes(f.path) ? 2 : 1);
  const uploaded: string[] = [];
  const upload = async (file: LocalFile) => {
    await putFile(client, location, file, partSize);
    uploaded.push(file.path);
  };
  for (const file of changed.filter((f) => rank(f) === 0)) await upload(file);
  await inPool(
    changed.filter((f) => rank(f) === 1),
    options.concurrency ?? 8,
    upload,
  );
  for (const path of last) {
    const file = changed.find((f) => f.path === path);
    if (file) await upload(file);
  }
  const local = new Set(files.map((f) => f.path));
  const deleted = remote.map((o) => o.path).filter((p) => !local.has(p) && !kept(p, keep));
  await deleteObjects(client, location, deleted);
  logger.info('published', {
    url: s3Url(location),
    uploaded: uploaded.length,
    unchanged: unchanged.length,
    deleted: deleted.length,
  });
  return { uploaded, unchanged, deleted };
}
