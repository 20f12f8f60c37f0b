import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { httpUnavailable, integrationGate } from '../src/gate.js';

describe('integrationGate', () => {
  it('runs the suite when the probe finds everything', () => {
    const warnings: string[] = [];
    const gate = integrationGate('pgstac', () => undefined, { env: {}, warn: (m) => warnings.push(m) });
    expect(gate).toMatchObject({ name: 'pgstac', reason: undefined, skip: false });
    expect(gate.title('loads items')).toBe('loads items');
    expect(warnings).toEqual([]);
  });

  it('skips with the reason printed and in the test titles when nothing demands the suite', () => {
    const warnings: string[] = [];
    const gate = integrationGate('pgstac', () => 'no PostgreSQL at 127.0.0.1:54329', {
      env: { SCM_REQUIRE_INTEGRATION: '0' },
      warn: (m) => warnings.push(m),
    });
    expect(gate.skip).toBe(true);
    expect(gate.title('loads items')).toBe('loads items [skipped: no PostgreSQL at 127.0.0.1:54329]');
    expect(warnings).toEqual(['pgstac: skipped (no PostgreSQL at 127.0.0.1:54329)']);
  });

  it('fails when SCM_REQUIRE_INTEGRATION=1 and the suite cannot run', () => {
    expect(() =>
      integrationGate('pgstac', () => 'no PostgreSQL', { env: { SCM_REQUIRE_INTEGRATION: '1' } }),
    ).toThrow('SCM_REQUIRE_INTEGRATION=1 but the integration suite "pgstac" cannot run: no PostgreSQL');
  });

  it('takes a throwing probe as a reason', () => {
    const gate = integrationGate(
      'python',
      () => {
        throw new Error('spawn python ENOENT');
      },
      { env: {}, warn: () => {} },
    );
    expect(gate.reason).toBe('spawn python ENOENT');
  });

  it('runs a suite that can run even when it is required', () => {
    expect(integrationGate('pgstac', () => undefined, { env: { SCM_REQUIRE_INTEGRATION: '1' } }).skip).toBe(
      false,
    );
  });
});

describe('httpUnavailable', () => {
  it('answers undefined for a service that answers 2xx and names the URL of one that does not', async () => {
    // The probe blocks this thread while it waits, so the service runs in a process of its own.
    const serve =
      "require('node:http').createServer((q,r)=>{r.statusCode=q.url==='/up'?200:503;r.end()})" +
      ".listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
    const child = spawn(process.execPath, ['-e', serve], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = await once(child.stdout, 'data');
      const base = `http://127.0.0.1:${String(line).trim()}`;
      expect(httpUnavailable(`${base}/up`, 'the service')).toBeUndefined();
      expect(httpUnavailable(`${base}/down`, 'the service')).toBe(
        `the service at ${base}/down does not answer`,
      );
    } finally {
      child.kill();
    }
  });

  it('names a URL where nothing listens', () => {
    expect(httpUnavailable('http://127.0.0.1:9/', 'the S3 server')).toBe(
      'the S3 server at http://127.0.0.1:9/ does not answer',
    );
  });
});
