import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScmError } from '@scm/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/index.js';
import { memoryStream, parseLines } from './helpers.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('line format', () => {
  it('writes one JSON object per line with exactly timestamp, level, module, message, context in that order', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream });
    logger.info('Fetching items from collection', {
      collection_id: 'MODIS_AQUA_L2',
      total_items: 10000,
      page: 1,
    });
    logger.error('no context');
    expect(stream.chunks).toHaveLength(2);
    const raw = stream.chunks[0];
    expect(raw).toMatch(
      /^\{"timestamp":"[^"]+","level":"INFO","module":"scm","message":"Fetching items from collection","context":\{"collection_id":"MODIS_AQUA_L2","total_items":10000,"page":1\}\}\n$/,
    );
    const [first, second] = stream.lines();
    expect(Object.keys(first)).toEqual(['timestamp', 'level', 'module', 'message', 'context']);
    expect(first.timestamp).toMatch(ISO_UTC);
    expect(new Date(first.timestamp).toISOString()).toBe(first.timestamp);
    expect(second).toEqual({
      timestamp: second.timestamp,
      level: 'ERROR',
      module: 'scm',
      message: 'no context',
      context: {},
    });
  });

  it('writes the PRD level names', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream, level: 'debug' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(stream.lines().map((l) => l.level)).toEqual(['DEBUG', 'INFO', 'WARNING', 'ERROR']);
  });

  it('escapes messages and keeps unusual context values JSON-safe', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info('line "one"\nline two', {
      cyclic,
      when: new Date('2024-01-12T13:50:00Z'),
      big: 10n,
      nan: Number.NaN,
      skip: undefined,
      fn: () => 1,
      tags: new Set(['a']),
    });
    const [line] = stream.lines();
    expect(stream.chunks[0].split('\n')).toHaveLength(2);
    expect(line.message).toBe('line "one"\nline two');
    expect(line.context).toEqual({
      cyclic: { name: 'loop', self: '[Circular]' },
      when: '2024-01-12T13:50:00.000Z',
      big: '10',
      nan: 'NaN',
      tags: ['a'],
    });
  });

  it('never throws, even for a context whose getter throws', () => {
    const stream = memoryStream();
    const hostile = {
      get broken(): never {
        throw new Error('getter failed token=abc123');
      },
    };
    expect(() => createLogger({ stream }).info('still logged', hostile)).not.toThrow();
    expect(stream.lines()[0]).toMatchObject({
      message: 'still logged',
      context: { logging_error: 'getter failed token=[REDACTED]' },
    });
  });

  it('logs errors with name, message and stack', () => {
    const stream = memoryStream();
    const error = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E_X' });
    createLogger({ stream }).error('failed', { error });
    const logged = stream.lines()[0].context.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'boom', code: 'E_X', cause: { message: 'root' } });
    expect(String(logged.stack)).toContain('Error: boom');
  });
});

describe('levels', () => {
  it('defaults to info and drops debug', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream });
    expect(logger.level).toBe('info');
    logger.debug('hidden');
    logger.info('shown');
    expect(stream.lines().map((l) => l.message)).toEqual(['shown']);
  });

  it.each([
    ['WARNING', 'warn', ['w', 'e']],
    ['warn', 'warn', ['w', 'e']],
    ['Error', 'error', ['e']],
    ['DEBUG', 'debug', ['d', 'i', 'w', 'e']],
  ])('level %s keeps only what it should', (name, level, messages) => {
    const stream = memoryStream();
    const logger = createLogger({ stream, level: name });
    expect(logger.level).toBe(level);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(stream.lines().map((l) => l.message)).toEqual(messages);
  });

  it('rejects an unknown level with SCM_USAGE', () => {
    try {
      createLogger({ level: 'verbose', stream: memoryStream() });
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_USAGE');
      expect(String(error)).toContain('verbose');
    }
  });

  it('does not build the context of a dropped line', () => {
    const stream = memoryStream();
    let read = false;
    const context = {
      get expensive() {
        read = true;
        return 1;
      },
    };
    createLogger({ stream }).debug('hidden', context);
    expect(read).toBe(false);
  });
});

