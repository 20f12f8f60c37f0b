import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A per-host token bucket shared by every request of one client.
 *
 * Written here rather than taken from `limiter`/`p-queue` because the client
 * needs two things those do not offer: waits that an `AbortSignal` cancels,
 * and a way to hold back a whole host when one response says `Retry-After`.
 *
 * It is the "virtual scheduling" form of a token bucket (GCRA): each host
 * keeps the theoretical arrival time of its next request; a request may go
 * when that time is no more than `burst - 1` intervals ahead of now.
 */
export interface HostRateLimiter {
  /** Waits until `host` may send one more request; resolves with the milliseconds waited. */
  acquire(host: string, signal?: AbortSignal): Promise<number>;
  /** Holds `host` back: no request to it starts before `untilMs` (epoch ms). */
  pauseUntil(host: string, untilMs: number): void;
}

/** Options of {@link createHostRateLimiter}. */
export interface HostRateLimiterOptions {
  /** Requests per second per host; 0 or less means unlimited. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell. Default 1 (evenly spaced). */
  burst?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Builds a {@link HostRateLimiter}. */
export function createHostRateLimiter(options: HostRateLimiterOptions): HostRateLimiter {
  const now = options.now ?? Date.now;
  const intervalMs = options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0;
  const toleranceMs = Math.max(0, (options.burst ?? 1) - 1) * intervalMs;
  const nextArrival = new Map<string, number>();
  const pausedUntil = new Map<string, number>();

  /** Reserves the next slot of `host` and returns when it starts. */
  function reserve(host: string): number {
    const current = now();
    const earliest = Math.max(current, pausedUntil.get(host) ?? 0);
    const theoretical = Math.max(nextArrival.get(host) ?? 0, earliest);
    const start = Math.max(earliest, theoretical - toleranceMs);
    nextArrival.set(host, theoretical + intervalMs);
    return start;
  }

  return {
    async acquire(host, signal) {
      let waited = 0;
      for (let start = reserve(host); ; start = reserve(host)) {
        const waitMs = start - now();
        if (waitMs <= 0) return waited;
        await sleep(waitMs, undefined, { signal });
        waited += waitMs;
        // A `Retry-After` that paused the host while this request waited moves it after the pause.
        if ((pausedUntil.get(host) ?? 0) <= start) return waited;
      }
    },
    pauseUntil(host, untilMs) {
      if (untilMs > (pausedUntil.get(host) ?? 0)) pausedUntil.set(host, untilMs);
    },
  };
}
