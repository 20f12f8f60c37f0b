import { readFile } from 'node:fs/promises';
import { ScmError } from '@scm/core';
import type { HarvestEvent } from './events.js';
import type { WindowState } from './windows.js';

/** What a checkpoint file holds: every window of the harvest and how far it was written. */
export interface HarvestCheckpoint {
  /** Format version. */
  version: 1;
  /** What was harvested (API, collections, filters); a resume refuses a checkpoint of another harvest. */
  fingerprint: string;
  /** Collections whose windows are planned. */
  planned: string[];
  /** Every window, in plan order. */
  windows: WindowState[];
  /** Free-form state of the writer (e.g. bytes of the output file at this checkpoint). */
  output?: Record<string, unknown>;
  /** RFC 3339 time of the checkpoint. */
  updated_at: string;
}

/**
 * Follows a harvest's events as their items are written and knows, at any
 * moment, where each window stands. Call {@link HarvestState.apply} only
 * after an event's items are durably written: a checkpoint taken then says
 * exactly which pages are in the output, so a resume loses and repeats none.
 */
export class HarvestState {
  private readonly windows = new Map<string, WindowState>();
  private readonly planned = new Set<string>();

  constructor(
    private readonly fingerprint: string,
    from?: HarvestCheckpoint,
  ) {
    if (from && from.fingerprint !== fingerprint) {
      throw new ScmError(
        'SCM_USAGE',
        'the checkpoint belongs to a different harvest (other API, collections or filters); start without --resume or restore the original options',
      );
    }
    for (const name of from?.planned ?? []) this.planned.add(name);
    for (const window of from?.windows ?? []) this.windows.set(window.id, { ...window });
  }

  /** Records that an event's items are written. */
  apply(event: HarvestEvent): void {
    if (event.type === 'plan') {
      if (event.replaces) this.windows.delete(event.replaces);
      for (const window of event.windows) this.windows.set(window.id, { ...window });
      this.planned.add(event.collection);
    } else if (event.type === 'page') {
      const window = this.windows.get(event.window);
      if (!window) return;
      window.pages += 1;
      window.items += event.items.length;
      if (event.matched !== undefined) window.matched ??= event.matched;
      if (event.next) {
        window.status = 'running';
        window.next = event.next;
      } else {
        window.status = 'done';
        delete window.next;
      }
    } else if (event.type === 'window-stop') {
      const window = this.windows.get(event.window);
      if (!window) return;
      window.status = event.status;
      window.note = event.note;
      if (event.status === 'done') delete window.next;
    }
  }

  /** The windows of a collection planned in an earlier run, or undefined if it was never planned. */
  plannedWindows(collection: string): WindowState[] | undefined {
    if (!this.planned.has(collection)) return undefined;
    return [...this.windows.values()].filter((w) => w.collection === collection);
  }

  /** Windows that stopped on a failure. */
  incomplete(): WindowState[] {
    return [...this.windows.values()].filter((w) => w.status === 'incomplete');
  }

  /** Windows planned so far, and how many of them have ended (done or incomplete), for progress. */
  windowCounts(): { planned: number; ended: number } {
    let ended = 0;
    for (const window of this.windows.values())
      if (window.status === 'done' || window.status === 'incomplete') ended += 1;
    return { planned: this.windows.size, ended };
  }

  /** Items written so far, over every window. */
  get items(): number {
    let total = 0;
    for (const window of this.windows.values()) total += window.items;
    return total;
  }

  /** A checkpoint of the current state. */
  snapshot(output?: Record<string, unknown>): HarvestCheckpoint {
    return {
      version: 1,
      fingerprint: this.fingerprint,
      planned: [...this.planned],
      windows: [...this.windows.values()].map((w) => ({ ...w })),
      ...(output ? { output } : {}),
      updated_at: new Date().toISOString(),
    };
  }
}

/** Reads a checkpoint file; undefined when there is none. */
export async function loadCheckpoint(path: string): Promise<HarvestCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ScmError('SCM_INPUT_NOT_FOUND', `cannot read the checkpoint ${path}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as HarvestCheckpoint;
    if (parsed.version !== 1 || !Array.isArray(parsed.windows)) throw new Error('unknown checkpoint format');
    return parsed;
  } catch (cause) {
    throw new ScmError('SCM_INPUT_PARSE', `${path} is not a checkpoint of this version`, { cause });
  }
}
