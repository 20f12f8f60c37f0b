import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';
import { cli, fixtures, tempDir } from './helpers.js';

interface LogLine {
  level: string;
  module: string;
  message: string;
  context: Record<string, unknown>;
}

function parseLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The broken-items fixture (5 records, 3 bad) with its log written to a file at `level`. */
function brokenRun(level: string): { config: string; log: string; out: string } {
  const dir = tempDir();
  copyFileSync(join(fixtures, 'broken', 'items.ndjson'), join(dir, 'items.ndjson'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'workflow: { name: broken-items }',
      'source: { type: local_files, paths: [items.ndjson] }',
      'output: { format: [json], path: out }',
      `logging: { level: ${level}, file: logs/run.log }`,
      '',
    ].join('\n'),
  );
  return { config, log: join(dir, 'logs', 'run.log'), out: join(dir, 'out') };
}

describe('--quiet', () => {
  it('prints no summary or progress; errors still reach stderr', async () => {
    const input = join(fixtures, 'broken', 'items.ndjson');
    const loud = await cli(['validate', '--input', input]);
    expect(loud.stdout).toMatch(/5 object\(s\): 2 valid, 3 invalid/);
    const quiet = await cli(['validate', '--input', input, '-q']);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');
    const failing = await cli(['validate', '--input', join(fixtures, 'missing.ndjson'), '--quiet']);
    expect(failing.code).toBe(3);
    // Said once: the error line, not also a log line repeating it.
    expect(failing.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error \[SCM_INPUT_NOT_FOUND\]/),
    ]);
  });
});

describe('--log-level debug', () => {
  it('adds a line per file opened and per stage with its count and timing', async () => {
    const input = join(fixtures, 'broken', 'items.ndjson');
    const plain = parseLines((await cli(['validate', '--input', input])).stderr);
    expect(plain).toEqual([]);
    const run = await cli(['validate', '--input', input, '--log-level', 'debug']);
    const lines = parseLines(run.stderr);
    const messages = lines.map((l) => l.message);
    expect(messages[0]).toBe('run started');
    expect(messages.at(-1)).toBe('run finished');
    expect(lines.find((l) => l.message === 'file opened')?.context).toEqual({
      file: input,
      format: 'ndjson',
    });
    const stage = lines.find((l) => l.message === 'stage finished');
    expect(stage).toMatchObject({ level: 'DEBUG', context: { stage: 'validate', count: 5 } });
    expect(typeof stage?.context.duration_s).toBe('number');
    expect(lines.at(-1)?.context).toMatchObject({ command: 'validate', total: 5, invalid: 3 });
  });
});

describe('the log file', () => {
  it('at INFO holds the start, the end and every failure count of a run', async () => {
    const { config, log } = brokenRun('INFO');
    const run = await cli(['rebuild-catalog', '--config', config, '--quiet']);
    expect(run.code).toBe(1);
    const lines = parseLines(readFileSync(log, 'utf8'));
    expect(lines.map((l) => l.level)).not.toContain('DEBUG');
    expect(lines[0]).toMatchObject({ message: 'run started', context: { command: 'rebuild-catalog' } });
    expect(lines.at(-1)).toMatchObject({
      level: 'INFO',
      message: 'run finished',
      context: { processed: 5, succeeded: 2, failed: 3 },
    });
    const byType = lines.at(-1)?.context.failures_by_type as Record<string, number>;
    expect(Object.values(byType).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('at DEBUG also holds the config and input files opened and the item stage', async () => {
    const { config, log } = brokenRun('DEBUG');
    await cli(['rebuild-catalog', '--config', config]);
    const lines = parseLines(readFileSync(log, 'utf8'));
    const opened = lines.filter((l) => l.message === 'file opened').map((l) => l.context.file);
    expect(opened).toEqual([config, join(config, '..', 'items.ndjson')]);
    // The line that cannot be parsed fails in the reader and never reaches the item stage.
    expect(lines.find((l) => l.message === 'stage finished')?.context).toMatchObject({
      stage: 'items',
      count: 4,
    });
  });

  it('records an interrupt', async () => {
    const { config, log } = brokenRun('INFO');
    const controller = new AbortController();
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: process.cwd(),
      signal: controller.signal,
    };
    const pending = runCli(['rebuild-catalog', '--config', config], io);
    controller.abort(new Error('SIGTERM'));
    expect(await pending).toBe(130);
    const lines = parseLines(readFileSync(log, 'utf8'));
    expect(lines.at(-1)).toMatchObject({
      level: 'WARNING',
      message: 'run interrupted',
      context: { command: 'rebuild-catalog', signal: 'SIGTERM' },
    });
  });
});
