import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileSystemError } from '@scm/core';
import { assertSafeRelativePath } from './location.js';

/** One file of the folder to publish. */
export interface LocalFile {
  /** Path relative to the folder, with `/` separators: the key under the prefix. */
  path: string;
  absolute: string;
  size: number;
}

/** Every regular file under `dir` (symbolic links are not followed), by relative path, sorted. */
export async function listLocalFiles(dir: string): Promise<LocalFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    throw fileSystemError(error, dir, 'read');
  });
  const files: LocalFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    const path = relative(dir, absolute).split(sep).join('/');
    assertSafeRelativePath(path, dir);
    files.push({ path, absolute, size: (await stat(absolute)).size });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The ETag S3 gives a file uploaded by {@link putFile} with `partSize`: the
 * hex MD5 of the bytes for one part, else the MD5 of the parts' MD5s followed
 * by `-<parts>` (how S3 and compatible servers tag multipart uploads).
 */
export async function expectedEtag(file: LocalFile, partSize: number): Promise<string> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  for await (const chunk of createReadStream(file.absolute, {
    highWaterMark: 1 << 20,
  }) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    let rest = chunk;
    while (rest.length > 0) {
      const take = Math.min(rest.length, partSize - inPart);
      part.update(rest.subarray(0, take));
      inPart += take;
      rest = rest.subarray(take);
      if (inPart === partSize) {
        parts.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || parts.length === 0) parts.push(part.digest());
  if (file.size <= partSize) return whole.digest('hex');
  return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
}

/** The Content-Type an object gets from its name, so that a static site or a browser serves it right. */
export function contentTypeOf(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.ndjson')) return 'application/x-ndjson';
  if (path.endsWith('.parquet')) return 'application/vnd.apache.parquet';
  if (path.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'application/octet-stream';
}
