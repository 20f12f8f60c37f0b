import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Failure,
  isFailure,
  type Logger,
  type HttpStats,
  noopProgress,
  type Progress,
  type SourceRecord,
  type StacCollection,
  type StacItem,
} from '@scm/core';
import type { ScmHttpClient } from '@scm/http';
import { type Harvest, type HarvestOptions, harvest, loadCheckpoint } from '@scm/ingest';
import { readNdjson } from '@scm/input';
import { writeJsonAtomic } from '@scm/output-json';

/** HTTP settings of a harvest, from `processing.*` and the command line. */
export interface ApiClientSettings {
  /** Requests in flight at once (`processing.concurrency`, `--concurrency`). */
  concurrency: number;
  /** Requests per second per host (`processing.rate_limit`, `--rate-limit`); 0 for no limit. */
  rateLimit: number;
  /** Attempts per request, the first included (`processing.retry_max_attempts`, `--max-attempts`). */
  maxAttempts: number;
  /** Per-attempt timeout in seconds (`processing.timeout_s`, `--timeout`). */
  timeoutS: number;
  /** Backoff base in seconds (`processing.backoff_base`). Default 0.5. */
  backoffBaseS?: number;
  /** Headers for every request (`source.headers`, already resolved from `${ENV}`). */
  headers?: Record<string, string>;
  /** Environment for Earthdata Login (`EARTHDATA_TOKEN`, or `EARTHDATA_USERNAME`/`EARTHDATA_PASSWORD`). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

/**
 * The HTTP client of a harvest, with an Earthdata Login bearer token when the environment has one.
 * `@scm/http` (undici) is loaded here, on first use, so that the commands that never talk to an API
 * (validate, output, update-metadata) start without it.
 */
export async function createApiClient(settings: ApiClientSettings): Promise<ScmHttpClient> {
  const { createHttpClient, earthdataTokenProvider } = await import('@scm/http');
  const bearerToken = earthdataTokenProvider(settings.env ? { env: settings.env } : {});
  return createHttpClient({
    concurrency: settings.concurrency,
    requestsPerSecond: settings.rateLimit,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutS * 1000,
    backoff: { baseMs: (settings.backoffBaseS ?? 0.5) * 1000, maxMs: 30_000 },
    ...(settings.headers ? { headers: settings.headers } : {}),
    ...(bearerToken ? { bearerToken } : {}),
    ...(settings.logger ? { logger: settings.logger } : {}),
  });
}

/** Where a checkpointed harvest keeps its state: the items written so far and the checkpoint. */
export interface HarvestStateDir {
  dir: string;
  items: string;
  checkpoint: string;
}

/** The state folder of a harvest writing to `target`: `.<name>.harvest` beside it. */
export function harvestStateDir(parent: string, name: string): HarvestStateDir {
  const dir = join(parent, `.${name}.harvest`);
  return { dir, items: join(dir, 'items.ndjson'), checkpoint: join(dir, 'checkpoint.json') };
}

/** Options of {@link checkpointedHarvest}. */
export interface CheckpointedHarvestOptions extends Omit<HarvestOptions, 'resume'> {
  /** State folder (items and checkpoint). */
  state: HarvestStateDir;
  /** Continue the harvest whose checkpoint is in the state folder (default false: start afresh). */
  resume?: boolean;
  /** Stop after this many items. */
  maxItems?: number;
  progress?: Progress;
}

/** Entries a checkpointed harvest yields: items (with origin), collections, and failures. */
export type HarvestEntry = SourceRecord<StacItem | StacCollection> | Failure;

/** What a finished harvest tells the summary. */
export interface HarvestReport {
  /** Items written in this harvest (replayed ones included). */
  items: number;
  /** Windows that stopped on a failure, as `collection start/end (note)`. */
  incomplete: string[];
  /** Lines for `summary.notes`: repairs, loop guards, incomplete windows, HTTP counters. */
  notes: string[];
}

async function appendPage(handle: FileHandle, items: StacItem[], bytes: number): Promise<number> {
  if (items.length === 0) return bytes;
  const text = `${items.map((i) => JSON.stringify(i)).join('\n')}\n`;
  const buffer = Buffer.from(text, 'utf8');
  await handle.write(buffer, 0, buffer.length, bytes);
  return bytes + buffer.length;
}

/**
 * Runs a harvest whose every page is appended to `items.ndjson` in the state
 * folder before its checkpoint (the window's next link and the file's length)
 * is replaced atomically. A resumed run cuts the file back to the checkpointed
 * length, replays it, and continues each window from its next link: a killed
 * run loses no item and repeats none. Yields the items as they are written,
 * collections as they are read, and failures.
 */
export async function* checkpointedHarvest(
  options: CheckpointedHarvestOptions,
  report: HarvestReport,
): AsyncGenerator<HarvestEntry> {
  const { state, resume, ...harvestOptions } = options;
  const checkpoint = resume ? await loadCheckpoint(state.checkpoint) : undefined;
  if (!checkpoint) {
    await rm(state.dir, { recursive: true, force: true });
    await mkdir(state.dir, { recursive: true });
  }
  const run = harvest({ ...harvestOptions, ...(checkpoint ? { resume: checkpoint } : {}) });
  let bytes = checkpoint ? Number(checkpoint.output?.bytes ?? 0) : 0;
  const handle = await open(state.items, checkpoint ? 'r+' : 'w');
  try {
    await handle.truncate(bytes);
    if (checkpoint) yield* replay(state.items, report, options);
    const progress = options.progress ?? noopProgress;
    let started = false;
    let pages = 0;
    for await (const event of run) {
      if (event.type === 'collection') yield { value: event.collection, origin: {} };
      if (event.type === 'failure') {
        progress.failed?.();
        yield event.failure;
      }
      let items: StacItem[] = [];
      if (event.type === 'page') {
        const room = options.maxItems === undefined ? Infinity : options.maxItems - report.items;
        items = event.items.slice(0, Math.max(0, room));
        bytes = await appendPage(handle, items, bytes);
      }
      run.state.apply(event);
      if (event.type !== 'collection')
        await writeJsonAtomic(state.checkpoint, run.state.snapshot({ bytes }), { pretty: false });
      for (const [index, item] of items.entries()) {
        report.items += 1;
        yield { value: item, origin: { url: (event as { url: string }).url, index } };
      }
      if (event.type === 'page') {
        if (!started) progress.start('items', run.expectedItems());
        started = true;
        pages += 1;
        const stats = options.client.stats?.();
        progress.status?.(harvestStatus(pages, stats));
        progress.counters?.(harvestCounters(pages, stats));
        progress.tick(items.length);
        reportPosition(progress, run, report.items);
      }
      if (options.maxItems !== undefined && report.items >= options.maxItems) break;
    }
    progress.done();
  } finally {
    await handle.close();
  }
  finishReport(run, report, options.client);
}

/**
 * A harvest's status line: `40 pages, 52 requests, 12 retries, 429 ×9, 5xx ×3` (the throttling and
 * server errors only when there were some).
 */
function harvestStatus(pages: number, stats: HttpStats | undefined): string {
  if (!stats) return `${pages} pages`;
  const counters = harvestCounters(pages, stats);
  return [
    `${pages} pages`,
    `${stats.requests} requests`,
    `${stats.retries} retries`,
    ...(counters['HTTP 429'] ? [`429 ×${counters['HTTP 429']}`] : []),
    ...(counters['HTTP 5xx'] ? [`5xx ×${counters['HTTP 5xx']}`] : []),
  ].join(', ');
}

/** A harvest's running totals for the report's chart over time: pages, requests, retries, 429 and 5xx responses. */
function harvestCounters(pages: number, stats: HttpStats | undefined): Record<string, number> {
  if (!stats) return { pages };
  const serverErrors = Object.entries(stats.byStatus)
    .filter(([code]) => code.startsWith('5'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    pages,
    requests: stats.requests,
    retries: stats.retries,
    'HTTP 429': stats.byStatus['429'] ?? 0,
    'HTTP 5xx': serverErrors,
  };
}

/**
 * Where the harvest stands for an ETA: items of what the servers said match, or, when none says, the
 * windows ended of those planned so far.
 */
function reportPosition(progress: Progress, run: Harvest, items: number): void {
  const expected = run.expectedItems();
  if (expected !== undefined && expected > 0) {
    progress.position?.(Math.min(items, expected), Math.max(items, expected), 'items');
    return;
  }
  const windows = run.state.windowCounts();
  if (windows.planned > 0) progress.position?.(windows.ended, windows.planned, 'windows');
}

async function* replay(
  path: string,
  report: HarvestReport,
  options: CheckpointedHarvestOptions,
): AsyncGenerator<HarvestEntry> {
  for await (const entry of readNdjson(path, options.signal ? { signal: options.signal } : {})) {
    if (isFailure(entry)) continue;
    report.items += 1;
    yield { value: entry.value as unknown as StacItem, origin: { file: path, ...entry.origin } };
  }
}

function finishReport(run: Harvest, report: HarvestReport, client: HarvestOptions['client']): void {
  for (const window of run.state.incomplete()) {
    report.incomplete.push(`${window.id} (${window.note ?? 'failed'})`);
  }
  const fixes = Object.entries(run.fixes());
  if (fixes.length > 0) {
    report.notes.push(`items repaired: ${fixes.map(([fix, n]) => `${fix} ${n}`).join(', ')}`);
  }
  const loops = run.state.snapshot().windows.filter((w) => w.status === 'done' && w.note);
  for (const window of loops) report.notes.push(`${window.id}: ${window.note}`);
  for (const line of report.incomplete) report.notes.push(`incomplete window: ${line}`);
  const stats = client.stats?.();
  if (stats) {
    report.notes.push(
      `http: ${stats.requests} requests, ${stats.retries} retries${
        Object.keys(stats.retriesByReason).length > 0
          ? ` (${Object.entries(stats.retriesByReason)
              .map(([reason, n]) => `${reason} ${n}`)
              .join(', ')})`
          : ''
      }`,
    );
  }
}
