import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { topLevelString } from '@scm/core/stac-item';

const NEWLINE = 0x0a;
/** Bytes of a line decoded to find its id; an Item's id sits in its first members, well inside this. */
const ID_PREFIX_BYTES = 1024;
/** Read size of the old file: large reads keep the copied runs of unchanged lines long. */
const READ_BYTES = 1 << 20;

/**
 * The id of the NDJSON line `line[start, end)`, or undefined for a line that is not a JSON object with one.
 * Only a prefix is decoded: {@link topLevelString} answers undefined rather than a wrong id when the prefix
 * stops before the id's end, and then the whole line is decoded.
 */
export function lineIdOf(line: Buffer, start: number, end: number): string | undefined {
  if (end - start > ID_PREFIX_BYTES) {
    const id = topLevelString(line.toString('utf8', start, start + ID_PREFIX_BYTES), 'id');
    if (id !== undefined) return id;
  }
  return topLevelString(line.toString('utf8', start, end), 'id');
}

/** Writes `bytes`, waiting when the stream asks for it. */
async function put(out: WriteStream, bytes: Buffer | string): Promise<void> {
  if (bytes.length > 0 && !out.write(bytes)) await new Promise<void>((r) => out.once('drain', () => r()));
}

/** What a merge changes in one items file. */
export interface ItemsFileChanges {
  /** Id → the new line (without its newline): it takes the old line's place, or is appended when new. */
  changed: Map<string, string>;
  /** Ids whose lines go. */
  removed: ReadonlySet<string>;
  /** Called with each old line that is replaced or removed (the Parquet side needs to know where it was). */
  onDropped?: (oldLine: string) => void;
  /** Awaited once the new file is complete, before it replaces the old one. */
  beforeReplace?: () => Promise<void>;
}

/**
 * Copies the complete lines of `chunk` to `out`, replacing or dropping the lines `changes` names (each
 * replaced id is taken out of `changes.changed`). Unchanged lines are copied as bytes, in runs, never decoded
 * past their id. Returns the unfinished last line, for the next chunk.
 */
async function mergeChunk(chunk: Buffer, out: WriteStream, changes: ItemsFileChanges): Promise<Buffer> {
  let run = 0;
  let start = 0;
  for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
    const id = end > start ? lineIdOf(chunk, start, end) : undefined;
    const replacement = id === undefined ? undefined : changes.changed.get(id);
    if (id !== undefined && (replacement !== undefined || changes.removed.has(id))) {
      changes.onDropped?.(chunk.toString('utf8', start, end));
      await put(out, chunk.subarray(run, start));
      if (!changes.removed.has(id) && replacement !== undefined) await put(out, `${replacement}\n`);
      changes.changed.delete(id);
      run = end + 1;
    }
    start = end + 1;
  }
  await put(out, chunk.subarray(run, start));
  return chunk.subarray(start);
}

/** Start of the names of merge files into `target`: hidden, so readers of the folder skip them. */
const mergePrefix = (target: string): string => `.${basename(target)}.`;

/** Removes the merge files a killed run left beside `target`. */
async function removeLeftoverMerges(target: string): Promise<void> {
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(mergePrefix(target)) && name.endsWith('.merge.tmp')) {
      await rm(join(dirname(target), name), { force: true });
    }
  }
}

/**
 * Merges one collection's changes into its items file: a changed item's line takes the old line's place, a
 * removed item's line goes, new lines are appended, and every other line is copied byte for byte. Streams
 * the old file in 1 MiB reads (800K lines never sit in memory, and an unchanged line is never decoded past
 * its id); the new file, hidden until then, replaces it by rename. A missing file is a new one. What a killed
 * merge left beside the file is removed first.
 */
export async function mergeItemsFile(target: string, changes: ItemsFileChanges): Promise<void> {
  await removeLeftoverMerges(target);
  const temp = join(dirname(target), `${mergePrefix(target)}${process.pid}.merge.tmp`);
  const out = createWriteStream(temp, { flags: 'w' });
  const done = finished(out);
  try {
    let tail: Buffer = Buffer.alloc(0);
    try {
      for await (const read of createReadStream(target, { highWaterMark: READ_BYTES })) {
        tail = await mergeChunk(tail.length > 0 ? Buffer.concat([tail, read]) : read, out, changes);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (tail.length > 0) await mergeChunk(Buffer.concat([tail, Buffer.from('\n')]), out, changes);
    for (const line of changes.changed.values()) await put(out, `${line}\n`);
    out.end();
    await done;
    await changes.beforeReplace?.();
    await rename(temp, target);
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}
