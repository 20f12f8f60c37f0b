import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Failure } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';
import { cli, fixtures, tempDir } from './helpers.js';

const repo = resolve(fixtures, '../../../..');
/** Two good quickstart items, a line that is not JSON, a line holding an array, a truncated last line. */
const bad = join(fixtures, 'lost/bad.ndjson');
const scenario4 = join(repo, 'examples/scenario4');
const mapping = join(scenario4, 'mapping.yaml');

function failuresIn(file: string): Failure[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Failure);
}

/** The three unreadable lines of bad.ndjson, as every command must report them. */
function expectTheThreeBadLines(failures: Failure[]): void {
  const unreadable = failures.filter((f) => f.error_type === 'parse_error');
  expect(unreadable.map((f) => f.error_context.line)).toEqual([2, 4, 5]);
  for (const failure of unreadable) {
    expect(failure.item_id).toBe(`${bad}:${failure.error_context.line}`);
    expect(failure.error_context).toMatchObject({ step: 'read', file: bad });
    expect(failure.error_context.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(failure.error_message.startsWith(`${bad}:${failure.error_context.line}: `)).toBe(true);
  }
  expect(unreadable[0]!.error_context.source_data).toBe('this line is not JSON');
  expect(unreadable[1]!.error_message).toMatch(/holds an array, expected a JSON object/);
  expect(unreadable[2]!.error_context.source_data).toMatch(
    /^\{"id":"vt_m_4307308_nw_18_030_20230622_20231113"/,
  );
}

describe('unreadable records are never dropped', () => {
  it('output: writes them to failed_items.ndjson in the output folder, counts them, exits 1', async () => {
    const out = join(tempDir(), 'out');
    const run = await cli(['output', '--input', bad, '--output-format', 'ndjson', '--output-path', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/2 item\(s\), 3 failed/);
    expect(run.stdout).toContain(`failures: ${join(out, 'failed_items.ndjson')}`);
    expectTheThreeBadLines(failuresIn(join(out, 'failed_items.ndjson')));
  });

  it('apply-extensions and transform-metadata: into the output-named failures file, exit 1', async () => {
    const dir = tempDir();
    const extend = await cli([
      'apply-extensions',
      '--input',
      bad,
      '--extension',
      'dgeo',
      '--output-path',
      join(dir, 'extended.ndjson'),
    ]);
    expect(extend.code).toBe(1);
    expectTheThreeBadLines(failuresIn(join(dir, 'extended.failed_items.ndjson')));
    const transform = await cli([
      'transform-metadata',
      '--input',
      bad,
      '--mapping-schema',
      mapping,
      '--output-path',
      join(dir, 'mapped.ndjson'),
    ]);
    expect(transform.code).toBe(1);
    expect(transform.stdout).toMatch(/parse_error 3/);
    expectTheThreeBadLines(failuresIn(join(dir, 'mapped.failed_items.ndjson')));
  });

  it('rebuild-catalog: into failed_items.ndjson of the output folder, counted in summary.json', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yaml'),
      `workflow: { name: lost }\nsource: { type: local_files, paths: [${bad}] }\noutput: { format: [ndjson], path: out }\n`,
    );
    const run = await cli(['rebuild-catalog', '--config', join(dir, 'config.yaml')]);
    expect(run.code).toBe(1);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ succeeded: 2, failed: 3, failures_by_type: { parse_error: 3 } });
    expectTheThreeBadLines(failuresIn(join(dir, 'out', 'failed_items.ndjson')));
  });

  it('output: a record that is not a STAC Item or Collection is a failure, a catalog file is not', async () => {
    const dir = tempDir();
    const items = readFileSync(join(repo, 'examples/quickstart/data/items.ndjson'), 'utf8').split('\n');
    const mixed = join(dir, 'mixed.ndjson');
    const catalog = { type: 'Catalog', id: 'root', stac_version: '1.0.0', description: 'root', links: [] };
    writeFileSync(mixed, `${items[0]}\n${JSON.stringify(catalog)}\n{"id":"plain","name":"not STAC"}\n`);
    const run = await cli([
      'output',
      '--input',
      mixed,
      '--output-format',
      'ndjson',
      '--output-path',
      join(dir, 'out'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 item\(s\), 1 failed/);
    const [failure] = failuresIn(join(dir, 'out', 'failed_items.ndjson'));
    expect(failure).toMatchObject({
      item_id: 'plain',
      error_context: { file: mixed, line: 3, step: 'read' },
    });
    expect(failure!.error_message).toContain('not a STAC Item or Collection');
  });

  it('output: a truncated JSON document is one failure naming file and line, after its complete items', async () => {
    const dir = tempDir();
    const items = readFileSync(join(repo, 'examples/quickstart/data/items.ndjson'), 'utf8').split('\n');
    const truncated = join(dir, 'items.json');
    writeFileSync(truncated, `[\n${items[0]},\n${items[1]},\n${items[2]!.slice(0, 200)}`);
    const run = await cli([
      'output',
      '--input',
      truncated,
      '--output-format',
      'ndjson',
      '--output-path',
      join(dir, 'out'),
    ]);
    expect(run.code).toBe(1);
    const [failure] = failuresIn(join(dir, 'out', 'failed_items.ndjson'));
    expect(failure).toMatchObject({
      error_type: 'parse_error',
      error_context: { file: truncated, step: 'read' },
    });
    expect(failure!.error_message).toContain(`${truncated}:4:`);
    expect(run.stdout).toMatch(/2 item\(s\), 1 failed/);
  });
  it('validate: reports each unreadable line as an invalid object with its line, exit 1', async () => {
    const report = join(tempDir(), 'report.json');
    const run = await cli(['validate', '--input', bad, '--output-report', report]);
    expect(run.code).toBe(1);
    const body = JSON.parse(readFileSync(report, 'utf8'));
    const unreadable = body.reports.filter(
      (r: { errors: { kind: string }[] }) => r.errors[0]?.kind === 'read',
    );
    expect(unreadable.map((r: { line: number }) => r.line)).toEqual([2, 4, 5]);
    expect(body.summary.byKind.read).toBe(3);
  });
});

describe('nothing is overwritten that the command did not write', () => {
  it('scaffold-items refuses an existing output file (exit 2) and writes no side file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    const args = ['scaffold-items', '--input', join(scenario4, 'data.csv'), '--mapping-schema', mapping];
    const run = await cli([...args, '--output-path', join(dir, 'notes.txt')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCM_OUTPUT_EXISTS.*notes\.txt already exists.*--overwrite/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    const forced = await cli([...args, '--output-path', join(dir, 'notes.txt'), '--overwrite']);
    expect(forced.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, 'notes.txt'), 'utf8')).type).toBe('FeatureCollection');
    expect(readdirSync(dir).sort()).toEqual([
      'notes.failed_items.ndjson',
      'notes.transformation_audit.json',
      'notes.txt',
    ]);
  });

  it('puts side files beside the output with its stem, so two outputs in one folder never collide', async () => {
    const dir = tempDir();
    const args = ['scaffold-items', '--input', join(scenario4, 'data.csv'), '--mapping-schema', mapping];
    expect((await cli([...args, '--output-path', join(dir, 'a.json')])).code).toBe(1);
    expect((await cli([...args, '--output-path', join(dir, 'b.ndjson')])).code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([
      'a.failed_items.ndjson',
      'a.json',
      'a.transformation_audit.json',
      'b.failed_items.ndjson',
      'b.ndjson',
      'b.transformation_audit.json',
    ]);
    // A failures file left by an earlier run is not overwritten either.
    const again = await cli([
      ...args,
      '--output-path',
      join(dir, 'c.json'),
      '--failures-file',
      join(dir, 'a.failed_items.ndjson'),
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/a\.failed_items\.ndjson already exists/);
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });

  it("names the side files in each writing command's help", async () => {
    expect((await cli(['validate', '--help'])).stdout).toMatch(/--overwrite/);
    for (const command of ['scaffold-items', 'transform-metadata', 'apply-extensions']) {
      const help = (await cli([command, '--help'])).stdout;
      expect(help, command).toMatch(/--overwrite/);
      expect(help, command).toContain('<output stem>.failed_items.ndjson');
    }
    for (const command of ['output', 'rebuild-catalog']) {
      const help = (await cli([command, '--help'])).stdout;
      expect(help, command).toMatch(/--overwrite/);
      expect(help, command).toMatch(/inside the output folder: failed_items\.ndjson/);
    }
  });

  it('validate refuses to overwrite an existing report unless --overwrite', async () => {
    const dir = tempDir();
    const report = join(dir, 'report.json');
    writeFileSync(report, 'an older report');
    const run = await cli(['validate', '--input', bad, '--output-report', report]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCM_OUTPUT_EXISTS.*report\.json already exists/);
    expect(readFileSync(report, 'utf8')).toBe('an older report');
    expect((await cli(['validate', '--input', bad, '--output-report', report, '--overwrite'])).code).toBe(1);
    expect(JSON.parse(readFileSync(report, 'utf8')).valid).toBe(false);
  });

  it('output refuses a non-empty folder it did not write unless --overwrite', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    const args = ['output', '--input', bad, '--output-format', 'ndjson', '--output-path', out];
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SCM_OUTPUT_EXISTS/);
    expect(readdirSync(out)).toEqual(['precious.txt']);
    expect((await cli([...args, '--overwrite'])).code).toBe(1);
    expect(readdirSync(out)).not.toContain('precious.txt');
  });
});

