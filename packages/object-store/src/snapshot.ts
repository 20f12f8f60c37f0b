import { readFile } from 'node:fs/promises';
import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { noopLogger, ScmError } from '@scm/core';
import { listLocalFiles } from './files.js';
import { objectKey, type S3Location, s3Url } from './location.js';
import {
  assertPublishable,
  compare,
  DEFAULT_PART_SIZE,
  inPool,
  OUTPUT_MARKER,
  type PublishOptions,
} from './publish.js';
import { deleteObjects, objectStoreError, putFile, type RemoteObject } from './store.js';

/** The folder under the prefix that holds one snapshot per publish: `runs/<run id>/`. */
export const RUNS_DIR = 'runs';
/** Objects above this size cannot be copied in one request (S3's limit): they are uploaded again. */
const COPY_LIMIT = 5 * 1024 ** 3;

/** What a snapshot publish did, by paths relative to the prefix. */
export interface SnapshotResult {
  /** The run id: the snapshot is under `runs/<run>/`. */
  run: string;
  /** Uploaded into the snapshot (changed or new since the previous snapshot), then the root. */
  uploaded: string[];
  /** Copied inside the bucket from the previous snapshot (the same bytes, by ETag). */
  copied: string[];
  /** Deleted after the root switch: snapshots older than the previous one, and stray top-level objects. */
  deleted: string[];
}

/** A sortable run id from the clock: `20261206T035500123Z`. */
function newRunId(previous: string | undefined): string {
  const id = new Date().toISOString().replace(/[-:.]/g, '');
  return previous !== undefined && id <= previous ? `${previous}-1` : id;
}

/** The snapshots under the prefix, oldest first. */
function runsOf(remote: readonly RemoteObject[]): string[] {
  const runs = new Set<string>();
  for (const { path } of remote) {
    const [dir, run] = path.split('/');
    if (dir === RUNS_DIR && run) runs.add(run);
  }
  return [...runs].sort();
}

/**
 * The root catalog of a snapshot as readers fetch it from the prefix: its relative link hrefs lead into
 * `runs/<run>/`. An absolute `self` or link would not follow the snapshot, so such a catalog is refused.
 */
export function rootOfSnapshot(
  catalog: { links?: { href?: unknown; rel?: unknown }[] },
  run: string,
): unknown {
  const links = (catalog.links ?? []).map((link) => {
    const href = String(link.href ?? '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/')) {
      throw new ScmError(
        'SCM_CONFIG_INVALID',
        `a snapshot publish needs a self-contained catalog (relative links), but catalog.json links "${href}" (rel ${String(link.rel)}); remove output.base_url`,
      );
    }
    return { ...link, href: `./${RUNS_DIR}/${run}/${href.replace(/^\.\//, '')}` };
  });
  return { ...catalog, links };
}

async function copyObject(client: S3Client, location: S3Location, from: string, to: string): Promise<void> {
  const source = objectKey(location, from);
  await client
    .send(
      new CopyObjectCommand({
        Bucket: location.bucket,
        Key: objectKey(location, to),
        CopySource: encodeURI(`${location.bucket}/${source}`),
      }),
    )
    .catch((error: unknown) => {
      throw objectStoreError(error, s3Url(location, to), 'copy');
    });
}

/**
 * Publishes a finished catalog folder as a snapshot: every file goes under `<prefix>/runs/<run>/` (copied
 * inside the bucket from the previous snapshot when its bytes have not changed, uploaded otherwise); then
 * the root `<prefix>/catalog.json` is replaced by the snapshot's root with its links leading into
 * `runs/<run>/`. That one write switches readers from the previous catalog to the new one whole: until it,
 * they see the previous snapshot untouched; after it, only the new one. The previous snapshot is kept for
 * readers still walking it, older ones and top-level objects of an earlier in-place publish are deleted.
 * The catalog must be self-contained (no `output.base_url`). A failure stops before the root switch, so
 * readers keep the previous catalog; running it again makes a new snapshot.
 *
 * @throws ScmError `SCM_OUTPUT_EXISTS` for a prefix holding objects this tool did not write (without
 *   `overwrite`), `SCM_CONFIG_INVALID` for absolute links, `SCM_OUTPUT_WRITE` naming a failed object.
 */
