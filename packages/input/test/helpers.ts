import { fileURLToPath } from 'node:url';
import { type Failure, isFailure, type JsonObject, type SourceRecord } from '@scm/core';

/** Absolute path of a file under test/fixtures. */
export function fixture(...parts: string[]): string {
  return fileURLToPath(new URL(`./fixtures/${parts.join('/')}`, import.meta.url));
}

/** Everything a reader yields, split into records and failures, plus the interleaved sequence. */
export interface Drained {
  records: SourceRecord<JsonObject>[];
  failures: Failure[];
  sequence: (SourceRecord<JsonObject> | Failure)[];
}

export async function drain(source: AsyncIterable<SourceRecord<JsonObject> | Failure>): Promise<Drained> {
  const out: Drained = { records: [], failures: [], sequence: [] };
  for await (const item of source) {
    out.sequence.push(item);
    if (isFailure(item)) out.failures.push(item);
    else out.records.push(item);
  }
  return out;
}

/** Resolves with the error a promise rejects with (fails the test when it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; location?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string; location?: unknown };
  }
  throw new Error('expected a rejection');
}
