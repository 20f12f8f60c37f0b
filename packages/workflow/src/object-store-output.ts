import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import { isScmError, type Logger, noopLogger, ScmError } from '@scm/core';
import type { S3Location } from '@scm/object-store/url';

type Store = typeof import('@scm/object-store');
type Env = Readonly<Record<string, string | undefined>>;

/** Where an `s3://` output goes, and the local folder the pipeline writes into before it is published. */
interface ObjectStoreTarget {
  url: string;
  location: S3Location;
  store: Store;
  client: ReturnType<Store['createS3Client']>;
  /** `$SCM_WORK_DIR/s3/<bucket>/<prefix>` (default under the system's temporary folder). */
  workDir: string;
}

/** Loads the publisher (and the AWS SDK) only when an output is in object storage. */
async function openTarget(url: string, env: Env | undefined): Promise<ObjectStoreTarget> {
  const store = await import('@scm/object-store');
  const location = store.parseS3Url(url);
  const environment = env ?? process.env;
  const base = environment.SCM_WORK_DIR || join(tmpdir(), 'stac-catalog-manager');
  const segments = location.prefix.split('/').filter(Boolean);
  const workDir = join(base, 's3', location.bucket, ...segments);
  return { url, location, store, client: store.createS3Client(environment), workDir };
}

function within(location: S3Location, path: string): S3Location {
  return { bucket: location.bucket, prefix: location.prefix ? `${location.prefix}/${path}` : path };
}

/** What the object-store wrappers need of a run's options. */
interface RemoteRunOptions {
  env?: Env | undefined;
  /** How the finished catalog is published: in place (default) or as a snapshot under `runs/<run id>/`. */
  publish?: 'in_place' | 'snapshot' | undefined;
  dryRun?: boolean | undefined;
  overwrite?: boolean | undefined;
  logger?: Logger | undefined;
}

/**
 * Runs a full rebuild whose `output.path` is `s3://bucket/prefix`: the prefix
 * is checked first (a foreign one is refused without `overwrite`), the
 * pipeline writes into a local work folder as it would into any output
 * folder, then the folder is published (`publishFolder`: changed objects
 * only, the root `catalog.json` last, stale objects deleted after) and removed.
 * Incremental and targeted modes need the previous catalog on disk and are
 * refused (`SCM_USAGE`).
 */
export async function rebuildToObjectStore<R extends { outputDir: string }>(
  config: WorkflowConfig,
  options: RemoteRunOptions & { mode: string },
  rebuild: (config: WorkflowConfig, options: { overwrite: boolean }) => Promise<R>,
): Promise<R> {
  const url = config.output.path;
  if (options.mode !== 'full') {
    throw new ScmError(
      'SCM_USAGE',
      `--mode ${options.mode} needs the previous catalog in a local folder; an s3:// output (${url}) is rebuilt with --mode full, which uploads only the objects that changed`,
    );
  }
  assertSnapshotPublishable(config.output.publish, config.output.base_url);
  const target = await openTarget(url, options.env);
  const overwrite = options.overwrite ?? false;
  if (!options.dryRun) await target.store.assertPublishable(target.client, target.location, { overwrite });
  // The work folder is this tool's own scratch space: what a killed run left there may be replaced.
  const result = await rebuild(withPath(config, target.workDir), { overwrite: true });
  if (options.dryRun) return { ...result, outputDir: url };
  await publish(target, target.workDir, target.location, {
    overwrite,
    logger: options.logger,
    snapshot: config.output.publish === 'snapshot',
  });
  await rm(target.workDir, { recursive: true, force: true });
  return { ...result, outputDir: url };
}

function withPath(config: WorkflowConfig, path: string): WorkflowConfig {
  return { ...config, output: { ...config.output, path } };
}

