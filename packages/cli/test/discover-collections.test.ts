/**
 * `discover-collections` end to end over real HTTP: an in-process server
 * answers with the CMR-STAC sample responses (test/fixtures/cmr-stac, from
 * ../shared/samples), their host rewritten to the server's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, fixtures, tempDir } from './helpers.js';

const CMR = 'https://cmr.earthdata.nasa.gov';
const SLASH_ID = '10.3334/cdiac/otg.vos_alligatorhope_1999-2001_Not applicable';
const SLASH_PATH =
  '/stac/ORNL_CLOUD/collections/10.3334%2Fcdiac%2Fotg.vos_alligatorhope_1999-2001_Not%20applicable';

let server: Server;
let origin = '';
const seen: string[] = [];
/** Path -> status to answer instead of the fixture. */
const failing = new Map<string, number>();

function sample(name: string): string {
  return readFileSync(join(fixtures, 'cmr-stac', name), 'utf8');
}

/** The responses of a CMR-STAC with providers LPCLOUD and ORNL_CLOUD (and ALL, which discovery skips). */
function routes(): Map<string, unknown> {
  const root = JSON.parse(sample('root-catalog.json'));
  root.links = root.links.filter(
    (l: { rel: string; href: string }) => l.rel !== 'child' || /\/(LPCLOUD|ORNL_CLOUD|ALL)$/.test(l.href),
  );
  const lpcloud = JSON.parse(sample('provider-catalog-LPCLOUD.json'));
  const ornl = JSON.parse(sample('provider-catalog-LPCLOUD.json').replaceAll('LPCLOUD', 'ORNL_CLOUD'));
  const all = JSON.parse(sample('provider-catalog-LPCLOUD.json').replaceAll('LPCLOUD', 'ALL'));
  all.links = all.links.filter((l: { rel: string }) => l.rel !== 'search');
  all.conformsTo = ['https://api.stacspec.org/v1.0.0/core'];
  const page = JSON.parse(sample('collections-LPCLOUD-limit2.json'));
  page.links = page.links.filter((l: { rel: string }) => l.rel !== 'next');
  const slashCollection = { ...page.collections[0], id: SLASH_ID, title: 'Alligator Hope', links: [] };
  return new Map<string, unknown>([
    ['/stac', root],
    ['/stac/LPCLOUD', lpcloud],
    ['/stac/ORNL_CLOUD', ornl],
    ['/stac/ALL', all],
    ['/stac/LPCLOUD/collections?limit=100', page],
    ['/stac/ORNL_CLOUD/collections?limit=100', { links: [], collections: [slashCollection] }],
    [SLASH_PATH, slashCollection],
  ]);
}

beforeAll(async () => {
  const table = routes();
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push(path);
    const status = failing.get(path);
    const body = table.get(path);
    response.setHeader('content-type', 'application/json');
    if (status !== undefined || body === undefined) {
      response.statusCode = status ?? 404;
      response.end(JSON.stringify({ errors: ['Oops! Unable to find the requested resource.'] }));
      return;
    }
    response.end(JSON.stringify(body).replaceAll(CMR, origin));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('discover-collections', () => {
  it('prints the matching collections as JSON with their items and search links', async () => {
    const run = await cli([
      'discover-collections',
      '--catalog-url',
      `${origin}/stac`,
      '--collection-id',
      'HLS*',
    ]);

    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(listed.map((c) => c.id)).toEqual(['HLSL30_2.0', 'HLSS30_2.0']);
    expect(listed[1]).toMatchObject({
      provider: 'LPCLOUD',
      url: `${origin}/stac/LPCLOUD/collections/HLSS30_2.0`,
      items_url: `${origin}/stac/LPCLOUD/collections/HLSS30_2.0/items?limit=2`,
      search_url: `${origin}/stac/LPCLOUD/search`,
      parent_url: `${origin}/stac/LPCLOUD`,
    });
    expect(run.stderr).toContain(`skipped virtual ${origin}/stac/ALL`);
    expect(seen).not.toContain('/stac/ALL/collections?limit=100');
  });

  it('writes CSV to --output-path, one row per collection', async () => {
    const dir = tempDir();
    const run = await cli(
      [
        'discover-collections',
        '--catalog-url',
        `${origin}/stac`,
        '--output',
        'csv',
        '--output-path',
        'c.csv',
      ],
      { cwd: dir },
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('discover-collections: wrote 3 collection(s) to c.csv\n');
    const rows = Papa.parse<Record<string, string>>(readFileSync(join(dir, 'c.csv'), 'utf8'), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows.map((r) => [r.id, r.provider, r.start])).toEqual([
      ['HLSL30_2.0', 'LPCLOUD', '2013-04-11T00:00:00.000Z'],
      ['HLSS30_2.0', 'LPCLOUD', '2015-11-28T00:00:00.000Z'],
      [SLASH_ID, 'ORNL_CLOUD', '2013-04-11T00:00:00.000Z'],
    ]);
  });

  it('--dry-run discovers but writes no file', async () => {
    const dir = tempDir();
    const run = await cli(
      ['--dry-run', 'discover-collections', '--catalog-url', `${origin}/stac`, '--output-path', 'c.json'],
      { cwd: dir },
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('discover-collections: would write 3 collection(s) to c.json\n');
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });

  it('reads a literal id with / and a space at its encoded path, and exits 1 naming an id no provider has', async () => {
    seen.length = 0;
    const run = await cli([
      'discover-collections',
      '--catalog-url',
      `${origin}/stac`,
      '--collection-ids',
      `${SLASH_ID},NO_SUCH_1`,
    ]);

    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { id: string }[]).map((c) => c.id)).toEqual([SLASH_ID]);
    expect(seen).toContain(SLASH_PATH);
    expect(run.stderr).toContain('not found: collection NO_SUCH_1');
  });

  it('reports a provider that keeps failing after --max-attempts, lists the rest and exits 1', async () => {
    seen.length = 0;
    failing.set('/stac/LPCLOUD/collections?limit=100', 503);
    try {
      const run = await cli([
        'discover-collections',
        '--catalog-url',
        `${origin}/stac`,
        '--max-attempts',
        '2',
      ]);

      expect(run.code).toBe(1);
      expect((JSON.parse(run.stdout) as { id: string }[]).map((c) => c.id)).toEqual([SLASH_ID]);
      expect(run.stderr).toContain(
        `failed: collections page ${origin}/stac/LPCLOUD/collections?limit=100 (HTTP 503)`,
      );
      expect(seen.filter((p) => p === '/stac/LPCLOUD/collections?limit=100')).toHaveLength(2);
    } finally {
      failing.clear();
    }
  });

  it('exits 2 on a bad --bbox or --datetime without a request', async () => {
    seen.length = 0;
    const bbox = await cli([
      'discover-collections',
      '--catalog-url',
      `${origin}/stac`,
      '--bbox',
      '10,20,x,40',
    ]);
    const datetime = await cli([
      'discover-collections',
      '--catalog-url',
      `${origin}/stac`,
      '--datetime',
      'yesterday',
    ]);

    expect([bbox.code, datetime.code]).toEqual([2, 2]);
    expect(bbox.stderr).toContain('--bbox 10,20,x,40');
    expect(datetime.stderr).toContain('datetime filter "yesterday"');
    expect(seen).toEqual([]);
  });
});
