import { brotliCompressSync, gzipSync } from 'node:zlib';
import { isScmError, type ScmError } from '@scm/core';
import { memoryLogger } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type ScmHttpClient } from '../src/index.js';
import { json, type Responder, startServer } from './server.js';

const fast = { backoff: { baseMs: 1, maxMs: 5 } };
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(responders: Responder[], options: Parameters<typeof createHttpClient>[0] = {}) {
  const server = await startServer(responders);
  const logger = memoryLogger();
  const client: ScmHttpClient = createHttpClient({ ...fast, logger, ...options });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client, logger };
}

async function failure(promise: Promise<unknown>): Promise<ScmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isScmError(error)) throw new Error(`expected an ScmError, got ${String(error)}`);
  return error;
}

const page = { type: 'FeatureCollection', features: [{ id: 'a' }] };

describe('createHttpClient: responses', () => {
  it('decodes JSON, asks for compression, and decodes a gzip body', async () => {
    const gzip: Responder = (res) => {
      res.writeHead(200, { 'content-type': 'application/geo+json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(page)));
    };
    const { server, client } = await setup([gzip]);
    const response = await client.json({ url: `${server.url}/search?limit=1` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(page);
    expect(server.seen[0]?.headers['accept-encoding']).toBe('gzip, br');
    expect(client.stats()).toMatchObject({ requests: 1, retries: 0, byStatus: { '200': 1 } });
    expect(client.stats().bytes).toBe(JSON.stringify(page).length);
  });

  it('sends configured headers and a JSON body for POST', async () => {
    const { server, client } = await setup([json(200, page)], { headers: { 'X-Api-Key': 'k1' } });
    await client.json({ url: `${server.url}/search`, method: 'POST', body: { limit: 100 } });
    expect(server.seen[0]).toMatchObject({ method: 'POST', body: '{"limit":100}' });
    expect(server.seen[0]?.headers).toMatchObject({ 'x-api-key': 'k1', 'content-type': 'application/json' });
  });
});

describe('createHttpClient: retries', () => {
  it('retries a POST after 503 and sends the same body again', async () => {
    const { server, client, logger } = await setup([json(503, { errors: ['busy'] }), json(200, page)]);
    const response = await client.json({
      url: `${server.url}/search`,
      method: 'POST',
      body: { token: 't1' },
    });
    expect(response.body).toEqual(page);
    expect(server.seen.map((r) => r.body)).toEqual(['{"token":"t1"}', '{"token":"t1"}']);
    const warns = logger.lines.filter((line) => line.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]?.context).toMatchObject({
      reason: 'status 503',
      attempt: 1,
      method: 'POST',
      status: 503,
    });
    expect(typeof warns[0]?.context?.wait_ms).toBe('number');
    expect(client.stats()).toMatchObject({ requests: 2, retries: 1, retriesByReason: { 'status 503': 1 } });
  });

  it('waits as long as Retry-After says on 429, capped by maxRetryAfterMs', async () => {
    const { server, client, logger } = await setup(
      [json(429, {}, { 'retry-after': '1' }), json(429, {}, { 'retry-after': '3600' }), json(200, page)],
      { maxRetryAfterMs: 20 },
    );
    await client.json({ url: `${server.url}/items` });
    const waits = logger.lines.filter((l) => l.level === 'warn').map((l) => l.context?.wait_ms);
    expect(waits).toEqual([20, 20]);
  });

  it('honours an HTTP-date Retry-After on 503', async () => {
    const soon = new Date(Date.now() + 1500).toUTCString();
    const { server, client, logger } = await setup([json(503, {}, { 'retry-after': soon }), json(200, page)]);
    await client.json({ url: `${server.url}/items` });
    const wait = logger.lines.find((l) => l.level === 'warn')?.context?.wait_ms as number;
    // An HTTP date has one-second resolution: the wait is what is left of it, well above the 5 ms backoff cap.
    expect(wait).toBeGreaterThan(5);
    expect(wait).toBeLessThanOrEqual(1500);
  });

  it('gives up after maxAttempts with the status, attempts and body in the error', async () => {
    const { server, client, logger } = await setup([json(500, { errors: ['Oops!'] })], { maxAttempts: 3 });
    const error = await failure(client.json({ url: `${server.url}/search?collections=A` }));
    expect(error.code).toBe('SCM_HTTP_STATUS');
    expect(error.details).toMatchObject({
      status: 500,
      attempts: 3,
      method: 'GET',
      body: '{"errors":["Oops!"]}',
    });
    expect(error.message).toContain('/search?collections=A failed after 3 attempts (status 500)');
    expect(server.seen).toHaveLength(3);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('does not retry a 400 and keeps its body', async () => {
    const { server, client } = await setup([json(400, { errors: ['Limit must be between 0 and 5000'] })]);
    const error = await failure(client.json({ url: `${server.url}/search?limit=9000` }));
    expect(error.code).toBe('SCM_HTTP_CLIENT_ERROR');
    expect(error.details?.body).toContain('Limit must be between 0 and 5000');
    expect(server.seen).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    const reset: Responder = (res) => res.socket?.destroy();
    const { server, client } = await setup([reset, json(200, page)]);
    expect((await client.json({ url: `${server.url}/items` })).body).toEqual(page);
    expect(Object.keys(client.stats().retriesByReason)[0]).toMatch(/^network /);
  });

  it('retries a truncated JSON body and fails with SCM_HTTP_INVALID_BODY when it persists', async () => {
    const truncated: Responder = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type":"FeatureCollection","features":[{"id":');
    };
    const { server, client } = await setup([truncated], { maxAttempts: 2 });
    const error = await failure(client.json({ url: `${server.url}/items` }));
    expect(error.code).toBe('SCM_HTTP_INVALID_BODY');
    expect(client.stats().retriesByReason).toEqual({ 'invalid json': 1 });
  });

  it('times out a slow response, retries it, and fails with SCM_HTTP_TIMEOUT when it stays slow', async () => {
    const slow: Responder = (res) => {
      setTimeout(() => json(200, page)(res, undefined as never), 2000).unref();
    };
    const { server, client } = await setup([slow, json(200, page)], { timeoutMs: 100 });
    expect((await client.json({ url: `${server.url}/items` })).body).toEqual(page);
    expect(client.stats().retriesByReason).toEqual({ timeout: 1 });
    expect(server.seen).toHaveLength(2);

    const again = await setup([slow], { timeoutMs: 100, maxAttempts: 2 });
    const error = await failure(again.client.json({ url: `${again.server.url}/items` }));
    expect(error.code).toBe('SCM_HTTP_TIMEOUT');
  });

  it('stops at once with SCM_ABORTED when the caller aborts', async () => {
    const { server, client } = await setup([json(503, {}, { 'retry-after': '60' })]);
    const controller = new AbortController();
    const pending = client.json({ url: `${server.url}/items`, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('SCM_ABORTED');
  });
});

describe('createHttpClient: limits', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const slowOk: Responder = (res) => {
      setTimeout(() => json(200, page)(res, undefined as never), 30);
    };
    const { server, client } = await setup([slowOk], { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => client.json({ url: `${server.url}/items` })));
    expect(server.seen).toHaveLength(6);
    expect(server.maxInFlight()).toBe(2);
  });

  it('counts rate-limit waits in stats', async () => {
    const { server, client } = await setup([json(200, page)], { requestsPerSecond: 50 });
    await Promise.all(Array.from({ length: 3 }, () => client.json({ url: `${server.url}/items` })));
    // Three requests at 50/s, one at a time: the second waits about 20 ms, the third about 40 ms.
    expect(client.stats().waitMs).toBeGreaterThan(0);
  });

  it('rejects a URL that does not parse, without sending anything', async () => {
    const { client } = await setup([json(200, page)]);
    expect((await failure(client.json({ url: 'not a url' }))).code).toBe('SCM_HTTP_CLIENT_ERROR');
    expect(client.stats().requests).toBe(0);
  });
});

describe('createHttpClient: compression', () => {
  it('decodes brotli and retries a gzip body cut short', async () => {
    const zipped = gzipSync(JSON.stringify(page));
    const cut: Responder = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zipped.subarray(0, zipped.length - 8));
    };
    const brotli: Responder = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end(brotliCompressSync(JSON.stringify(page)));
    };
    const { server, client } = await setup([cut, brotli]);
    expect((await client.json({ url: `${server.url}/items` })).body).toEqual(page);
    expect(client.stats().retriesByReason).toEqual({ 'invalid body': 1 });
  });

  it('refuses a body that decodes past maxResponseBytes, without retrying', async () => {
    const big: Responder = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ pad: 'x'.repeat(100_000) })));
    };
    const { server, client } = await setup([big], { maxResponseBytes: 1000 });
    const error = await failure(client.json({ url: `${server.url}/items` }));
    expect(error.code).toBe('SCM_HTTP_NETWORK');
    expect(server.seen).toHaveLength(1);
  });
});
