import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { errorMessage, ScmError } from '@scm/core';
import { contentTypeOf, type LocalFile } from './files.js';
import { assertSafeRelativePath, objectKey, type S3Location, s3Url } from './location.js';

/** An object under the prefix, by its path relative to the prefix. */
export interface RemoteObject {
  path: string;
  /** The ETag without its quotes. */
  etag: string;
  size: number;
}

/** An error of the object store naming the object (`s3://bucket/key`) and what was being done. */
export function objectStoreError(error: unknown, url: string, action: string): ScmError {
  const code = (error as { name?: unknown }).name;
  return new ScmError(
    action === 'download' || action === 'list' ? 'SCM_INPUT_NOT_FOUND' : 'SCM_OUTPUT_WRITE',
    `cannot ${action} ${url}: ${errorMessage(error)}${typeof code === 'string' && code !== 'Error' ? ` (${code})` : ''}; run the same command again to finish the publish`,
    { cause: error, location: { file: url } },
  );
}

/** Every object under the location's prefix (keys outside `prefix/` are not returned). */
export async function listObjects(client: S3Client, location: S3Location): Promise<RemoteObject[]> {
  const base = objectKey(location, '');
  const objects: RemoteObject[] = [];
  let token: string | undefined;
  do {
    const page = await client
      .send(
        new ListObjectsV2Command({
          Bucket: location.bucket,
          Prefix: base,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw objectStoreError(error, s3Url(location), 'list');
      });
    for (const entry of page.Contents ?? []) {
      if (!entry.Key) continue;
      const path = entry.Key.slice(base.length);
      objects.push({ path, etag: (entry.ETag ?? '').replace(/"/g, ''), size: entry.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

async function putMultipart(
  client: S3Client,
  bucket: string,
  key: string,
  file: LocalFile,
  partSize: number,
) {
  const created = await client.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentTypeOf(file.path) }),
  );
  const uploadId = created.UploadId;
  const handle = await open(file.absolute, 'r');
  try {
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let offset = 0, n = 1; offset < file.size; offset += partSize, n += 1) {
      const buffer = Buffer.alloc(Math.min(partSize, file.size - offset));
      await handle.read(buffer, 0, buffer.length, offset);
      const part = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: buffer,
          ContentMD5: md5Base64(buffer),
        }),
      );
      parts.push({ ETag: part.ETag ?? '', PartNumber: n });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Uploads one file to its key under the location: one PUT (with Content-MD5)
 * up to `partSize` bytes, a multipart upload of `partSize` parts above (aborted
 * on failure, so no parts are left billed).
 *
 * @throws ScmError `SCM_OUTPUT_WRITE` naming the object's URL.
 */
export async function putFile(
  client: S3Client,
  location: S3Location,
  file: LocalFile,
  partSize: number,
): Promise<void> {
  const key = objectKey(location, file.path);
  try {
    if (file.size > partSize) {
      await putMultipart(client, location.bucket, key, file, partSize);
      return;
    }
    const body = await readFile(file.absolute);
    await client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: key,
        Body: body,
        ContentMD5: md5Base64(body),
        ContentType: contentTypeOf(file.path),
      }),
    );
  } catch (error) {
    throw objectStoreError(error, s3Url(location, file.path), 'upload');
  }
}

/**
 * Deletes objects by their paths under the location, 1,000 per request.
 *
 * @throws ScmError `SCM_OUTPUT_WRITE` naming the first object S3 could not delete.
 */
export async function deleteObjects(client: S3Client, location: S3Location, paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 1000) {
    const batch = paths.slice(i, i + 1000);
    const result = await client
      .send(
        new DeleteObjectsCommand({
          Bucket: location.bucket,
          Delete: { Objects: batch.map((p) => ({ Key: objectKey(location, p) })), Quiet: true },
        }),
      )
      .catch((error: unknown) => {
        throw objectStoreError(error, s3Url(location, batch[0]), 'delete');
      });
    const failed = result.Errors?.[0];
    if (failed) {
      const url = `s3://${location.bucket}/${failed.Key ?? ''}`;
      throw objectStoreError(new Error(failed.Message ?? 'refused'), url, 'delete');
    }
  }
}

/**
 * Downloads every object under `location` into `dir`, keeping the relative
 * paths; a key that is not a safe relative path is refused, so no object
 * writes outside `dir`. Returns the paths written.
 */
export async function downloadPrefix(client: S3Client, location: S3Location, dir: string): Promise<string[]> {
  const objects = await listObjects(client, location);
  for (const object of objects) {
    assertSafeRelativePath(object.path, s3Url(location));
    const target = join(dir, ...object.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    try {
      const got = await client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: objectKey(location, object.path) }),
      );
      await pipeline(got.Body as Readable, createWriteStream(target));
    } catch (error) {
      throw objectStoreError(error, s3Url(location, object.path), 'download');
    }
  }
  return objects.map((o) => o.path);
}