describe('file-system errors', () => {
  it('an output path under a file is an ScmError naming that path and what to do, never a raw ENOTDIR', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'my notes');
    const target = join(dir, 'notes.txt', 'sub');
    const folder = await cli([
      'output',
      '--input',
      bad,
      '--output-format',
      'ndjson',
      '--output-path',
      target,
    ]);
    const file = await cli([
      'scaffold-items',
      '--input',
      join(scenario4, 'data.csv'),
      '--mapping-schema',
      mapping,
      '--output-path',
      join(target, 'items.json'),
    ]);
    for (const run of [folder, file]) {
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^error \[SCM_OUTPUT_PATH\]: cannot write .*notes\.txt\/sub/);
      expect(run.stderr).toMatch(/is an existing file, not a folder; choose another output path/);
      expect(run.stderr).not.toMatch(/ENOTDIR|EEXIST|staging/);
    }
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('a file-system error no command mapped still reaches the user as an ScmError, exit 3', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/data/out/summary.txt',
    });
    let stderr = '';
    const io: CliIo = {
      stdout: {
        write: () => {
          throw full;
        },
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
      cwd: process.cwd(),
    };
    const code = await runCli(['config', 'schema'], io);
    expect(code).toBe(3);
    expect(stderr).toBe(
      'error [SCM_OUTPUT_WRITE]: cannot write /data/out/summary.txt: the disk is full (ENOSPC); free some space\n',
    );
  });
});

