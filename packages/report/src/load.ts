import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileSystemError, readLines, ScmError } from '@scm/core';
import { type FailureDigest, digestFailuresFile, emptyFailureDigest } from './failures.js';
import { RUN_RECORD_FILE, type RunRecord } from './record.js';

/** A collection as the report shows it: its id, title and spatial extent boxes. */
export interface CollectionInfo {
  id: string;
  title?: string;
  /** `[west, south, east, north]` boxes; west > east crosses the antimeridian. */
  bboxes: number[][];
}

/** Everything one report shows, gathered from what a run left. */
export interface ReportData {
  /** The run's `summary.json`, as written (fields a version lacks are simply absent). */
  summary: Record<string, unknown>;
  failures: FailureDigest;
  /** The run's {@link RunRecord}, when it wrote one. */
  record?: RunRecord;
  collections: CollectionInfo[];
  /** RFC 3339 time the report was made. */
  generated_at: string;
}

/** Where the files of one run are: a folder output, or the side files of a single-file output. */
export interface RunFiles {
  /** `run`: a summary and its side files; `validation`: a `validate --output-report` file. */
  kind: 'run' | 'validation';
  /** The summary, or the validation report. */
  summary: string;
  failures: string;
  record: string;
  /** Where `report.html` goes. */
  report: string;
  /** Folder that the summary's relative `outputs` are relative to. */
  dir: string;
}

const SUMMARY = 'summary.json';

/**
 * The files of the run at `input`: a folder holding `summary.json`, a
 * `<stem>.summary.json` side file (the report is then `<stem>.report.html`),
 * or a `validate --output-report` file `<stem>.json` (report `<stem>.report.html`).
 */
export async function locateRunFiles(input: string, failuresName = 'failed_items.ndjson'): Promise<RunFiles> {
  const info = await stat(input).catch((error: unknown) => {
    throw fileSystemError(error, input, 'read');
  });
  if (info.isDirectory()) {
    const at = (name: string) => join(input, name);
    return {
      kind: 'run',
      summary: at(SUMMARY),
      failures: at(failuresName),
      record: at(RUN_RECORD_FILE),
      report: at('report.html'),
      dir: input,
    };
  }
  const name = basename(input);
  if (!name.endsWith(SUMMARY)) {
    if (!name.endsWith('.json')) {
      throw new ScmError(
        'SCM_USAGE',
        `report: ${input} is neither an output folder, a *summary.json file nor a validate report (.json)`,
      );
    }
    const stem = join(dirname(input), name.slice(0, -'.json'.length));
    return {
      kind: 'validation',
      summary: input,
      failures: `${stem}.none`,
      // What `validate` recorded: the stage and its rate over time, the footprints of invalid Items.
      record: `${stem}.${RUN_RECORD_FILE}`,
      report: `${stem}.report.html`,
      dir: dirname(input),
    };
  }
  const prefix = join(dirname(input), name.slice(0, -SUMMARY.length));
  return {
    kind: 'run',
    summary: input,
    failures: `${prefix}${failuresName}`,
    record: `${prefix}${RUN_RECORD_FILE}`,
    report: `${prefix}report.html`,
    dir: dirname(input),
  };
}

async function readJsonIfThere(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw fileSystemError(error, path, 'read');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScmError('SCM_INPUT_PARSE', `${path}: not JSON (${(error as Error).message})`);
  }
}

const isBox = (b: unknown): b is number[] =>
  Array.isArray(b) && (b.length === 4 || b.length === 6) && b.every((n) => typeof n === 'number');

/** A collection's id, title and extent boxes, or undefined when `value` is not a collection. */
export function collectionInfo(value: unknown): CollectionInfo | undefined {
  const c = value as {
    type?: unknown;
    id?: unknown;
    title?: unknown;
    extent?: { spatial?: { bbox?: unknown } };
  };
  if (typeof c !== 'object' || c === null || c.type !== 'Collection' || typeof c.id !== 'string')
    return undefined;
  const raw = c.extent?.spatial?.bbox;
  const boxes = Array.isArray(raw) ? raw.filter(isBox) : [];
  // 6-number boxes carry heights; the map needs the four corners.
  const bboxes = boxes.map((b) => (b.length === 6 ? [b[0], b[1], b[3], b[4]] : b) as number[]);
  return { id: c.id, ...(typeof c.title === 'string' ? { title: c.title } : {}), bboxes };
}

async function collectionsFromNdjson(path: string, into: Map<string, CollectionInfo>): Promise<void> {
  for await (const { text } of readLines(createReadStream(path))) {
    if (into.size >= 1000) return;
    try {
      const info = collectionInfo(JSON.parse(text));
      if (info && !into.has(info.id)) into.set(info.id, info);
    } catch {
      // A broken line is the failures file's business, not the report's.
    }
  }
}

/** Collections named by the summary's outputs (`*collection.json`, `collections.ndjson`), at most 1000. */
async function loadCollections(files: RunFiles, outputs: unknown): Promise<CollectionInfo[]> {
  const found = new Map<string, CollectionInfo>();
  const list = Array.isArray(outputs) ? outputs.filter((o): o is string => typeof o === 'string') : [];
  for (const output of list) {
    const path = output.startsWith('/') ? output : join(files.dir, output);
    if (output.endsWith('collections.ndjson')) {
      await collectionsFromNdjson(path, found).catch(() => undefined);
    } else if (output.endsWith('collection.json') && found.size < 1000) {
      const info = collectionInfo(await readJsonIfThere(path).catch(() => undefined));
      if (info && !found.has(info.id)) found.set(info.id, info);
    }
  }
  return [...found.values()];
}

/**
 * Gathers what a run left into {@link ReportData}: its summary (required),
 * the failures file, the run record and the collections it wrote, each
 * optional. Reads no item file, so it is quick whatever the run's size.
 */
export async function loadReportData(files: RunFiles, now: Date = new Date()): Promise<ReportData> {
  const summary = await readJsonIfThere(files.summary);
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) {
    throw new ScmError('SCM_INPUT_NOT_FOUND', `report: no run summary at ${files.summary}`);
  }
  const failuresThere = await stat(files.failures).then(
    (s) => s.isFile(),
    () => false,
  );
  const failures = failuresThere ? await digestFailuresFile(files.failures) : emptyFailureDigest();
  const record = (await readJsonIfThere(files.record)) as RunRecord | undefined;
  const collections = await loadCollections(files, (summary as { outputs?: unknown }).outputs);
  const data: ReportData = {
    summary: summary as Record<string, unknown>,
    failures,
    collections,
    generated_at: now.toISOString(),
  };
  if (record && typeof record === 'object') data.record = record;
  return data;
}
