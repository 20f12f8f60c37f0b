/**
 * A thread for pass one of a replayed stac-geoparquet output. In a rebuild, pass one parsed each item's
 * NDJSON line again after validation, only to check it and observe it for the schema: a sixth of the main
 * thread's time with 100,000 HLS items, while the validation thread sat idle half the time. The observer
 * thread takes the lines instead, in order, with each writer's pass one as it stood when the thread took
 * the writer over, and hands back what it learnt at the end: the schema and failures are those of one thread.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ScmError } from '@scm/core';
import type { ItemObserver } from './item-observer.js';
import type { FromObserver, ObservedWriter, ToObserver } from './observer-protocol.js';
import { startThread } from './thread-entry.js';

/** Items per message: few messages, and a bounded copy (~3 MB of HLS items) in flight. */
const ITEMS_PER_MESSAGE = 256;

/** Messages the thread may have queued before `observe` waits for it: memory stays bounded if it falls behind. */
const MAX_MESSAGES_IN_FLIGHT = 8;

/** Items observed in the caller's thread before the rest go to an observer thread, when the caller did not say. */
export function observerThreadAfterByDefault(): number {
  return availableParallelism() > 1 ? 1_000 : Number.POSITIVE_INFINITY;
}

/** The observer thread of one output: writers are handed over, then their items' texts go in order. */
export class ObserverThread {
  private readonly worker: Worker;
  private readonly adopted = new Set<string>();
  private keys: string[] = [];
  private texts: string[] = [];
  private lines: number[] = [];
  private inFlight = 0;
  private resume: (() => void) | undefined;
  private done: { resolve(writers: ObservedWriter[]): void; reject(error: Error): void } | undefined;
  private broken: Error | undefined;

  constructor() {
    this.worker = startThread(
      { name: 'observer-worker', dev: 'observer-source', role: 'observer' },
      (error) => this.fail(error),
    );
    this.worker.on('message', (message: FromObserver) => this.answer(message));
  }

  /** Whether the writer of `key` was handed over. */
  has(key: string): boolean {
    return this.adopted.has(key);
  }

  /** Hands over a writer's pass one: its next items go to the thread, and it observes nothing more itself. */
  adopt(key: string, observer: ItemObserver): void {
    this.flush();
    this.adopted.add(key);
    this.worker.postMessage({ type: 'adopt', key, snapshot: observer.handOver() } satisfies ToObserver);
  }

  /** The next item of an adopted writer: its JSON text and its line number in the file pass two replays. */
  async observe(key: string, text: string, line: number): Promise<void> {
    if (this.broken) throw this.broken;
    this.keys.push(key);
    this.texts.push(text);
    this.lines.push(line);
    if (this.texts.length < ITEMS_PER_MESSAGE) return;
    this.flush();
    while (this.inFlight > MAX_MESSAGES_IN_FLIGHT && !this.broken) {
      await new Promise<void>((resolve) => {
        this.resume = resolve;
      });
    }
    if (this.broken) throw this.broken;
  }

  /** Waits for every item to be observed; resolves to what each adopted writer learnt, and stops the thread. */
  async finish(): Promise<ObservedWriter[]> {
    if (this.broken) throw this.broken;
    this.flush();
    const answer = new Promise<ObservedWriter[]>((resolve, reject) => {
      this.done = { resolve, reject };
    });
    this.worker.postMessage({ type: 'finish' } satisfies ToObserver);
    try {
      return await answer;
    } finally {
      await this.close();
    }
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    this.broken ??= new ScmError('SCM_INTERNAL', 'the stac-geoparquet observer thread was closed');
    await this.worker.terminate();
  }

  private flush(): void {
    if (this.texts.length === 0) return;
    const message: ToObserver = { type: 'items', keys: this.keys, texts: this.texts, lines: this.lines };
    this.keys = [];
    this.texts = [];
    this.lines = [];
    this.inFlight += 1;
    this.worker.postMessage(message);
  }

  private answer(message: FromObserver): void {
    if (message.type === 'took') {
      this.inFlight -= 1;
      this.wake();
      return;
    }
    const done = this.done;
    this.done = undefined;
    if (message.type === 'done') done?.resolve(message.writers);
    else done?.reject(new ScmError(message.code, message.message));
  }

  private wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  private fail(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    this.done?.reject(error);
    this.done = undefined;
    this.wake();
  }
}
