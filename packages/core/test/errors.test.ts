import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemError, ScmError } from '../src/index.js';

/** Runs a real file-system call that must fail and returns what it threw. */
async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call did not fail');
}

describe('fileSystemError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scm-core-fs-'));
  const file = join(dir, 'notes.txt');
  writeFileSync(file, 'not a folder');

  it('turns ENOTDIR under a file into SCM_OUTPUT_PATH naming the given path, not the internal one', async () => {
    const raw = await thrown(() => mkdir(join(file, '.out.staging-1-2'), { recursive: true }));
    expect((raw as NodeJS.ErrnoException).code).toBe('ENOTDIR');
    const error = fileSystemError(raw, 'notes.txt/out', 'write');
    expect(error).toBeInstanceOf(ScmError);
    expect(error.code).toBe('SCM_OUTPUT_PATH');
    expect(error.message).toContain('notes.txt/out');
    expect(error.message).not.toContain('staging');
    expect(error.message).toMatch(/is an existing file, not a folder; choose another output path/);
    expect(error.location).toEqual({ file: 'notes.txt/out' });
  });

  it('turns EEXIST (a folder wanted where a file is) into SCM_OUTPUT_PATH', async () => {
    const raw = await thrown(() => mkdir(file));
    expect((raw as NodeJS.ErrnoException).code).toBe('EEXIST');
    expect(fileSystemError(raw, 'notes.txt', 'write').code).toBe('SCM_OUTPUT_PATH');
  });

  it('maps reading errors to the input codes', async () => {
    const missing = await thrown(() => readFile(join(dir, 'absent.csv')));
    const error = fileSystemError(missing, 'absent.csv', 'read');
    expect(error.code).toBe('SCM_INPUT_NOT_FOUND');
    expect(error.message).toBe('input file not found: absent.csv; check the path');
    const folder = await thrown(() => readFile(dir));
    expect(fileSystemError(folder, 'data', 'read').code).toBe('SCM_INPUT_UNSUPPORTED');
  });

  it('words permission and disk-full problems with what to do, and keeps unknown codes', () => {
    const denied = fileSystemError(Object.assign(new Error('x'), { code: 'EACCES' }), 'out/a.json', 'write');
    expect(denied.code).toBe('SCM_OUTPUT_WRITE');
    expect(denied.message).toMatch(/permission denied .*choose a folder you can write to/);
    const full = fileSystemError(Object.assign(new Error('x'), { code: 'ENOSPC' }), 'out', 'write');
    expect(full.message).toMatch(/disk is full/);
    const odd = fileSystemError(Object.assign(new Error('x'), { code: 'EBUSY' }), 'out', 'write');
    expect(odd.message).toBe('cannot write out (EBUSY)');
  });

  it('returns an ScmError unchanged', () => {
    const original = new ScmError('SCM_USAGE', 'no');
    expect(fileSystemError(original, 'x', 'write')).toBe(original);
  });
});
