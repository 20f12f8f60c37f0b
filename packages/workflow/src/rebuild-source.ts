import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import {
  type Failure,
  type Logger,
  noopLogger,
  type Progress,
  ScmError,
  type SourceRecord,
  type SummaryCounter,
} from '@scm/core';
import { parseIsoDateTime } from '@scm/core/time';
import { discoverCollections } from '@scm/discovery';
import type { ScmHttpClient } from '@scm/http';
import { type OpenSourceOptions, openSource } from '@scm/input';
import { chooseApiStrategy, noteHarvested, type ServerDelta } from './incremental-strategy.js';
import type { Delta } from './rebuild-incremental.js';
import { checkpointedHarvest, createApiClient, type HarvestReport, harvestStateDir } from './harvest-run.js';
import { type ShardRun, seedShardHarvest, shardLocalPaths } from './shard-source.js';

/** What a rebuild's source needs besides the config. */
export interface RebuildSourceOptions {
  /** Continue a killed `stac_api` harvest from its checkpoint. */
  resume: boolean;
  /** Write nothing beside the output: the harvest state goes to a temporary folder. */
  dryRun?: boolean;
  /** Environment (Earthdata Login variables). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  signal?: AbortSignal | undefined;
  /** Told about each local file opened and each empty input (debug logs, `no records in …` notes). */
  sourceHooks?: Pick<OpenSourceOptions, 'onWarning' | 'onFileOpened'>;
  /** Read only the partitions of this shard (see shard-plan.ts); its plan is recorded on it. */
  shard?: ShardRun | undefined;
  /** The run's delta: an incremental run may ask a STAC API for changed items only (incremental-strategy.ts). */
  delta?: Delta | undefined;
  /**
   * The rebuild's progress, told where the source stands (bytes of the local files read so far; a
   * harvest's items of `numberMatched`, or its windows ended) and a harvest's pages and retries.
   */
  progress?: Progress;
}

/** The part of a rebuild's progress its source drives: position and status, not the stage or its count. */
function sourceProgress(progress: Progress | undefined): Progress {
  return {
    start() {},
    tick() {},
    done() {},
    status: (text) => progress?.status?.(text),
    counters: (values) => progress?.counters?.(values),
    position: (done, total, unit) => progress?.position?.(done, total, unit),
  };
}

/** `source.filters.temporal` as a STAC API `datetime` interval; a date alone covers its whole UTC day. */
export function temporalFilter(config: WorkflowConfig): string | undefined {
  const temporal = config.source.filters?.temporal;
  if (!temporal?.start_date && !temporal?.end_date) return undefined;
  const dateOnly = (v: string) => parseIsoDateTime(v)?.precision === 'day';
  const start = temporal.start_date
    ? `${temporal.start_date}${dateOnly(temporal.start_date) ? 'T00:00:00Z' : ''}`
    : '..';
  const end = temporal.end_date
    ? `${temporal.end_date}${dateOnly(temporal.end_date) ? 'T23:59:59.999Z' : ''}`
    : '..';
  return `${start}/${end}`;
}

/** The records of a `local_files` source (all its files, or a shard's file groups only), the bytes read told to the progress. */
async function* localRecords(
  config: WorkflowConfig,
  options: RebuildSourceOptions,
): AsyncGenerator<SourceRecord | Failure> {
  const { source } = config;
  const all = source.paths ?? [];
  const paths = options.shard ? await shardLocalPaths(all, source.format ?? 'auto', options.shard) : all;
  // A shard that no file group hashed to has nothing to read; it still finishes (and writes shard.json).
  if (options.shard && paths.length === 0) return;
  const files = openSource({
    paths,
    format: source.format ?? 'auto',
    ...options.sourceHooks,
    onBytesRead: (read, total) => options.progress?.position?.(read, total, 'bytes'),
  });
  yield* files.records({ signal: options.signal });
}

/** The HTTP client of a harvest, set from `processing` and `source.headers`. */
function openHarvestClient(
  config: WorkflowConfig,
  env: Record<string, string | undefined> | undefined,
  logger: Logger,
): Promise<ScmHttpClient> {
  return createApiClient({
    concurrency: config.processing.concurrency,
    rateLimit: config.processing.rate_limit,
    maxAttempts: config.processing.retry_max_attempts + 1,
    timeoutS: config.processing.timeout_s,
    ...(config.source.headers ? { headers: config.source.headers } : {}),
    ...(env ? { env } : {}),
    logger,
  });
}

/** Where a harvest keeps its checkpoints: beside the output folder, or in a temporary folder for a dry run. */
function harvestState(config: WorkflowConfig, dryRun: boolean): ReturnType<typeof harvestStateDir> {
  const name = basename(config.output.path);
  return dryRun
    ? harvestStateDir(tmpdir(), `${name}.${process.pid}`)
    : harvestStateDir(dirname(config.output.path), name);
}

/**
 * Closes the harvest's client, or, while the ids listing of an incremental run (which shares it) is still
 * running, chains the close to it: the run goes on and settling its deletes waits for both.
 */