describe('empty inputs', () => {
  it('an empty CSV, a header-only CSV, an empty NDJSON, an empty folder and an empty .json: one warning, exit 0', async () => {
    const dir = tempDir();
    const header = readFileSync(join(scenario4, 'data.csv'), 'utf8').split('\n')[0];
    const inputs: Record<string, string | undefined> = {
      'empty.csv': '',
      'header-only.csv': `${header}\n`,
      'empty.ndjson': '',
      'empty-folder': undefined,
      'empty.json': '',
    };
    for (const [name, text] of Object.entries(inputs)) {
      if (text === undefined) await mkdir(join(dir, name));
      else writeFileSync(join(dir, name), text);
    }
    const config = join(dir, 'config.yaml');
    const emptyNdjson = join(dir, 'empty.ndjson');
    writeFileSync(
      config,
      `workflow: { name: empty }\nsource: { type: local_files, paths: [${emptyNdjson}] }\noutput: { format: [ndjson], path: out }\n`,
    );
    const rebuild = await cli(['rebuild-catalog', '--config', config]);
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain(`note: no records in ${emptyNdjson}`);
    for (const name of Object.keys(inputs)) {
      const input = join(dir, name);
      const scaffold = await cli([
        'scaffold-items',
        '--input',
        input,
        '--mapping-schema',
        mapping,
        '--output-path',
        join(dir, `out-${name}.json`),
      ]);
      expect(scaffold.code, name).toBe(0);
      expect(scaffold.stdout, name).toContain(`note: no records in ${input}`);
      expect(scaffold.stderr, name).toContain(`"message":"no records in ${input}"`);
      const output = await cli([
        'output',
        '--input',
        input,
        '--output-format',
        'ndjson',
        '--output-path',
        join(dir, `folder-${name}`),
      ]);
      expect(output.code, name).toBe(0);
      expect(output.stdout, name).toContain(`note: no records in ${input}`);
      const validate = await cli(['validate', '--input', input]);
      if (name.endsWith('.csv')) {
        // validate reads STAC objects, never CSV records: refused before reading, empty or not.
        expect(validate.code, name).toBe(2);
        expect(validate.stderr, name).toContain('CSV');
        continue;
      }
      expect(validate.code, name).toBe(0);
      expect(validate.stdout, name).toContain(`note: no records in ${input}`);
    }
  });
});
