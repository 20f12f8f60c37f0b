import { describe, expect, it } from 'vitest';
import { createHostRateLimiter } from '../src/index.js';

/** A limiter on a frozen clock: `acquire` resolves with the wait it would impose. */
function frozen(requestsPerSecond: number, burst?: number) {
  return createHostRateLimiter({ requestsPerSecond, ...(burst ? { burst } : {}), now: () => 1_000_000 });
}

describe('createHostRateLimiter', () => {
  it('spaces requests to one host evenly at the configured rate', async () => {
    const limiter = frozen(1000);
    const waits = [await limiter.acquire('a'), await limiter.acquire('a'), await limiter.acquire('a')];
    expect(waits).toEqual([0, 1, 2]);
  });

  it('lets `burst` requests go at once', async () => {
    const limiter = frozen(1000, 2);
    const waits = [await limiter.acquire('a'), await limiter.acquire('a'), await limiter.acquire('a')];
    expect(waits).toEqual([0, 0, 1]);
  });

  it('keeps one bucket per host', async () => {
    const limiter = frozen(1000);
    expect([await limiter.acquire('a'), await limiter.acquire('b'), await limiter.acquire('a')]).toEqual([
      0, 0, 1,
    ]);
  });

  it('holds a host back until a pause ends, other hosts not', async () => {
    const limiter = frozen(0);
    limiter.pauseUntil('a', 1_000_003);
    expect(await limiter.acquire('a')).toBe(3);
    expect(await limiter.acquire('b')).toBe(0);
  });

  it('moves a request already waiting for its turn after a pause that began meanwhile', async () => {
    const limiter = frozen(1000);
    expect(await limiter.acquire('a')).toBe(0);
    // Reserved for 1 ms from now; a 429's Retry-After then pauses the host for 50 ms.
    const waiting = limiter.acquire('a');
    limiter.pauseUntil('a', 1_000_050);
    expect(await waiting).toBe(51);
  });

  it('is unlimited at 0 requests per second', async () => {
    const limiter = frozen(0);
    expect([await limiter.acquire('a'), await limiter.acquire('a')]).toEqual([0, 0]);
  });

  it('cancels a wait when the signal aborts', async () => {
    const limiter = createHostRateLimiter({ requestsPerSecond: 0.01 });
    await limiter.acquire('a');
    const controller = new AbortController();
    const pending = limiter.acquire('a', controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
