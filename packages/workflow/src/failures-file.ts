import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Failure, fileSystemError } from '@scm/core';

/**
 * Name of the failures file. A folder output (rebuild-catalog, output) holds it
 * at its root; a single-file output gets it beside itself, prefixed with the
 * output's stem (`items.json` → `items.failed_items.ndjson`).
 */
export const FAILURES_FILE = 'failed_items.ndjson';

/** Name of the transformation audit log, beside a single-file output and prefixed with its stem. */
export const AUDIT_FILE = 'transformation_audit.json';

/** Appends failures as NDJSON (one PRD failure record per line), with backpressure. */
export interface FailuresFile {
  /** Writes one failure. */
  write(failure: Failure): Promise<void>;
  /** Failures written so far. */
  readonly count: number;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Opens `path` for failures; with `dryRun` nothing is written but failures are still counted. */
export async function openFailuresFile(
  path: string,
  options: { dryRun?: boolean } = {},
): Promise<FailuresFile> {
  let count = 0;
  if (options.dryRun) {
    return {
      async write() {
        count += 1;
      },
      get count() {
        return count;
      },
      async close() {},
    };
  }
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw fileSystemError(error, path, 'write');
  });
  const stream: WriteStream = createWriteStream(path, { flags: 'w' });
  let streamError: unknown;
  stream.on('error', (error) => {
    streamError = error;
  });
  return {
    async write(failure) {
      if (streamError) throw fileSystemError(streamError, path, 'write');
      count += 1;
      if (!stream.write(`${JSON.stringify(failure)}\n`)) {
        await new Promise<void>((resolve) => stream.once('drain', resolve));
      }
    },
    get count() {
      return count;
    },
    async close() {
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      if (streamError) throw fileSystemError(streamError, path, 'write');
    },
  };
}
