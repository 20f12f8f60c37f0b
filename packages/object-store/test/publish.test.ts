/**
 * The publisher against a real S3-compatible server (moto, started by
 * tools/ci/start-s3.sh; SCM_S3_ENDPOINT): order of the writes, changed-only
 * uploads, stale objects removed, foreign prefixes refused, failures named.
 * Without the server the suite is skipped with its reason (a failure under
 * SCM_REQUIRE_INTEGRATION=1).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { downloadPrefix, listObjects, OUTPUT_MARKER, publishFolder, type S3Location } from '../src/index.js';
import { newBucket, s3Gate } from './s3-server.js';

/** Writes `files` (relative path → text) into a fresh folder. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-publish-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const CATALOG = {
  [OUTPUT_MARKER]: '{"tool":"stac-catalog-manager"}\n',
  'catalog.json': '{"type":"Catalog","id":"root"}\n',
  'c1/collection.json': '{"type":"Collection","id":"c1"}\n',
  'c1/a/a.json': '{"id":"a"}\n',
  'c1/b/b.json': '{"id":"b"}\n',
  'ndjson/c1/items.ndjson': '{"id":"a"}\n{"id":"b"}\n',
};

/** Records every request the client sends, as `Command key`, and can make one of them fail. */
function recorded(client: S3Client, failOn?: (name: string, key: string) => boolean): string[] {
  const log: string[] = [];
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as { send: unknown }).send = (command: {
    constructor: { name: string };
    input: { Key?: string };
  }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    const key = command.input.Key ?? '';
    log.push(`${name} ${key}`.trim());
    if (failOn?.(name, key))
      return Promise.reject(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    return send(command);
  };
  return log;
}

async function text(client: S3Client, bucket: string, key: string): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString()) ?? '';
}

