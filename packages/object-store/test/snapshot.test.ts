/**
 * Snapshot publishes against the local S3 server (moto, tools/ci/start-s3.sh; SCM_S3_ENDPOINT): each publish
 * under `runs/<run>/`, unchanged objects copied from the previous snapshot, the root switched last, older
 * snapshots removed, and a reader following the root sees one whole catalog. Without the server the suite is
 * skipped with its reason (a failure under SCM_REQUIRE_INTEGRATION=1).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { downloadPrefix, listObjects, OUTPUT_MARKER, publishSnapshot, rootOfSnapshot } from '../src/index.js';
import { newBucket, s3Gate } from './s3-server.js';

/** A small self-contained catalog, as the JSON tree writer lays it out. */
function catalog(note: string): Record<string, string> {
  const link = (rel: string, href: string) => ({ rel, href, type: 'application/json' });
  return {
    [OUTPUT_MARKER]: '{"tool":"stac-catalog-manager"}\n',
    'catalog.json': JSON.stringify({
      type: 'Catalog',
      id: 'root',
      links: [link('root', './catalog.json'), link('child', './c1/collection.json')],
    }),
    'c1/collection.json': JSON.stringify({
      type: 'Collection',
      id: 'c1',
      links: [link('root', '../catalog.json'), link('item', './a/a.json'), link('item', './b/b.json')],
    }),
    'c1/a/a.json': JSON.stringify({ id: 'a', note, links: [link('root', '../../catalog.json')] }),
    'c1/b/b.json': JSON.stringify({ id: 'b', links: [link('root', '../../catalog.json')] }),
  };
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-snapshot-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function text(client: S3Client, bucket: string, key: string): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString()) ?? '';
}

/** Walks the catalog as a reader does, from the prefix's root: the text of every item it reaches. */
async function walk(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const items: string[] = [];
  const visit = async (key: string): Promise<void> => {
    const object = JSON.parse(await text(client, bucket, key)) as { links?: { rel: string; href: string }[] };
    const base = key.slice(0, key.lastIndexOf('/') + 1);
    for (const link of object.links ?? []) {
      const target = new URL(link.href, `s3://x/${base}`).pathname.slice(1);
      if (link.rel === 'child') await visit(target);
      if (link.rel === 'item') items.push(await text(client, bucket, target));
    }
  };
  await visit(`${prefix}/catalog.json`);
  return items;
}

describe('publishSnapshot on a local S3 server', () => {
  describe.skipIf(s3Gate.skip)(s3Gate.title('moto'), () => {
    it('publishes each run under runs/<run>/, copies what did not change, switches the root last, keeps one older run', async () => {
      const { client, bucket } = await newBucket('snapshot');
      const location = { bucket, prefix: 'cat' };
      const first = await publishSnapshot({ client, location, dir: folder(catalog('one')) });
      expect(first.copied).toEqual([]);
      expect(await walk(client, bucket, 'cat')).toContain(
        JSON.stringify({
          id: 'a',
          note: 'one',
          links: [{ rel: 'root', href: '../../catalog.json', type: 'application/json' }],
        }),
      );

      const second = await publishSnapshot({ client, location, dir: folder(catalog('two')) });
      expect(second.run > first.run).toBe(true);
      expect(second.uploaded.sort()).toEqual(['c1/a/a.json', 'catalog.json']);
      expect(second.copied.sort()).toEqual(
        [OUTPUT_MARKER, 'c1/b/b.json', 'c1/collection.json', 'catalog.json'].sort(),
      );
      const notes = (await walk(client, bucket, 'cat')).map((t) => JSON.parse(t).note ?? null);
      expect(notes.sort()).toEqual(['two', null].sort());
      const root = JSON.parse(await text(client, bucket, 'cat/catalog.json'));
      expect(root.links.map((l: { href: string }) => l.href)).toEqual([
        `./runs/${second.run}/catalog.json`,
        `./runs/${second.run}/c1/collection.json`,
      ]);

      const third = await publishSnapshot({ client, location, dir: folder(catalog('three')) });
      const paths = (await listObjects(client, location)).map((o) => o.path);
      const runs = new Set(paths.filter((p) => p.startsWith('runs/')).map((p) => p.split('/')[1]));
      expect([...runs].sort()).toEqual([second.run, third.run].sort());
      expect(third.deleted.every((path) => path.startsWith(`runs/${first.run}/`))).toBe(true);
      expect(third.deleted).toHaveLength(5);
      const local = mkdtempSync(join(tmpdir(), 'scm-snapshot-read-'));
      await downloadPrefix(client, location, local);
      expect(JSON.parse(readFileSync(join(local, 'runs', third.run, 'c1/a/a.json'), 'utf8')).note).toBe(
        'three',
      );
    });

    it('refuses a catalog with absolute links before writing anything', async () => {
      const { client, bucket } = await newBucket('snapshot-abs');
      const files = catalog('x');
      files['catalog.json'] = JSON.stringify({
        type: 'Catalog',
        id: 'root',
        links: [{ rel: 'self', href: 'https://example.com/catalog.json' }],
      });
      await expect(
        publishSnapshot({ client, location: { bucket, prefix: 'cat' }, dir: folder(files) }),
      ).rejects.toMatchObject({
        code: 'SCM_CONFIG_INVALID',
      });
      expect(await listObjects(client, { bucket, prefix: 'cat' })).toEqual([]);
    });
  });
});

describe('rootOfSnapshot', () => {
  it('leads the root catalog relative links into the snapshot', () => {
    const root = rootOfSnapshot(
      {
        links: [
          { rel: 'child', href: './c1/collection.json' },
          { rel: 'root', href: 'catalog.json' },
        ],
      },
      'R1',
    );
    expect(root).toEqual({
      links: [
        { rel: 'child', href: './runs/R1/c1/collection.json' },
        { rel: 'root', href: './runs/R1/catalog.json' },
      ],
    });
  });
});