export async function publishSnapshot(options: PublishOptions): Promise<SnapshotResult> {
  const { client, location } = options;
  const keep = options.keep ?? [];
  const partSize = Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024);
  const remote = await assertPublishable(client, location, options);
  const files = (await listLocalFiles(options.dir)).filter((f) => !keep.some((k) => f.path.startsWith(k)));
  const rootFile = files.find((f) => f.path === 'catalog.json');
  if (!rootFile)
    throw new ScmError('SCM_OUTPUT_WRITE', `${options.dir} has no catalog.json to publish as a snapshot`);
  const previous = runsOf(remote).at(-1);
  const run = newRunId(previous);
  // Checked before anything is written: a catalog with absolute links cannot be a snapshot.
  const root = JSON.stringify(rootOfSnapshot(JSON.parse(await readFile(rootFile.absolute, 'utf8')), run));
  const earlier = previous === undefined ? '' : `${RUNS_DIR}/${previous}/`;
  const before = remote
    .filter((o) => previous !== undefined && o.path.startsWith(earlier))
    .map((o) => ({ ...o, path: o.path.slice(earlier.length) }));
  // Objects above S3's single-request copy limit are uploaded again rather than copied.
  const { changed, unchanged } = await compare(
    files.filter((f) => f.size <= COPY_LIMIT),
    before,
    partSize,
  );
  const uploads = [...changed, ...files.filter((f) => f.size > COPY_LIMIT)];
  const result: SnapshotResult = { run, uploaded: [], copied: [], deleted: [] };
  const marker = files.find((f) => f.path === OUTPUT_MARKER);
  if (marker) await putFile(client, location, marker, partSize);
  const into = { bucket: location.bucket, prefix: objectKey(location, `${RUNS_DIR}/${run}`) };
  const concurrency = options.concurrency ?? 8;
  await inPool(unchanged, concurrency, async (path) => {
    await copyObject(client, location, `${earlier}${path}`, `${RUNS_DIR}/${run}/${path}`);
    result.copied.push(path);
  });
  await inPool(uploads, concurrency, async (file) => {
    await putFile(client, into, file, partSize);
    result.uploaded.push(file.path);
  });
  await putRoot(client, location, root);
  result.uploaded.push('catalog.json');
  result.deleted = staleObjects(remote, { run, previous, keep });
  await deleteObjects(client, location, result.deleted);
  (options.logger ?? noopLogger).info('published snapshot', {
    url: s3Url(location),
    run,
    uploaded: result.uploaded.length,
    copied: result.copied.length,
    deleted: result.deleted.length,
  });
  return result;
}

async function putRoot(client: S3Client, location: S3Location, text: string): Promise<void> {
  await client
    .send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: objectKey(location, 'catalog.json'),
        Body: text,
        ContentType: 'application/json',
      }),
    )
    .catch((error: unknown) => {
      throw objectStoreError(error, s3Url(location, 'catalog.json'), 'upload');
    });
}

/** What goes after the switch: snapshots before the previous one, and top-level objects but the root and marker. */
function staleObjects(
  remote: readonly RemoteObject[],
  runs: { run: string; previous: string | undefined; keep: readonly string[] },
): string[] {
  const kept = new Set([runs.run, runs.previous]);
  return remote
    .map((o) => o.path)
    .filter((path) => {
      if (path === 'catalog.json' || path === OUTPUT_MARKER) return false;
      if (runs.keep.some((k) => path.startsWith(k))) return false;
      const [dir, run] = path.split('/');
      return !(dir === RUNS_DIR && kept.has(run));
    });
}
