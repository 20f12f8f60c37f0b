/**
 * Entry of the helper thread of a stac-geoparquet write (see shred-helper.ts): it parses each line of a row
 * group, shreds the leaves of its share and encodes them into a buffer of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isScmError } from '@scm/core';
import { ByteWriter } from 'hyparquet-writer';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { compressorsFor } from './codec.js';
import type { FromHelper, HelperInit, ToHelper } from './shred-helper-protocol.js';
import { emptyGeometryStats, encodeLeaves, Layout, RowShredder } from './shred.js';

const init = workerData as HelperInit;
const layout = new Layout(init.plan);
const share = { from: init.from, to: init.to, side: false };
const shredder = new RowShredder(init.plan, layout, emptyGeometryStats(), share);
/** The encoding settings, once the codec is ready. As ParquetWriter does: SNAPPY is built in, the others are ours. */
const settings = compressorsFor(init.codec, init.compressionLevel).then((compressors) => ({
  codec: init.codec,
  compressors: { SNAPPY: snappyCompress, ...compressors },
  statisticsTruncateLength: init.statisticsTruncateLength,
  pageSize: init.pageSize,
}));
/** The first error of the current row group, answered at its end. */
let failure: unknown;

async function endGroup(): Promise<FromHelper> {
  if (failure !== undefined) {
    const error = failure;
    failure = undefined;
    return {
      type: 'error',
      code: isScmError(error) ? error.code : 'SCM_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    };
  }
  const out = new ByteWriter(4 * 1024 * 1024);
  const encoded = encodeLeaves(out, layout.leaves.slice(init.from, init.to), await settings);
  layout.reset();
  return { type: 'group', bytes: out.getBuffer(), encoded, sides: shredder.takeHelperSides() };
}

function shredLines(lines: string[]): void {
  if (failure !== undefined) return;
  try {
    for (const line of lines) shredder.shred(JSON.parse(line));
  } catch (error) {
    failure = error;
  }
}

// Messages are handled one after another: an end awaits the codec, and the next group's lines wait for it.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (message: ToHelper) => {
  queue = queue.then(async () => {
    if (message.type === 'lines') return shredLines(message.lines);
    const answer = await endGroup().catch(
      (error: unknown): FromHelper => ({ type: 'error', code: 'SCM_INTERNAL', message: String(error) }),
    );
    parentPort!.postMessage(answer, answer.type === 'group' ? [answer.bytes] : []);
  });
});
