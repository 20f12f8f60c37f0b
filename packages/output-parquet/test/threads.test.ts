import type { ScmError } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { startThread } from '../src/thread-entry.js';

describe('startThread', () => {
  it('reports a thread that cannot start as an SCM_INTERNAL crash naming its role, then its exit', async () => {
    const failures: ScmError[] = [];
    const worker = startThread({ name: 'no-such-worker', dev: 'no-such-source', role: 'test' }, (error) =>
      failures.push(error),
    );
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(failures.map((f) => f.code)).toEqual(['SCM_INTERNAL', 'SCM_INTERNAL']);
    expect(failures[0]!.message).toMatch(/^the stac-geoparquet test thread crashed: /);
    expect(failures[1]!.message).toBe('the stac-geoparquet test thread exited (code 1)');
  });
});
