import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileSystemError, readLines, ScmError } from '@scm/core';
import { createFailureDigester, type FailureDigester } from './failures.js';
import type { ReportData } from './load.js';
import type { RunRecord } from './record.js';

type Entry = { file?: unknown; line?: unknown; id?: unknown; valid?: unknown; errors?: unknown };

/** A `validate` report entry that is invalid, as a failure record the digest understands. */
function asFailure(entry: Entry): unknown {
  const errors = Array.isArray(entry.errors)
    ? (entry.errors as { kind?: unknown; path?: unknown; message?: unknown }[])
    : [];
  const first = errors[0];
  const where =
    typeof entry.file === 'string'
      ? `${entry.file}${typeof entry.line === 'number' ? `:${entry.line}` : ''}`
      : '';
  return {
    item_id: typeof entry.id === 'string' ? entry.id : where,
    error_type: first?.kind === 'read' ? 'parse_error' : 'validation_error',
    error_message: first ? `${first.path || '/'}: ${String(first.message ?? '')}` : 'invalid',
    error_context: {
      step: first?.kind === 'read' ? 'read' : 'validate',
      ...(typeof entry.file === 'string' ? { file: entry.file } : {}),
      ...(typeof entry.line === 'number' ? { line: entry.line } : {}),
      details: errors.filter((e) => e.kind !== 'read'),
    },
  };
}

interface Tally {
  total: number;
  invalid: number;
  digester: FailureDigester;
}

function addEntry(tally: Tally, entry: Entry): void {
  tally.total += 1;
  if (entry.valid === false) {
    tally.invalid += 1;
    tally.digester.add(asFailure(entry));
  }
}

/** The report `validate` streams: one entry per line between `{"reports":[` and `],`. */
async function readStreamedReport(path: string, tally: Tally): Promise<boolean> {
  let streamed = false;
  for await (const { text } of readLines(createReadStream(path))) {
    if (text === '{"reports":[') streamed = true;
    if (!streamed || !text.startsWith('{"')) continue;
    const json = text.endsWith(',') ? text.slice(0, -1) : text;
    try {
      const entry = JSON.parse(json) as Entry;
      if (typeof entry.valid === 'boolean') addEntry(tally, entry);
    } catch {
      tally.digester.unreadable();
    }
  }
  return streamed;
}

/**
 * Report data for a `validate --output-report` file: each object is a
 * processed record, an invalid one a failure with its issues by kind. Reads
 * the streamed report line by line; the pretty-printed one of the
 * stac-validator engine is parsed whole.
 */
export async function loadValidationReportData(
  path: string,
  now: Date = new Date(),
  recordPath?: string,
): Promise<ReportData> {
  const tally: Tally = { total: 0, invalid: 0, digester: createFailureDigester() };
  try {
    if (!(await readStreamedReport(path, tally))) {
      const body = JSON.parse(await readFile(path, 'utf8')) as { reports?: Entry[] };
      if (!Array.isArray(body.reports))
        throw new ScmError('SCM_INPUT_PARSE', `${path}: not a validate report`);
      for (const entry of body.reports) addEntry(tally, entry);
    }
  } catch (error) {
    if (error instanceof ScmError) throw error;
    if (error instanceof SyntaxError)
      throw new ScmError('SCM_INPUT_PARSE', `${path}: not JSON (${error.message})`);
    throw fileSystemError(error, path, 'read');
  }
  const failures = tally.digester.result();
  const summary = {
    command: 'validate',
    processed: tally.total,
    succeeded: tally.total - tally.invalid,
    failed: tally.invalid,
    failures_by_type: failures.groups.reduce<Record<string, number>>((byType, g) => {
      byType[g.error_type] = (byType[g.error_type] ?? 0) + g.count;
      return byType;
    }, {}),
  };
  const data: ReportData = { summary, failures, collections: [], generated_at: now.toISOString() };
  const record = recordPath ? await readRecord(recordPath) : undefined;
  if (record) data.record = record;
  return data;
}

/** The run record `validate` left beside its report, when there is one (an older report has none). */
async function readRecord(path: string): Promise<RunRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as RunRecord;
    return typeof record === 'object' && record !== null && Array.isArray(record.footprints)
      ? record
      : undefined;
  } catch {
    throw new ScmError('SCM_INPUT_PARSE', `${path}: not JSON`);
  }
}
