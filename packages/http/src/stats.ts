import type { HttpStats } from '@scm/core';

/** Mutable counters behind `client.stats()`. */
export interface StatsRecorder {
  /** One request sent. */
  request(): void;
  /** One response received with its decoded body size. */
  response(status: number, bytes: number): void;
  /** One retry decided, with its reason and backoff wait. */
  retry(reason: string): void;
  /** Time spent waiting (backoff or rate limit). */
  wait(ms: number): void;
  /** A copy of the counters. */
  snapshot(): HttpStats;
}

/** Builds an empty {@link StatsRecorder}. */
export function createStatsRecorder(): StatsRecorder {
  const stats: HttpStats = {
    requests: 0,
    retries: 0,
    byStatus: {},
    retriesByReason: {},
    bytes: 0,
    waitMs: 0,
  };
  return {
    request() {
      stats.requests += 1;
    },
    response(status, bytes) {
      stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
      stats.bytes += bytes;
    },
    retry(reason) {
      stats.retries += 1;
      stats.retriesByReason[reason] = (stats.retriesByReason[reason] ?? 0) + 1;
    },
    wait(ms) {
      stats.waitMs += ms;
    },
    snapshot() {
      return {
        ...stats,
        byStatus: { ...stats.byStatus },
        retriesByReason: { ...stats.retriesByReason },
      };
    },
  };
}
