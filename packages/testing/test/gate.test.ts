import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
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
  it('answers undefined for a service that answers 2xx and says why another does not', async () => {
    // The probe blocks this thread while it waits, so the service runs on a thread of its own.
    const serve = `const { parentPort } = require('node:worker_threads');
      const server = require('node:http').createServer((q, r) => { r.statusCode = q.url === '/up' ? 200 : 503; r.end(); });
      server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`;
    const worker = new Worker(serve, { eval: true });
    try {
      const [port] = await once(worker, 'message');
      const base = `http://127.0.0.1:${port}`;
      expect(httpUnavailable(`${base}/up`, 'the service')).toBeUndefined();
      expect(httpUnavailable(`${base}/down`, 'the service')).toBe(
        `the service at ${base}/down does not answer (HTTP 503)`,
      );
    } finally {
      await worker.terminate();
    }
  });

  it('names a URL where nothing listens, with the connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(httpUnavailable(`http://127.0.0.1:${port}/`, 'the S3 server')).toBe(
      `the S3 server at http://127.0.0.1:${port}/ does not answer (connect ECONNREFUSED 127.0.0.1:${port})`,
    );
  });
});