describe('publishFolder on a local S3 server', () => {
  describe.skipIf(s3Gate.skip)(s3Gate.title('moto'), () => {
    it('uploads the marker first and the root catalog.json last, with content types', async () => {
      const { client, bucket } = await newBucket('order');
      const location: S3Location = { bucket, prefix: 'cat/v1' };
      const log = recorded(client);
      const result = await publishFolder({ client, dir: folder(CATALOG), location, concurrency: 3 });
      const puts = log.filter((l) => l.startsWith('PutObject')).map((l) => l.slice('PutObject '.length));
      expect(puts[0]).toBe(`cat/v1/${OUTPUT_MARKER}`);
      expect(puts.at(-1)).toBe('cat/v1/catalog.json');
      expect(puts).toHaveLength(Object.keys(CATALOG).length);
      expect(result.uploaded.at(-1)).toBe('catalog.json');
      expect(await text(client, bucket, 'cat/v1/c1/a/a.json')).toBe(CATALOG['c1/a/a.json']);
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cat/v1/catalog.json' }));
      expect(head.ContentType).toBe('application/json');
    });

    it('on a rerun uploads only changed objects, then deletes the stale ones after the root', async () => {
      const { client, bucket } = await newBucket('rerun');
      const location: S3Location = { bucket, prefix: 'cat' };
      await publishFolder({ client, dir: folder(CATALOG), location });
      const { 'c1/b/b.json': _gone, ...rest } = CATALOG;
      const next = folder({
        ...rest,
        'c1/a/a.json': '{"id":"a","v":2}\n',
        'c1/c/c.json': '{"id":"c"}\n',
        'catalog.json': '{"type":"Catalog","id":"root","v":2}\n',
      });
      const log = recorded(client);
      const result = await publishFolder({ client, dir: next, location });
      expect(result.uploaded.sort()).toEqual(['c1/a/a.json', 'c1/c/c.json', 'catalog.json']);
      expect(result.unchanged.sort()).toEqual(
        [OUTPUT_MARKER, 'c1/collection.json', 'ndjson/c1/items.ndjson'].sort(),
      );
      expect(result.deleted).toEqual(['c1/b/b.json']);
      const rootAt = log.indexOf('PutObject cat/catalog.json');
      const deleteAt = log.findIndex((l) => l.startsWith('DeleteObjects'));
      expect(rootAt).toBeGreaterThan(-1);
      expect(deleteAt).toBeGreaterThan(rootAt);
      expect((await listObjects(client, location)).map((o) => o.path).sort()).toEqual(
        Object.keys({ ...rest, 'c1/c/c.json': '' }).sort(),
      );
      const again = await publishFolder({ client, dir: next, location });
      expect(again.uploaded).toEqual([]);
      expect(again.deleted).toEqual([]);
    });

    it('refuses a non-empty prefix it did not write unless overwrite, and leaves kept paths alone', async () => {
      const { client, bucket } = await newBucket('foreign');
      const location: S3Location = { bucket, prefix: 'data' };
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/precious.tif', Body: 'x' }));
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'data/shards/0/shard.json', Body: '{}' }),
      );
      await expect(publishFolder({ client, dir: folder(CATALOG), location })).rejects.toMatchObject({
        code: 'SCM_OUTPUT_EXISTS',
        message: expect.stringContaining(`s3://${bucket}/data/`),
      });
      expect((await listObjects(client, location)).map((o) => o.path).sort()).toEqual([
        'precious.tif',
        'shards/0/shard.json',
      ]);
      const result = await publishFolder({
        client,
        dir: folder(CATALOG),
        location,
        overwrite: true,
        keep: ['shards/'],
      });
      expect(result.deleted).toEqual(['precious.tif']);
      const paths = (await listObjects(client, location)).map((o) => o.path);
      expect(paths).toContain('shards/0/shard.json');
      expect(paths).not.toContain('precious.tif');
      // Only kept paths under the prefix: not foreign.
      const { client: c2, bucket: b2 } = await newBucket('kept');
      await c2.send(new PutObjectCommand({ Bucket: b2, Key: 'shards/1/shard.json', Body: '{}' }));
      await publishFolder({
        client: c2,
        dir: folder(CATALOG),
        location: { bucket: b2, prefix: '' },
        keep: ['shards/'],
      });
    });

    it('names the object that failed, publishes no root then, and a rerun completes the publish', async () => {
      const { client, bucket } = await newBucket('fail');
      const location: S3Location = { bucket, prefix: 'cat' };
      const dir = folder(CATALOG);
      const log = recorded(client, (name, key) => name === 'PutObject' && key === 'cat/c1/b/b.json');
      await expect(publishFolder({ client, dir, location, concurrency: 1 })).rejects.toMatchObject({
        code: 'SCM_OUTPUT_WRITE',
        message: expect.stringMatching(
          new RegExp(`cannot upload s3://${bucket}/cat/c1/b/b.json: slow down \\(SlowDown\\)`),
        ),
      });
      expect(log).not.toContain('PutObject cat/catalog.json');
      const { client: fresh } = await newBucket('fail-rerun');
      const result = await publishFolder({ client: fresh, dir, location });
      expect(result.uploaded).toContain('c1/b/b.json');
      expect(result.uploaded).toContain('catalog.json');
      expect(result.unchanged).toContain('c1/a/a.json');
    });

    it('uploads a large file in parts and finds it unchanged the next time; downloads a prefix back', async () => {
      const { client, bucket } = await newBucket('multipart');
      const location: S3Location = { bucket, prefix: 'big' };
      const bytes = Buffer.alloc(6 * 1024 * 1024 + 17, 3);
      const dir = folder({ 'catalog.json': '{}', [OUTPUT_MARKER]: '{}' });
      mkdirSync(join(dir, 'parquet'));
      writeFileSync(join(dir, 'parquet', 'items.parquet'), bytes);
      const partSize = 5 * 1024 * 1024;
      const log = recorded(client);
      await publishFolder({ client, dir, location, partSize });
      expect(log.filter((l) => l.startsWith('UploadPart'))).toHaveLength(2);
      const again = await publishFolder({ client, dir, location, partSize });
      expect(again.uploaded).toEqual([]);
      const back = mkdtempSync(join(tmpdir(), 'scm-download-'));
      expect((await downloadPrefix(client, location, back)).sort()).toEqual([
        OUTPUT_MARKER,
        'catalog.json',
        'parquet/items.parquet',
      ]);
      const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
      expect(md5(readFileSync(join(back, 'parquet', 'items.parquet')))).toBe(md5(bytes));
      rmSync(back, { recursive: true });
    });
  });
});
