import { hash01 } from './random.js';

/** A problem the fake API can inject into one response; a client fixes each by retrying. */
export type TransientFault = '429' | '500' | '503' | '504' | 'slow' | 'reset' | 'truncated';

/** Every transient fault. */
export const TRANSIENT_FAULTS: readonly TransientFault[] = [
  '429',
  '500',
  '503',
  '504',
  'slow',
  'reset',
  'truncated',
];

/** What a fault rule sees of a request: enough to pick one query or one window of a harvest. */
export interface FaultRequest {
  /** 1-based arrival number. */
  n: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Parsed JSON body of a POST. */
  body?: unknown;
}

/**
 * Faults aimed at one request, wherever it falls in the arrival order: the
 * first request `match` accepts picks the target (method, URL and body), and
 * the next `faults.length` arrivals of that same request get `faults` in
 * turn. Tests so stay true however concurrent windows interleave.
 */
export interface FaultRule {
  match(request: FaultRequest): boolean;
  faults: readonly TransientFault[];
}

/** Which responses go wrong: by chance (seeded), by request number, by rule, or a mix. */
export interface FakeFaultOptions {
  /** Probability in [0, 1] that a request meets a fault drawn from `kinds`. Default 0. */
  rate?: number;
  /** Faults drawn when `rate` hits. Default all of {@link TRANSIENT_FAULTS}. */
  kinds?: readonly TransientFault[];
  /** Seed of the draws, so a run can be replayed. Default 1. */
  seed?: number;
  /** Faults by 1-based request number (counting every request the server receives). */
  schedule?: Record<number, TransientFault>;
  /** Faults aimed at given requests (see {@link FaultRule}); checked before `schedule` and `rate`. */
  rules?: readonly FaultRule[];
  /** `Retry-After` seconds sent with 429 and 503. Default 1. */
  retryAfterSeconds?: number;
  /** How long a `slow` response is held back, in ms. Default 5000. */
  slowMs?: number;
}

function requestKey(request: FaultRequest): string {
  return JSON.stringify([request.method, request.url, request.body ?? null]);
}

/** The next fault of the first rule aimed at this request, if any is left. */
function ruleFault(
  rules: readonly FaultRule[],
  targets: Array<{ key?: string; used: number }>,
  request: FaultRequest,
): TransientFault | undefined {
  const key = requestKey(request);
  for (const [index, rule] of rules.entries()) {
    const target = targets[index] as { key?: string; used: number };
    if (target.used >= rule.faults.length) continue;
    if (target.key === undefined && rule.match(request)) target.key = key;
    if (target.key !== key) continue;
    target.used += 1;
    return rule.faults[target.used - 1];
  }
  return undefined;
}

/** Decides the fault of each request in arrival order. */
export function createFaultPlan(
  options: FakeFaultOptions = {},
): (request: FaultRequest) => TransientFault | undefined {
  const seed = options.seed ?? 1;
  const kinds = options.kinds ?? TRANSIENT_FAULTS;
  const rate = options.rate ?? 0;
  const rules = options.rules ?? [];
  const targets: Array<{ key?: string; used: number }> = rules.map(() => ({ used: 0 }));
  return (request) => {
    const requestNumber = request.n;
    const aimed = ruleFault(rules, targets, request);
    if (aimed) return aimed;
    const scheduled = options.schedule?.[requestNumber];
    if (scheduled) return scheduled;
    if (rate <= 0 || kinds.length === 0) return undefined;
    // Drawn from the request number alone: the same seed faults the same requests, whatever the timing.
    if (hash01(seed, requestNumber, 101) >= rate) return undefined;
    return kinds[Math.floor(hash01(seed, requestNumber, 102) * kinds.length)];
  };
}