/** A snapshot's root links into `runs/<run id>/`: absolute links (`output.base_url`) cannot follow it. */
function assertSnapshotPublishable(publish: string | undefined, baseUrl: string | undefined): void {
  if (publish === 'snapshot' && baseUrl) {
    throw new ScmError(
      'SCM_CONFIG_INVALID',
      'output.publish: snapshot needs a self-contained catalog (relative links); remove output.base_url or publish in_place',
      { location: { path: 'output.publish' } },
    );
  }
}

async function publish(
  target: ObjectStoreTarget,
  dir: string,
  location: S3Location,
  options: {
    overwrite: boolean;
    logger?: Logger | undefined;
    keep?: string[];
    last?: string[];
    snapshot?: boolean;
  },
): Promise<void> {
  const settings = {
    client: target.client,
    dir,
    location,
    overwrite: options.overwrite,
    logger: (options.logger ?? noopLogger).child('object-store'),
    ...(options.keep ? { keep: options.keep } : {}),
    ...(options.last ? { last: options.last } : {}),
  };
  if (options.snapshot) await target.store.publishSnapshot(settings);
  else await target.store.publishFolder(settings);
}

/**
 * Runs shard `index` of a rebuild whose output is in object storage: the
 * shard writes its parts into the local work folder (its checkpoint stays
 * there, for `--resume` on the same machine), then uploads its folder to
 * `<prefix>/shards/<index>/` with `shard.json` last, so `merge-shards` never
 * sees a finished shard whose parts are missing. The remote `shard.json` is
 * deleted before the run, as a local run removes its own.
 */
export async function rebuildShardToObjectStore<R extends { outputDir: string }>(
  config: WorkflowConfig,
  options: RemoteRunOptions & { index: number; shardsDir: string; manifest: string },
  rebuild: (config: WorkflowConfig, options: { overwrite: boolean }) => Promise<R>,
): Promise<R> {
  const target = await openTarget(config.output.path, options.env);
  const relative = `${options.shardsDir}/${options.index}`;
  const location = within(target.location, relative);
  const overwrite = options.overwrite ?? false;
  if (!options.dryRun) {
    await target.store.assertPublishable(target.client, location, { overwrite });
    await target.store.deleteObjects(target.client, location, [options.manifest]);
  }
  const result = await rebuild(withPath(config, target.workDir), { overwrite: true });
  const outputDir = target.store.s3Url(location);
  if (options.dryRun) return { ...result, outputDir };
  const local = join(target.workDir, options.shardsDir, String(options.index));
  await publish(target, local, location, { overwrite, logger: options.logger, last: [options.manifest] });
  await rm(local, { recursive: true, force: true });
  return { ...result, outputDir };
}

/**
 * Runs `merge-shards` on an output in object storage: the shards' folders
 * (`<prefix>/shards/`) are downloaded into a fresh local folder, merged there,
 * and the merged catalog is published to the prefix with `shards/` left as it
 * is. Errors that name the local folder name the `s3://` URL instead.
 */
export async function mergeToObjectStore<R extends { outputDir: string }>(
  url: string,
  options: RemoteRunOptions & { shardsDir: string },
  merge: (outputPath: string, options: { overwrite: boolean }) => Promise<R>,
): Promise<R> {
  const target = await openTarget(url, options.env);
  const overwrite = options.overwrite ?? false;
  const keep = [`${options.shardsDir}/`];
  if (!options.dryRun)
    await target.store.assertPublishable(target.client, target.location, { overwrite, keep });
  const dir = await mkdtemp(join(tmpdir(), 'scm-merge-'));
  try {
    const shards = join(dir, options.shardsDir);
    await mkdir(shards);
    await target.store.downloadPrefix(target.client, within(target.location, options.shardsDir), shards);
    const result = await merge(dir, { overwrite: true }).catch((error: unknown) => {
      if (isScmError(error)) error.message = error.message.replaceAll(dir, url.replace(/\/+$/, ''));
      throw error;
    });
    if (!options.dryRun)
      await publish(target, dir, target.location, {
        overwrite,
        logger: options.logger,
        keep,
        snapshot: options.publish === 'snapshot',
      });
    return { ...result, outputDir: url };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
