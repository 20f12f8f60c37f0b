import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from './helpers.js';

const items = join(repoRoot, 'examples/quickstart/data/items.ndjson');
const HLS = 'HLS.S30.T13SFC.2022273T174141.v2.0';

function setUp(updates: string): { dir: string; updates: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'scm-cli-update-'));
  writeFileSync(join(dir, 'updates.yaml'), updates);
  return { dir, updates: join(dir, 'updates.yaml'), out: join(dir, 'items.ndjson') };
}

const args = (s: { updates: string; out: string }) => [
  '--input',
  items,
  '--updates',
  s.updates,
  '--output-path',
  s.out,
];

describe('update-metadata', () => {
  it('updates an items file, prints the counts and exits 0', async () => {
    const s = setUp(
      `updates:\n  - select: { collection: sentinel-2-l2a }\n    set: { properties.note: "{item_id}" }\n`,
    );
    const run = await cli(['update-metadata', ...args(s)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('update-metadata: records: 1 updated, 23 unchanged, 0 deleted, 0 failed');
    const written = readFileSync(s.out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written.find((i) => i.collection === 'sentinel-2-l2a').properties.note).toBe(
      'S2A_13TDE_20231008_0_L2A',
    );
    expect(JSON.parse(readFileSync(join(s.dir, 'items.summary.json'), 'utf8'))).toMatchObject({ updated: 1 });
  });

  it('exits 1 and keeps the original when an update makes an item invalid', async () => {
    const s = setUp(`updates:\n  - select: { ids: [${HLS}] }\n    set: { geometry: broken }\n`);
    const run = await cli(['update-metadata', ...args(s)]);
    expect(run.code).toBe(1);
    const kept = readFileSync(s.out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((i) => i.id === HLS);
    expect(kept.geometry.type).toBe('Polygon');
    const failure = JSON.parse(readFileSync(join(s.dir, 'items.failed_items.ndjson'), 'utf8'));
    expect(failure).toMatchObject({ item_id: HLS, error_type: 'validation_error' });
  });

  it('with --dry-run prints the changes and writes nothing', async () => {
    const s = setUp(`updates:\n  - select: { ids: [${HLS}] }\n    delete: true\n`);
    const run = await cli(['--dry-run', 'update-metadata', ...args(s)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${HLS}: delete`);
    expect(readdirSync(s.dir)).toEqual(['updates.yaml']);
  });

  it('exits 2 on a bad updates file, naming the file and key, and writes nothing', async () => {
    const s = setUp('updates:\n  - delete: true\n    select:\n      colection: x\n');
    const run = await cli(['update-metadata', ...args(s)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /SCM_CONFIG_INVALID\]: .*updates\.yaml:4: updates\[0\]\.select\.colection: unknown selection/,
    );
    expect(existsSync(s.out)).toBe(false);
  });
});
