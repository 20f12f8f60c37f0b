import type { Failure, ScmErrorCode } from '@scm/core';
import type { SchemaSnapshot } from './infer.js';
import type { ObserverSnapshot } from './item-observer.js';

/**
 * Messages to the observer thread: a writer's pass one to go on with (`adopt`), then the texts of its
 * items in order, each with its writer's key and its line number in the file pass two replays, then `finish`.
 */
export type ToObserver =
  | { type: 'adopt'; key: string; snapshot: ObserverSnapshot }
  | { type: 'items'; keys: string[]; texts: string[]; lines: number[] }
  | { type: 'finish' };

/** What the observer thread learnt of one writer's items since it adopted it. */
export interface ObservedWriter {
  key: string;
  schema: SchemaSnapshot;
  seen: number;
  reported: Failure[];
  /** Line numbers of the items that cannot be written: pass two leaves them out. */
  rejected: number[];
}

/** Messages from the observer thread: an `items` message taken, and the answer to `finish`. */
export type FromObserver =
  | { type: 'took' }
  | { type: 'done'; writers: ObservedWriter[] }
  | { type: 'error'; code: ScmErrorCode; message: string };
