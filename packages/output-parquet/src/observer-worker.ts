/**
 * Entry of the observer thread of a replayed stac-geoparquet output (see observer-thread.ts): it parses the
 * text of each item, checks and observes it with the pass one of the item's writer, and hands back, at the
 * end, what each writer learnt.
 */
import { parentPort } from 'node:worker_threads';
import { isScmError } from '@scm/core';
import { ItemObserver } from './item-observer.js';
import type { FromObserver, ObservedWriter, ToObserver } from './observer-protocol.js';

/** A writer's pass one, revived with no failure of its own: the failures before the hand-over stay there. */
interface Adopted {
  observer: ItemObserver;
  rejected: number[];
}

const writers = new Map<string, Adopted>();
/** The first error, answered at `finish`. */
let failure: unknown;

function observeItems(keys: string[], texts: string[], lines: number[]): void {
  for (let i = 0; i < texts.length; i++) {
    const writer = writers.get(keys[i]!);
    if (!writer) throw new Error(`no writer ${JSON.stringify(keys[i])} was handed to the observer thread`);
    if (writer.observer.observe(JSON.parse(texts[i]!))) writer.rejected.push(lines[i]!);
  }
}

function finish(): FromObserver {
  if (failure !== undefined) {
    return {
      type: 'error',
      code: isScmError(failure) ? failure.code : 'SCM_INTERNAL',
      message: `the stac-geoparquet observer thread failed: ${failure instanceof Error ? failure.message : String(failure)}`,
    };
  }
  const answer: ObservedWriter[] = [];
  for (const [key, { observer, rejected }] of writers) {
    const { schema, seen } = observer.handOver();
    answer.push({ key, schema, seen, reported: observer.reported, rejected });
  }
  return { type: 'done', writers: answer };
}

parentPort!.on('message', (message: ToObserver) => {
  if (message.type === 'finish') {
    parentPort!.postMessage(finish());
    return;
  }
  try {
    if (failure !== undefined) return;
    if (message.type === 'adopt') {
      const observer = ItemObserver.revive(message.snapshot);
      writers.set(message.key, { observer, rejected: [] });
    } else {
      observeItems(message.keys, message.texts, message.lines);
    }
  } catch (error) {
    failure = error;
  } finally {
    if (message.type === 'items') parentPort!.postMessage({ type: 'took' } satisfies FromObserver);
  }
});
