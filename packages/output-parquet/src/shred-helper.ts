/**
 * A second thread for pass two of a stac-geoparquet write. Pass two parses every line, shreds it into the
 * leaf columns of a row group and encodes them: on one thread it was about a third of a whole 800K-item
 * rebuild while the other core sat idle. The helper takes about 60 % of each row group's leaves (see
 * `splitPoint`): both threads parse each line, each shreds and encodes its own share, and this thread appends
 * the helper's encoded bytes in schema order. The leaves are split, not the row groups, so memory still holds
 * one row group's columns, as with one thread: two row groups in flight took 1.8 GB at 100K HLS items.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ScmError } from '@scm/core';
import type { FromHelper, HelperGroup, HelperInit, ToHelper } from './shred-helper-protocol.js';
import { startThread } from './thread-entry.js';

/** Lines per message to the helper: few messages, and a bounded copy (~3 MB of HLS items) in flight. */
const LINES_PER_MESSAGE = 256;

/** Rows a file needs before a helper pays for its start (~50 ms) and its second parse of each line. */
export const HELPER_MIN_ROWS = 10_000;

/** Whether a write of `rows` rows gets a helper thread when the caller did not say. */
export function helperByDefault(rows: number): boolean {
  return rows >= HELPER_MIN_ROWS && availableParallelism() > 1;
}

/** The helper of one file: lines go in as they are read, each row group's encoded share comes back. */
export class ShredHelper {
  private readonly worker: Worker;
  private lines: string[] = [];
  private waiting: { resolve(group: HelperGroup): void; reject(error: Error): void } | undefined;
  private broken: Error | undefined;

  constructor(init: HelperInit) {
    this.worker = startThread(
      { name: 'shred-helper-worker', dev: 'shred-helper-source', role: 'helper', workerData: init },
      (error) => this.fail(error),
    );
    this.worker.on('message', (message: FromHelper) => this.answer(message));
  }

  /** Hands the helper one line of the current row group. */
  send(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= LINES_PER_MESSAGE) this.post({ type: 'lines', lines: this.flushLines() });
  }

  /** Ends the current row group: resolves to the helper's encoded share of it. */
  endGroup(): Promise<HelperGroup> {
    if (this.broken) return Promise.reject(this.broken);
    const group = new Promise<HelperGroup>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    if (this.lines.length > 0) this.post({ type: 'lines', lines: this.flushLines() });
    this.post({ type: 'end' });
    return group;
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    this.broken ??= new ScmError('SCM_INTERNAL', 'the stac-geoparquet helper thread was closed');
    await this.worker.terminate();
  }

  private flushLines(): string[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  private post(message: ToHelper): void {
    this.worker.postMessage(message);
  }

  private answer(message: FromHelper): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (message.type === 'group') waiting?.resolve(message);
    else waiting?.reject(new ScmError(message.code, message.message));
  }

  private fail(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }
}
