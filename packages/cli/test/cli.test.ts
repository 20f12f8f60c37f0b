import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/index.js';
import { cli, fixtures, tempDir } from './helpers.js';

const quickstart = resolve(fixtures, '../../../../examples/quickstart/config.yaml');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

describe('help and version', () => {
  it('prints the version', async () => {
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  });

  it('lists every PRD subcommand, each with an example in its help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    const commands = [
      'discover-collections',
      'fetch-items',
      'transform-metadata',
      'scaffold-items',
      'apply-extensions',
      'validate',
      'rebuild-catalog',
      'update-metadata',
      'output',
      'config',
    ];
    for (const name of commands) expect(run.stdout).toContain(name);
    for (const name of commands.filter((c) => c !== 'config')) {
      const help = await cli([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(/Example:\n {2}\$ stac-catalog-manager /);
    }
  });

  it('exits 2 on an unknown option', async () => {
    const run = await cli(['validate', '--input', 'x.json', '--no-such-option']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
  });
});

describe('rebuild-catalog', () => {
  it('rebuilds the quickstart: tree, NDJSON, summary, no failures', async () => {
    const out = tempDir();
    const config = join(out, 'config.yaml');
    const text = readFileSync(quickstart, 'utf8')
      .replace('path: output', `path: ${join(out, 'catalog')}`)
      .replace(/data\//g, `${resolve(quickstart, '../data')}/`)
      .replace(/file: .*$/m, `file: ${join(out, 'run.log')}`);
    await import('node:fs/promises').then((fs) => fs.writeFile(config, text));
    const run = await cli(['rebuild-catalog', '--config', config, '--mode', 'full']);
    expect(run.stderr).not.toMatch(/error|warn/i); // at most a progress line
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/processed 24, succeeded 24, failed 0/);
    const root = join(out, 'catalog');
    const summary = JSON.parse(readFileSync(join(root, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ processed: 24, succeeded: 24, failed: 0, collections: 4 });
    expect(existsSync(join(root, 'catalog.json'))).toBe(true);
    expect(existsSync(join(root, 'HLSS30_2.0', 'collection.json'))).toBe(true);
    const ndjson = readFileSync(join(root, 'ndjson', 'naip', 'items.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(ndjson).toHaveLength(20);
    expect(existsSync(join(root, 'failed_items.ndjson'))).toBe(false);
    const log = readFileSync(join(out, 'run.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.some((l) => l.message === 'rebuild finished' && l.level === 'INFO')).toBe(true);
  });

  it('runs incremental after full: nothing changed, a per-collection table, every item unchanged', async () => {
    const out = tempDir();
    const config = join(out, 'config.yaml');
    const text = readFileSync(quickstart, 'utf8')
      .replace('path: output', `path: ${join(out, 'catalog')}`)
      .replace(/data\//g, `${resolve(quickstart, '../data')}/`)
      .replace(/file: .*$/m, `file: ${join(out, 'run.log')}`);
    await import('node:fs/promises').then((fs) => fs.writeFile(config, text));
    expect((await cli(['rebuild-catalog', '--config', config])).code).toBe(0);
    const run = await cli(['rebuild-catalog', '--config', config, '--mode', 'incremental']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/added 0, modified 0, deleted 0, unchanged 24/);
    expect(run.stdout).toMatch(/strategy: listing compared by content hash/);
    expect(run.stdout).toMatch(/^\s+naip\s+0\s+0\s+0\s+20$/m);
    expect(run.stdout).toMatch(/^\s+total\s+0\s+0\s+0\s+24$/m);
    const summary = JSON.parse(readFileSync(join(out, 'catalog', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ mode: 'incremental', unchanged: 24, succeeded: 0 });
  });

  it('puts a broken item in failed_items.ndjson and writes every other item (exit 1)', async () => {
    const out = join(tempDir(), 'out');
    const run = await cli(['rebuild-catalog', '--config', join(fixtures, 'broken/config.yaml')], {
      env: { OUT_DIR: out },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/processed 5, succeeded 2, failed 3/);
    const failures = readFileSync(join(out, 'failed_items.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const byId = Object.fromEntries(failures.map((f) => [f.item_id, f]));
    expect(byId['bad-datetime'].error_type).toBe('validation_error');
    expect(byId['bad-datetime'].error_context.step).toBe('validate');
    expect(byId['bad-datetime'].error_message).toMatch(/datetime/);
    expect(byId['missing-geometry'].error_message).toMatch(/geometry/);
    const unreadable = failures.find((f) => f.error_context.step === 'read');
    expect(unreadable.error_context.line).toBe(5);
    for (const f of failures) {
      expect(Object.keys(f).sort()).toEqual(['error_context', 'error_message', 'error_type', 'item_id']);
      expect(f.error_context.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
    const items = readFileSync(join(out, 'ndjson', 'naip', 'items.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(items).toHaveLength(2);
  });

  it.each([
    ['wrong-type.yaml', /wrong-type\.yaml:\d+:\d+.*processing\.concurrency/s],
    ['unknown-key.yaml', /unknown-key\.yaml:\d+:\d+.*(colour|output)/s],
    ['missing-var.yaml', /missing-var\.yaml:\d+:\d+.*SCM_TEST_UNSET_VARIABLE/s],
  ])('refuses %s with exit 2, file:line and key path, writing nothing', async (file, message) => {
    const parent = tempDir();
    const out = join(parent, 'out');
    const run = await cli(['rebuild-catalog', '--config', join(fixtures, 'bad-config', file)], {
      env: { OUT_DIR: out },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('writes ids such as ../../escape and a/b inside the output folder, linked from their parents', async () => {
    const parent = tempDir();
    const out = join(parent, 'out');
    const run = await cli(['rebuild-catalog', '--config', join(fixtures, 'escape/config.yaml'), '--quiet'], {
      env: { OUT_DIR: out },
    });
    expect(run.code).toBe(0);
    expect(readdirSync(parent)).toEqual(['out']);
    const files = listFiles(out);
    for (const f of files) expect(relative(out, f).startsWith('..')).toBe(false);
    const items = files.filter(
      (f) => f.endsWith('.json') && !f.endsWith('collection.json') && !f.endsWith('catalog.json'),
    );
    const ids = new Set<string>();
    for (const file of items) {
      const item = JSON.parse(readFileSync(file, 'utf8'));
      if (item.type !== 'Feature') continue;
      ids.add(item.id);
      const parentLink = item.links.find((l: { rel: string }) => l.rel === 'parent');
      const parentFile = resolve(file, '..', parentLink.href);
      const parentDoc = JSON.parse(readFileSync(parentFile, 'utf8'));
      const itemLinks = parentDoc.links.filter((l: { rel: string }) => l.rel === 'item');
      expect(itemLinks.map((l: { href: string }) => resolve(parentFile, '..', l.href))).toContain(file);
    }
    expect(ids).toEqual(new Set(['../../escape', 'a/b', 'vt_m_4307307_ne_18_030_20230622_20231113']));
  });

  it('--dry-run reads and validates but writes nothing', async () => {
    const parent = tempDir();
    const out = join(parent, 'out');
    const run = await cli(
      ['--dry-run', 'rebuild-catalog', '--config', join(fixtures, 'broken/config.yaml')],
      {
        env: { OUT_DIR: out },
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed 3/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses to replace a non-empty folder it did not write', async () => {
    const out = tempDir();
    await import('node:fs/promises').then((fs) => fs.writeFile(join(out, 'precious.txt'), 'keep me'));
    const run = await cli(['rebuild-catalog', '--config', join(fixtures, 'escape/config.yaml'), '--quiet'], {
      env: { OUT_DIR: out },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCM_OUTPUT_EXISTS.*pass --overwrite to replace it/);
    expect(readdirSync(out)).toEqual(['precious.txt']);
    const forced = await cli(
      ['rebuild-catalog', '--config', join(fixtures, 'escape/config.yaml'), '--quiet', '--overwrite'],
      { env: { OUT_DIR: out } },
    );
    expect(forced.code).toBe(0);
    expect(readdirSync(out)).toContain('catalog.json');
    expect(readdirSync(out)).not.toContain('precious.txt');
  });
});

describe('validate', () => {
  it('reports valid, errors and warnings per object with JSON paths', async () => {
    const dir = tempDir();
    const report = join(dir, 'report.json');
    const run = await cli([
      'validate',
      '--input',
      join(fixtures, 'broken/items.ndjson'),
      '--output-report',
      report,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/5 object\(s\): 2 valid, 3 invalid/);
    const parsed = JSON.parse(readFileSync(report, 'utf8'));
    expect(parsed.valid).toBe(false);
    expect(parsed.reports).toHaveLength(5);
    const bad = parsed.reports.find((r: { id: string }) => r.id === 'bad-datetime');
    expect(bad.valid).toBe(false);
    expect(bad.errors.some((e: { path: string }) => e.path === '/properties/datetime')).toBe(true);
    expect(bad.warnings).toEqual(expect.any(Array));
    expect(parsed.summary).toMatchObject({ total: 5, invalid: 3 });
  });

  it('exits 0 when every object is valid', async () => {
    const run = await cli(['validate', '--input', resolve(quickstart, '../data')]);
    expect(run.stdout).toMatch(/25 object\(s\): 25 valid, 0 invalid/);
    expect(run.code).toBe(0);
  });
  it('--workers sets the validation threads: the same report from 0 (main thread) and 2, a bad count exits 2', async () => {
    const dir = tempDir();
    const input = join(fixtures, 'broken/items.ndjson');
    const reports = [];
    for (const workers of ['0', '2']) {
      const report = join(dir, `report-${workers}.json`);
      const run = await cli(['validate', '--input', input, '--output-report', report, '--workers', workers]);
      expect(run.code).toBe(1);
      reports.push(readFileSync(report, 'utf8'));
    }
    expect(reports[1]).toBe(reports[0]);
    const bad = await cli(['validate', '--input', input, '--workers', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workers two: expected a whole number/);
  });
});

describe('config', () => {
  it('validate accepts the quickstart config', async () => {
    const run = await cli(['config', 'validate', '--config', quickstart]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/valid/);
  });
  it('schema prints a JSON Schema', async () => {
    const run = await cli(['config', 'schema']);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.output).toBeDefined();
  });
});