async function closeHarvestClient(
  client: { close(): Promise<void> },
  delta: Delta | undefined,
): Promise<void> {
  const server = delta?.server;
  if (!server?.listing) return client.close();
  server.listing = server.listing.finally(() => client.close().catch(() => undefined));
}
/**
 * The records of a rebuild: local files, or the items and collections of a
 * STAC API harvested with checkpoints (state in `.<output>.harvest` beside the
 * output folder, removed once a harvest is complete). HTTP settings come from
 * `processing` (`retry_max_attempts` counts retries, so attempts are one more)
 * and `source.headers`.
 */
export async function* rebuildRecords(
  config: WorkflowConfig,
  counter: SummaryCounter,
  options: RebuildSourceOptions,
): AsyncGenerator<SourceRecord | Failure> {
  const { source } = config;
  if (source.type === 'local_files') {
    yield* localRecords(config, options);
    return;
  }
  if (source.type !== 'stac_api' || !source.catalog_url) {
    throw new ScmError(
      'SCM_NOT_IMPLEMENTED',
      `source type "${source.type}" is not available in this version yet`,
    );
  }
  const logger = options.logger ?? noopLogger;
  const client = await openHarvestClient(config, options.env, logger);
  const state = harvestState(config, options.dryRun ?? false);
  const report: HarvestReport = { items: 0, incomplete: [], notes: [] };
  const datetime = temporalFilter(config);
  const bbox = source.filters?.spatial?.bbox;
  try {
    const collections = await collectionIds(config, client, logger, options.signal);
    const { catalog_url: catalogUrl } = source;
    const filters = { ...(datetime ? { datetime } : {}), ...(bbox ? { bbox } : {}) };
    const narrowing = await narrowHarvest(config, options, { client, catalogUrl, collections, filters });
    const shard = options.shard;
    const resume = shard
      ? await seedShardHarvest({
          harvest: { catalogUrl, collections, ...filters },
          client,
          state,
          shard,
          resume: options.resume,
          signal: options.signal,
        })
      : options.resume;
    const harvested = checkpointedHarvest(
      {
        client,
        catalogUrl,
        collections,
        state,
        resume,
        concurrency: config.processing.concurrency,
        ...filters,
        ...(Object.keys(narrowing.updatedSince).length > 0 ? narrowing : {}),
        ...(source.limit ? { limit: source.limit } : {}),
        ...(source.max_items ? { maxItems: source.max_items } : {}),
        logger,
        progress: sourceProgress(options.progress),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      report,
    );
    yield* toldToDelta(harvested, options.delta?.server, report);
  } finally {
    await closeHarvestClient(client, options.delta);
  }
  counter.notes.push(...report.notes);
  if (report.incomplete.length === 0 || options.dryRun) await rm(state.dir, { recursive: true, force: true });
  else
    counter.notes.push(
      `harvest state kept in ${state.dir}: rebuild with --resume to retry the incomplete windows`,
    );
}

/** An incremental run's choice of what to ask the API for (`updatedSince` per collection; none otherwise). */
async function narrowHarvest(
  config: WorkflowConfig,
  options: RebuildSourceOptions,
  harvest: {
    client: ScmHttpClient;
    catalogUrl: string;
    collections: string[];
    filters: { datetime?: string; bbox?: number[] };
  },
): Promise<{ updatedSince: Record<string, string>; filterLang?: 'cql2-json' | 'cql2-text' }> {
  if (!options.delta) return { updatedSince: {} };
  const { client, catalogUrl, collections, filters } = harvest;
  return chooseApiStrategy(options.delta, {
    config,
    client,
    catalogUrl,
    collections,
    harvest: {
      ...filters,
      concurrency: config.processing.concurrency,
      ...(config.source.limit ? { limit: config.source.limit } : {}),
    },
    signal: options.signal,
  });
}

/** Passes a harvest's records on, telling an incremental run's server delta each one and the harvest's end. */
async function* toldToDelta(
  records: AsyncIterable<SourceRecord | Failure>,
  server: ServerDelta | undefined,
  report: HarvestReport,
): AsyncGenerator<SourceRecord | Failure> {
  for await (const record of records) {
    if (server) noteHarvested(server, record);
    yield record;
  }
  server?.harvestRead?.(report.incomplete.length === 0);
}

/** The collection ids to harvest: the listed ones, with wildcards (or an empty list) resolved by discovery. */
async function collectionIds(
  config: WorkflowConfig,
  client: ScmHttpClient,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const listed = config.source.collections ?? [];
  if (listed.length > 0 && listed.every((id) => !id.includes('*'))) return listed;
  const result = await discoverCollections({
    url: config.source.catalog_url as string,
    http: client,
    ...(listed.length > 0 ? { ids: listed } : {}),
    logger,
    ...(signal ? { signal } : {}),
  });
  return [...new Set(result.collections.map((c) => c.id))];
}
