import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertSafeRelativePath,
  contentTypeOf,
  createS3Client,
  expectedEtag,
  isS3Url,
  listLocalFiles,
  objectKey,
  parseS3Url,
  s3Url,
} from '../src/index.js';

describe('s3:// URLs and keys', () => {
  it('reads bucket and prefix, with or without a trailing slash', () => {
    expect(isS3Url('S3://b/p')).toBe(true);
    expect(isS3Url('/data/s3/x')).toBe(false);
    expect(parseS3Url('s3://cat/a/b/')).toEqual({ bucket: 'cat', prefix: 'a/b' });
    expect(parseS3Url('s3://cat')).toEqual({ bucket: 'cat', prefix: '' });
    expect(s3Url({ bucket: 'cat', prefix: 'a' }, 'x/y.json')).toBe('s3://cat/a/x/y.json');
    expect(objectKey({ bucket: 'cat', prefix: '' }, 'catalog.json')).toBe('catalog.json');
  });

  it('refuses a URL without a bucket or with a traversing prefix', () => {
    expect(() => parseS3Url('s3:///p')).toThrow(/not an s3:\/\/bucket\/prefix URL/);
    expect(() => parseS3Url('s3://b/a/../c')).toThrow(expect.objectContaining({ code: 'SCM_OUTPUT_PATH' }));
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a//b', './a', 'a\\..\\b', ''])(
    'refuses the path %j, which could leave the prefix',
    (path) => {
      expect(() => assertSafeRelativePath(path)).toThrow(
        expect.objectContaining({ code: 'SCM_OUTPUT_PATH' }),
      );
      expect(() => objectKey({ bucket: 'b', prefix: 'p' }, path || '/')).toThrow(/unsafe object path/);
    },
  );

  it('gives objects the content type a server should send', () => {
    expect(contentTypeOf('a/catalog.json')).toBe('application/json');
    expect(contentTypeOf('ndjson/c/items.ndjson')).toBe('application/x-ndjson');
    expect(contentTypeOf('parquet/c/items.parquet')).toBe('application/vnd.apache.parquet');
  });
});

describe('local files and their ETags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scm-object-store-'));
  mkdirSync(join(dir, 'c', 'item'), { recursive: true });
  writeFileSync(join(dir, 'catalog.json'), '{}\n');
  writeFileSync(join(dir, 'c', 'item', 'item.json'), '{"id":"item"}\n');

  it('lists files by relative path with / separators, sorted', async () => {
    const files = await listLocalFiles(dir);
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['c/item/item.json', 14],
      ['catalog.json', 3],
    ]);
  });

  it('computes the MD5 ETag of one part and the multipart ETag of several', async () => {
    const bytes = Buffer.alloc(11 * 1024 * 1024, 7);
    const path = join(dir, 'big.bin');
    writeFileSync(path, bytes);
    const file = { path: 'big.bin', absolute: path, size: bytes.length };
    const md5 = (b: Buffer) => createHash('md5').update(b).digest();
    expect(await expectedEtag(file, 16 * 1024 * 1024)).toBe(md5(bytes).toString('hex'));
    const part = 5 * 1024 * 1024;
    const parts = [bytes.subarray(0, part), bytes.subarray(part, 2 * part), bytes.subarray(2 * part)];
    const multipart = `${createHash('md5')
      .update(Buffer.concat(parts.map(md5)))
      .digest('hex')}-3`;
    expect(await expectedEtag(file, part)).toBe(multipart);
  });
});

describe('createS3Client', () => {
  it('takes the endpoint, region and path style from the environment', async () => {
    const client = createS3Client({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('eu-west-3');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    const s3 = createS3Client({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2', AWS_ENDPOINT_URL: 'http://x:3' });
    expect((await s3.config.endpoint?.())?.port).toBe(2);
    expect(createS3Client({}).config.forcePathStyle).toBe(false);
  });
});
