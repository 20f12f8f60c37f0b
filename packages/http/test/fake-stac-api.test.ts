// Every transient fault of the fake STAC API, met by the client: retried, logged, never hanging.
import type { Logger } from '@scm/core';
import { type FakeStacApi, memoryLogger, startFakeStacApi, type TransientFault } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/index.js';

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

const expectedReason: Record<TransientFault, RegExp> = {
  '429': /^status 429$/,
  '500': /^status 500$/,
  '503': /^status 503$/,
  '504': /^status 504$/,
  slow: /^timeout$/,
  reset: /^network /,
  truncated: /^invalid json$/,
};

describe('the client against the fake STAC API faults', () => {
  for (const [fault, reason] of Object.entries(expectedReason) as Array<[TransientFault, RegExp]>) {
    it(`${fault}: retried, logged, then answered`, async () => {
      const api = await startFakeStacApi({
        style: 'cmr-stac',
        collections: [{ id: 'HLSS30_2.0', count: 5 }],
        faults: { schedule: { 1: fault }, retryAfterSeconds: 0, slowMs: 5000 },
      });
      apis.push(api);
      const logger = memoryLogger();
      const client = createHttpClient({ logger, timeoutMs: 300, backoff: { baseMs: 1, maxMs: 5 } });
      try {
        const page = await client.json<{ features: unknown[] }>({
          url: `${api.apiUrl()}/search`,
          method: 'POST',
          body: { collections: ['HLSS30_2.0'], limit: 5 },
        });
        expect(page.body.features).toHaveLength(5);
        expect(api.requests.map((r) => r.fault)).toEqual([fault, undefined]);
        expect(api.requests[1]?.body).toEqual(api.requests[0]?.body);
        const [retry] = Object.keys(client.stats().retriesByReason);
        expect(retry).toMatch(reason);
        const warns = logger.lines.filter((l) => l.level === 'warn');
        expect(warns).toHaveLength(1);
        expect(String(warns[0]?.context?.reason)).toMatch(reason);
      } finally {
        await client.close();
      }
    });
  }

  it('a 429 with Retry-After holds back the other requests to that host too', async () => {
    const api = await startFakeStacApi({ faults: { schedule: { 1: '429' }, retryAfterSeconds: 1 } });
    apis.push(api);
    let warnedAt = 0;
    let conformanceAnsweredAt: Promise<number> | undefined;
    // The second request is sent the moment the retry is logged, i.e. once the client knows about the 429.
    const lines = memoryLogger();
    const logger: Logger = {
      ...lines,
      warn: (message, context) => {
        lines.warn(message, context);
        warnedAt = Date.now();
        conformanceAnsweredAt ??= client.json({ url: `${api.url}/conformance` }).then(() => Date.now());
      },
      child: () => logger,
    };
    const client = createHttpClient({ concurrency: 2, logger, backoff: { baseMs: 1, maxMs: 5 } });
    try {
      await client.json({ url: `${api.url}/search?limit=1` });
      const answeredAt = await conformanceAnsweredAt;
      // Without the host pause, /conformance would have been answered at once, during the one-second wait.
      // Which of the two held-back requests goes first when the pause ends is up to the timers.
      expect(answeredAt! - warnedAt).toBeGreaterThanOrEqual(950);
      expect(api.requests.map((r) => r.url).sort()).toEqual([
        '/v1/conformance',
        '/v1/search?limit=1',
        '/v1/search?limit=1',
      ]);
    } finally {
      await client.close();
    }
  });
});
