import { createReadStream } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { readLines } from '@scm/core';

const NO_LINES: ReadonlySet<number> = new Set();

/** Bytes buffered in memory before an append to the spill file. */
const FLUSH_BYTES = 256 * 1024;

/**
 * A temporary NDJSON file holding the items between the two passes. Appends
 * are buffered and written with `appendFile`, so no file descriptor stays
 * open between flushes (a run may hold one spill per collection).
 */
export class SpillFile {
  private chunks: string[] = [];
  private buffered = 0;
  private tail: Promise<void> = Promise.resolve();
  /** Lines appended. */
  lines = 0;

  constructor(readonly path: string) {}

  /** Appends one line (without its newline). */
  async append(line: string): Promise<void> {
    this.chunks.push(line, '\n');
    this.buffered += line.length + 1;
    this.lines += 1;
    if (this.buffered >= FLUSH_BYTES) await this.flush();
  }

  /** Writes what is buffered (appends are serialised, so order is kept). */
  flush(): Promise<void> {
    if (this.chunks.length > 0) {
      const data = this.chunks.join('');
      this.chunks = [];
      this.buffered = 0;
      this.tail = this.tail.then(() => appendFile(this.path, data, 'utf8'));
    }
    return this.tail;
  }

  /** Streams the lines back, in order. */
  async *read(): AsyncGenerator<string> {
    await this.flush();
    if (this.lines > 0) yield* nonEmptyLines(this.path, NO_LINES);
  }

  /** Deletes the file. */
  async remove(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    await this.tail.catch(() => undefined);
    await rm(this.path, { force: true });
  }
}

/**
 * The non-empty lines of a text file, in order, leaving out the lines numbered in `skip` (1-based, counting
 * empty lines too): pass two of a writer whose pass one read the same file.
 */
export async function* nonEmptyLines(path: string, skip: ReadonlySet<number>): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  try {
    for await (const { text, line } of readLines(stream, { file: path })) {
      if (text.trim() === '' || skip.has(line)) continue;
      yield text;
    }
  } finally {
    stream.destroy();
  }
}
