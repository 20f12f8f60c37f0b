import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, ScmError } from '@scm/core';
import type { StateRecord } from './rebuild-state.js';

/** Where the entries of a state go: a `Map` (a state read back) or the {@link StateLines} of a run. */
export interface StateEntries {
  set(hash: string, record: StateRecord): unknown;
}

/** One collection's entries file of the state a run writes. */
export interface StateFile {
  /** Collection id (`''` for items without one). */
  id: string;
  /** Name of the file inside the state folder. */
  file: string;
  items: number;
}

/** Bytes of lines held, across collections, before they are appended to their files. */
const FLUSH_BYTES = 1 << 20;

interface Pending extends StateFile {
  lines: string[];
  started: boolean;
}

/**
 * The entries of the state a run writes: a line `hash<TAB>extent<TAB>"id"` per
 * item, one file per collection under a name of this run's own generation.
 * Once {@link StateLines.spillTo} names the state folder, lines are appended
 * to their files a mebibyte at a time, so a run's memory does not grow with
 * its item count (800K items kept as objects until the end took ~0.5 KB each).
 * Nothing points at these files until `state.json` is replaced, so a run
 * killed half-way leaves the previous state readable.
 */
export class StateLines implements StateEntries {
  private readonly generation = `${Date.now().toString(36)}-${process.pid}`;
  private readonly files = new Map<string, Pending>();
  private heldBytes = 0;
  private dir: string | undefined;
  private counting = false;

  /** Appends lines to files in `dir` from now on; `undefined` (a dry run) only counts them. */
  spillTo(dir: string | undefined): void {
    this.dir = dir;
    this.counting = dir === undefined;
    if (this.files.size > 0) this.flush();
  }

  /** Takes one item's entry (a second entry of the same digest is read back as the last one). */
  set(hash: string, record: StateRecord): this {
    const pending = this.fileOf(record.collection);
    pending.items += 1;
    if (this.counting) return this;
    const line = `${hash}\t${record.extent}\t${JSON.stringify(record.id)}\n`;
    pending.lines.push(line);
    this.heldBytes += line.length;
    if (this.heldBytes >= FLUSH_BYTES) this.flush();
    return this;
  }

  /** Writes what is held into `dir` and lists the files, collections in the order they were first seen. */
  finish(dir: string): StateFile[] {
    if (this.dir !== dir) this.spillTo(dir);
    else this.flush();
    return [...this.files.values()].map(({ id, file, items }) => ({
      id,
      file,
      items,
    }));
  }

  private fileOf(collection: string): Pending {
    let pending = this.files.get(collection);
    if (!pending) {
      const file = `items-${this.generation}-${this.files.size}.tsv`;
      pending = { id: collection, file, items: 0, lines: [], started: false };
      this.files.set(collection, pending);
    }
    return pending;
  }

  private flush(): void {
    const dir = this.dir;
    if (dir === undefined) {
      if (this.counting) for (const pending of this.files.values()) pending.lines = [];
      return;
    }
    writing(dir, () => mkdirSync(dir, { recursive: true }));
    for (const pending of this.files.values()) this.append(dir, pending);
    this.heldBytes = 0;
  }

  private append(dir: string, pending: Pending): void {
    // Every file is created on the first flush, even empty, so each collection listed has its file.
    if (pending.lines.length === 0 && pending.started) return;
    const path = join(dir, pending.file);
    const text = pending.lines.join('');
    writing(path, () => (pending.started ? appendFileSync(path, text) : writeFileSync(path, text)));
    pending.started = true;
    pending.lines = [];
  }
}

/** Runs a file system write, reporting a refusal as `SCM_OUTPUT_WRITE` with the path. */
function writing(path: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot write "${path}": ${errorMessage(error)}`, {
      cause: error,
      details: { path },
    });
  }
}