describe('modules', () => {
  it('names lines after the root module and each child', () => {
    const stream = memoryStream();
    const root = createLogger({ stream, module: 'cli' });
    const ingest = root.child('ingest');
    const page = ingest.child('ingest.page');
    root.info('a');
    ingest.info('b');
    page.info('c');
    root.info('d');
    expect(stream.lines().map((l) => [l.module, l.message])).toEqual([
      ['cli', 'a'],
      ['ingest', 'b'],
      ['ingest.page', 'c'],
      ['cli', 'd'],
    ]);
    expect(page.module).toBe('ingest.page');
  });

  it('gives children the parent level', () => {
    const stream = memoryStream();
    const child = createLogger({ stream, level: 'error' }).child('transform');
    expect(child.level).toBe('error');
    child.warn('hidden');
    child.error('shown');
    expect(stream.lines().map((l) => l.message)).toEqual(['shown']);
  });
});

describe('file destination', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('creates parent folders and appends to an existing file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scm-logging-'));
    const file = join(dir, 'logs', 'nested', 'run.log');
    const first = createLogger({ file });
    first.info('first run');
    await first.close();
    const second = createLogger({ file, module: 'again' });
    second.warn('second run', { api_key: 'k-123' });
    await second.close();
    const text = readFileSync(file, 'utf8');
    expect(parseLines(text).map((l) => [l.module, l.message, l.context])).toEqual([
      ['scm', 'first run', {}],
      ['again', 'second run', { api_key: '[REDACTED]' }],
    ]);
    expect(text).not.toContain('k-123');
  });

  it('keeps lines written before it in the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scm-logging-'));
    const file = join(dir, 'run.log');
    writeFileSync(file, 'previous content\n');
    const logger = createLogger({ file });
    logger.info('added');
    await logger.close();
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('previous content');
  });

  it('buffers with sync: false and writes everything on flush', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scm-logging-'));
    const file = join(dir, 'async', 'run.log');
    const logger = createLogger({ file, sync: false });
    for (let i = 0; i < 500; i++) logger.info('line', { i });
    await logger.flush();
    const lines = parseLines(readFileSync(file, 'utf8'));
    expect(lines).toHaveLength(500);
    expect(lines[499].context).toEqual({ i: 499 });
    await logger.close();
  });

  it('drops lines after close instead of throwing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scm-logging-'));
    const file = join(dir, 'run.log');
    const logger = createLogger({ file });
    await logger.close();
    expect(() => logger.child('x').error('late')).not.toThrow();
    await expect(logger.flush()).resolves.toBeUndefined();
  });

  it('reports a file that cannot be opened as SCM_OUTPUT_WRITE', () => {
    dir = mkdtempSync(join(tmpdir(), 'scm-logging-'));
    writeFileSync(join(dir, 'not-a-folder'), '');
    try {
      createLogger({ file: join(dir, 'not-a-folder', 'run.log') });
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_OUTPUT_WRITE');
    }
  });
});

describe('standard streams', () => {
  /** Captures synchronous writes to file descriptors 1 and 2 (how pino writes to stdout and stderr). */
  function captureFds(): { written: Map<number, string>; restore(): void } {
    const written = new Map<number, string>();
    const original = fs.writeSync;
    const spy = vi.spyOn(fs, 'writeSync').mockImplementation(((
      fd: number,
      data: unknown,
      ...rest: unknown[]
    ) => {
      if ((fd === 1 || fd === 2) && typeof data === 'string') {
        written.set(fd, (written.get(fd) ?? '') + data);
        return Buffer.byteLength(data);
      }
      return (original as (...args: unknown[]) => number)(fd, data, ...rest);
    }) as typeof fs.writeSync);
    return { written, restore: () => spy.mockRestore() };
  }

  it('writes to stderr by default so stdout stays free for command output', () => {
    const capture = captureFds();
    try {
      createLogger().info('to stderr');
    } finally {
      capture.restore();
    }
    expect(capture.written.get(1)).toBeUndefined();
    expect(parseLines(capture.written.get(2) ?? '')[0].message).toBe('to stderr');
  });

  it('writes to stdout when asked', () => {
    const capture = captureFds();
    try {
      createLogger({ destination: 'stdout' }).info('to stdout');
    } finally {
      capture.restore();
    }
    expect(capture.written.get(2)).toBeUndefined();
    expect(parseLines(capture.written.get(1) ?? '')[0].message).toBe('to stdout');
  });
});
