import { once } from 'node:events';
import type { WriteStream } from 'node:fs';

/**
 * Writes `chunk` and, when the stream's buffer is full, waits for it to
 * drain, so a fast producer is slowed to the speed of the disk. Rejects with
 * the stream's error instead of waiting forever when the stream has failed.
 */
export async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.write(chunk)) return;
  if (stream.errored) throw stream.errored;
  // `once` rejects when the stream emits 'error' while we wait.
  await once(stream, 'drain');
}
