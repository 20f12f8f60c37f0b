import { createFailure, type Failure } from '@scm/core';
import { SchemaBuilder, type SchemaSnapshot } from './infer.js';
import { type CheckOptions, checkItem } from './item-check.js';

/** Where an item came from, for the failure of an item that cannot be written. */
export interface ItemOrigin {
  file?: string;
  line?: number;
}

/** An {@link ItemObserver} as plain data, to go on in another thread (see {@link ItemObserver.handOver}). */
export interface ObserverSnapshot {
  schema: SchemaSnapshot;
  seen: number;
  check: CheckOptions;
}

/**
 * Pass one of one Parquet writer: each item is checked against the columns whose type the stac-geoparquet
 * spec fixes, then observed for the schema, or reported as a failure. It runs in the writer's thread or, for
 * a long run, on the observer thread (see `observer-thread.ts`), which goes on from a snapshot and hands
 * back what it learnt; the items are observed in the same order either way, so the schema is the same.
 */
export class ItemObserver {
  /** Items given so far, reported ones included (names a failed item without an id). */
  seen = 0;
  /** Failures of the items that cannot be written, in order. */
  readonly reported: Failure[] = [];

  constructor(
    public builder: SchemaBuilder,
    readonly check: CheckOptions,
  ) {}

  /** The observer of a {@link handOver} snapshot, with no failure of its own yet. */
  static revive(snapshot: ObserverSnapshot): ItemObserver {
    const observer = new ItemObserver(SchemaBuilder.revive(snapshot.schema), snapshot.check);
    observer.seen = snapshot.seen;
    return observer;
  }

  /** Checks and observes one parsed item; the failure when it cannot be written. */
  observe(item: unknown, origin: ItemOrigin = {}): Failure | undefined {
    const failure = this.admit(item, origin);
    if (failure) return failure;
    this.record(item);
    return undefined;
  }

  /**
   * Counts one item and checks it, without observing it: the failure when it cannot be written. A caller
   * with a step of its own between the check and the schema (the writer serialises the item) ends with
   * {@link record} or {@link report}.
   */
  admit(item: unknown, origin: ItemOrigin = {}): Failure | undefined {
    this.seen += 1;
    const problem = checkItem(item, this.check);
    if (!problem) return undefined;
    const message = `${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
    return this.report(item, message, problem.field, origin);
  }

  /** Folds an item {@link admit} let through into the schema. */
  record(item: unknown): void {
    this.builder.observe(item as Record<string, unknown>);
  }

  /** Records a failure for an item that cannot be written. */
  report(item: unknown, message: string, field?: string, origin: ItemOrigin = {}): Failure {
    const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id : undefined;
    const failure = createFailure({
      itemId: id ?? (origin.file && origin.line ? `${origin.file}:${origin.line}` : `item ${this.seen}`),
      errorType: 'validation_error',
      message: `cannot be written as stac-geoparquet: ${message}`,
      step: 'output',
      sourceData: item,
      field,
      file: origin.file,
      line: origin.line,
    });
    this.reported.push(failure);
    return failure;
  }

  /** The state another thread goes on from; this observer must not observe more until it {@link takeBack}s. */
  handOver(): ObserverSnapshot {
    return { schema: this.builder.snapshot(), seen: this.seen, check: this.check };
  }

  /** Goes on from what another thread learnt after {@link handOver}: its schema, count and failures. */
  takeBack(schema: SchemaSnapshot, seen: number, reported: readonly Failure[]): void {
    this.builder = SchemaBuilder.revive(schema);
    this.seen = seen;
    this.reported.push(...reported);
  }
}
