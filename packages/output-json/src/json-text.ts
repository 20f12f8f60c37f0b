import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { errorMessage, ScmError } from '@scm/core';
import { writeChunk } from './write-stream.js';

/**
 * Serialises a STAC object (or any JSON value) as the writers do: with
 * `pretty` (default true) 2-space indentation, otherwise one line. The text
 * always ends with a newline. Throws `SCM_OUTPUT_INVALID` for a value JSON
 * cannot represent (`undefined`, a function, a BigInt, a cycle).
 */
export function stringifyStac(value: unknown, pretty = true): string {
  let text: string | undefined;
  try {
    text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  } catch (error) {
    throw new ScmError('SCM_OUTPUT_INVALID', `value cannot be written as JSON: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (text === undefined) throw new ScmError('SCM_OUTPUT_INVALID', 'value cannot be written as JSON');
  return `${text}\n`;
}

/**
 * One NDJSON line that `pypgstac load` reads back unchanged. pypgstac's
 * reader replaces every `\\` in a line with `\` before parsing, which
 * corrupts (or breaks) any string holding a backslash; JSON lets a
 * backslash be written `\u005c`, which it leaves alone. U+0085, U+2028 and
 * U+2029 are escaped too, since some line splitters treat them as line ends.
 */
export function ndjsonLine(value: unknown): string {
  let text = stringifyStac(value, false);
  // In JSON.stringify output every backslash starts an escape, so pairs are matched from the left.
  if (text.includes('\\')) text = text.replace(/\\\\/g, '\\u005c');
  // Most lines hold none of these: looking for each one is far quicker than a character class's scan
  // (a 13 KB HLS line: ~27 µs a line on the 2-core VM of 2026-12-07).
  if (text.includes('\u0085') || text.includes('\u2028') || text.includes('\u2029')) {
    text = text.replace(
      /[\u0085\u2028\u2029]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return text;
}

/** A temporary path next to `path`: hidden (leading dot), so no name made from an id can equal it, ending in `.tmp`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Options of {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** 2-space indentation (true) or one line (false). Default true. */
  pretty?: boolean;
  /** Flush the file to disk (`fsync`) before it is renamed into place. Slower; default false. */
  fsync?: boolean;
  /**
   * Leave an existing file with the very same bytes in place (its mtime too)
   * instead of replacing it; for in-place updates of a catalog. Default false.
   */
  keepIdentical?: boolean;
}

/** Whether two files hold the same bytes (a missing one never does). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  if (!left || !right || left.size !== right.size) return false;
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

/** Renames the finished temporary file over `path`, or drops it when `keepIdentical` and nothing changed. */
async function moveIntoPlace(temp: string, path: string, keepIdentical: boolean | undefined): Promise<void> {
  if (keepIdentical && (await sameBytes(temp, path))) await removeQuietly(temp);
  else await rename(temp, path);
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function writeError(path: string, error: unknown): ScmError {
  if (error instanceof ScmError) return error;
  return new ScmError('SCM_OUTPUT_WRITE', `cannot write "${path}": ${errorMessage(error)}`, {
    cause: error,
    details: { path },
  });
}

/**
 * Writes `value` as JSON to `path` atomically: the text goes to a temporary
 * file in the same folder, which is then renamed over `path`, so a reader
 * (or a crash) never sees half a file. Creates missing parent folders.
 * Throws `SCM_OUTPUT_WRITE` when the file system refuses, after removing the
 * temporary file.
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  const text = stringifyStac(value, options.pretty ?? true);
  await writeTextAtomic(path, text, options.fsync ?? false, options.keepIdentical);
}

/** Writes `text` to `path` through a temporary file and a rename (none when `keepIdentical` and the bytes are the same). */
export async function writeTextAtomic(
  path: string,
  text: string,
  fsync: boolean,
  keepIdentical = false,
): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await moveIntoPlace(temp, path, keepIdentical);
  } catch (error) {
    await removeQuietly(temp);
    throw writeError(path, error);
  }
}

/**
 * Writes a STAC object whose `links` may be very long (a collection with
 * 800,000 item links) without building the whole text in memory: the object
 * is serialised around a marker, and the links are streamed in its place.
 * The bytes are exactly those of {@link stringifyStac} with `links` set.
 * Atomic like {@link writeJsonAtomic}.
 */
export async function writeStacWithLinksAtomic(
  path: string,
  value: Record<string, unknown>,
  links: Iterable<unknown>,
  options: WriteJsonOptions = {},
): Promise<void> {
  const pretty = options.pretty ?? true;
  const marker = `scm-links-${randomBytes(12).toString('hex')}`;
  const text = stringifyStac({ ...value, links: marker }, pretty);
  const quoted = JSON.stringify(marker);
  const at = text.indexOf(quoted);
  if (at === -1 || text.indexOf(quoted, at + 1) !== -1) {
    // The marker is random; this only happens if the data contains it.
    return writeJsonAtomic(path, { ...value, links: [...links] }, options);
  }
  const temp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(temp, { flags: 'w' });
    const done = finished(stream);
    done.catch(() => undefined);
    const push = (chunk: string): Promise<void> => writeChunk(stream, chunk);
    try {
      await push(`${text.slice(0, at)}[`);
      let first = true;
      for (const link of links) {
        const json = pretty
          ? `\n    ${JSON.stringify(link, null, 2).replace(/\n/g, '\n    ')}`
          : JSON.stringify(link);
        await push(first ? json : `,${json}`);
        first = false;
      }
      stream.end(`${pretty && !first ? '\n  ' : ''}]${text.slice(at + quoted.length)}`);
      await done;
    } catch (error) {
      stream.destroy();
      await done.catch(() => undefined);
      throw error;
    }
    if (options.fsync) {
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await moveIntoPlace(temp, path, options.keepIdentical);
  } catch (error) {
    await removeQuietly(temp);
    throw writeError(path, error);
  }
}
