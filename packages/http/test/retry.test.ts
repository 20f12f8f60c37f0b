import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/index.js';
import { retryDelayMs, statusProblem } from '../src/retry.js';

const backoff = { baseMs: 100, maxMs: 1000 };

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });
  it('reads an HTTP date, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('statusProblem', () => {
  it('retries 408, 429 and 5xx but no other 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].map((s) => statusProblem(s, '', undefined, 0).retryable)).toEqual(
      Array(6).fill(true),
    );
    expect(statusProblem(404, '', undefined, 0)).toMatchObject({
      retryable: false,
      code: 'SCM_HTTP_CLIENT_ERROR',
    });
  });
  it('reads Retry-After on 429 and 503 only', () => {
    expect(statusProblem(429, '', '2', 0).retryAfterMs).toBe(2000);
    expect(statusProblem(503, '', '2', 0).retryAfterMs).toBe(2000);
    expect(statusProblem(500, '', '2', 0).retryAfterMs).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  const problem = { reason: 'status 500', code: 'SCM_HTTP_STATUS' as const, retryable: true };
  it('draws a full-jitter wait under a doubling ceiling capped at maxMs', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(problem, a, backoff, 60_000, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(retryDelayMs(problem, 3, backoff, 60_000, () => 0)).toBe(0);
  });
  it('uses Retry-After instead, capped', () => {
    expect(retryDelayMs({ ...problem, retryAfterMs: 5000 }, 1, backoff, 60_000, () => 0)).toBe(5000);
    expect(retryDelayMs({ ...problem, retryAfterMs: 500_000 }, 1, backoff, 60_000, () => 0)).toBe(60_000);
  });
});
