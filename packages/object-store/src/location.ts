import { ScmError } from '@scm/core';

/** A bucket and a key prefix: where a catalog lives in object storage. */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing `/`; empty for the bucket's root. */
  prefix: string;
}

/** True for an `s3://` URL (any case of the scheme). */
export function isS3Url(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

/**
 * Reads `s3://bucket/prefix` (the prefix may be empty or end with `/`).
 *
 * @throws ScmError `SCM_OUTPUT_PATH` for a URL without a bucket or with an unsafe prefix (`..`, `.`, `//`).
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  const bucket = match?.[1];
  if (!match || !bucket) {
    throw new ScmError('SCM_OUTPUT_PATH', `${url} is not an s3://bucket/prefix URL`, {
      location: { file: url },
    });
  }
  const prefix = (match[2] ?? '').replace(/\/+$/, '');
  if (prefix !== '') assertSafeRelativePath(prefix, url);
  return { bucket, prefix };
}

/** The `s3://` URL of a location, or of one key under it. */
export function s3Url(location: S3Location, relativePath = ''): string {
  const key = objectKey(location, relativePath);
  return `s3://${location.bucket}/${key}`;
}

/**
 * Refuses a path that could name an object outside the prefix, or a file
 * outside a local folder: empty, absolute, with a `..` or `.` segment, an
 * empty segment (`a//b`), a backslash or a NUL.
 *
 * @throws ScmError `SCM_OUTPUT_PATH` naming the path.
 */
export function assertSafeRelativePath(path: string, shownIn?: string): void {
  const segments = path.split('/');
  const bad =
    path === '' ||
    path.startsWith('/') ||
    /[\\\0]/.test(path) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (!bad) return;
  throw new ScmError(
    'SCM_OUTPUT_PATH',
    `unsafe object path ${JSON.stringify(path)}${shownIn ? ` in ${shownIn}` : ''}: keys are written only under the output prefix (no "..", ".", empty segments, absolute paths or backslashes)`,
    { location: { file: shownIn ?? path } },
  );
}

/** The key of `relativePath` under the location's prefix; the path is checked first. */
export function objectKey(location: S3Location, relativePath: string): string {
  if (relativePath === '') return location.prefix === '' ? '' : `${location.prefix}/`;
  assertSafeRelativePath(relativePath);
  return location.prefix === '' ? relativePath : `${location.prefix}/${relativePath}`;
}
