import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Failure, ScmError } from '@scm/core';

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
  await mkdir(dirname(path), { recursive: true });
  const stream: WriteStream = createWriteStream(path, { flags: 'w' });
  let streamError: unknown;
  stream.on('error', (error) => {
    streamError = error;
  });
  return {
    async write(failure) {
      if (streamError) throw new ScmError('SCM_OUTPUT_WRITE', `cannot write ${path}`, { cause: streamError });
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
      if (streamError) throw new ScmError('SCM_OUTPUT_WRITE', `cannot write ${path}`, { cause: streamError });
    },
  };
}
