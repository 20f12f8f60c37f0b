import { ScmError, type StacItem } from '@scm/core';
import { ObserverThread } from './observer-thread.js';
import type { PartsWriter } from './writer.js';

/** Where an added item's JSON text is: a line of the caller's NDJSON file (see `replay`). */
export interface ReplayLine {
  /** The file (one per collection; the items without a collection in one more). */
  file: string;
  /** Its 1-based line number there. */
  line: number;
}

/** What pass one of a replayed output needs of the writer of one partition. */
export interface ReplaySlot {
  /** Its key among the output's writers. */
  key: string;
  /** The caller's file its lines are in, set by its first item. */
  file?: string;
  writer: PartsWriter;
}

/**
 * Pass one of an output whose pass two replays the caller's NDJSON files: each item is checked and observed
 * by its writer, and the lines of the items that cannot be written are noted, for pass two to leave out.
 * After `after` items, the rest go to an {@link ObserverThread} as their texts: the caller may then give
 * only an item's outline (its collection and datetimes, which choose its writer) with its text.
 */
export class ReplayPassOne {
  /** Per file, the line numbers pass two leaves out. */
  readonly skips = new Map<string, Set<number>>();
  private thread: ObserverThread | undefined;
  private added = 0;

  constructor(private readonly after: number) {}

  /** Whether items are observed from their text (see {@link CollectionsParquetStream.observesText}). */
  get observesText(): boolean {
    return Number.isFinite(this.after);
  }

  /**
   * The item for a failure that quotes it, or for this thread's observation: parsed from its text when
   * items are observed from it (the item given may be an outline).
   */
  whole(item: StacItem, text: string | undefined): StacItem {
    return this.observesText && text !== undefined ? (JSON.parse(text) as StacItem) : item;
  }

  /** Pass one of one item: `slot` undefined when the output reported it instead (no usable collection). */
  async add(slot: ReplaySlot | undefined, item: StacItem, text: string | undefined, at: ReplayLine) {
    this.added += 1;
    if (slot) {
      if (slot.file !== undefined && slot.file !== at.file) {
        throw new ScmError('SCM_USAGE', `the items of one collection must be in one file, not ${at.file}`);
      }
      slot.file = at.file;
      const thread = this.threadFor(slot);
      if (thread) return thread.observe(slot.key, text ?? JSON.stringify(item), at.line);
      if (!slot.writer.observeParsed(this.whole(item, text))) return;
    }
    this.skip(at.file, at.line);
  }

  /** Waits for the observer thread, if one was started, and gives each writer back what it learnt there. */
  async settle(slots: ReadonlyMap<string, ReplaySlot>): Promise<void> {
    if (!this.thread) return;
    const observed = await this.thread.finish();
    this.thread = undefined;
    for (const { key, schema, seen, reported, rejected } of observed) {
      const slot = slots.get(key)!;
      slot.writer.observer.takeBack(schema, seen, reported);
      for (const line of rejected) this.skip(slot.file!, line);
    }
  }

  /** Stops the observer thread, if one was started. */
  async close(): Promise<void> {
    await this.thread?.close();
    this.thread = undefined;
  }

  /** The observer thread for the items of `slot`, once `after` items were observed here. */
  private threadFor(slot: ReplaySlot): ObserverThread | undefined {
    if (this.added <= this.after) return undefined;
    this.thread ??= new ObserverThread();
    if (!this.thread.has(slot.key)) this.thread.adopt(slot.key, slot.writer.observer);
    return this.thread;
  }

  private skip(file: string, line: number): void {
    const lines = this.skips.get(file) ?? new Set<number>();
    this.skips.set(file, lines);
    lines.add(line);
  }
}
