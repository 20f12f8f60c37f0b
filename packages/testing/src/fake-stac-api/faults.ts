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

/** Which responses go wrong: by chance (seeded), by request number, or both. */
export interface FakeFaultOptions {
  /** Probability in [0, 1] that a request meets a fault drawn from `kinds`. Default 0. */
  rate?: number;
  /** Faults drawn when `rate` hits. Default all of {@link TRANSIENT_FAULTS}. */
  kinds?: readonly TransientFault[];
  /** Seed of the draws, so a run can be replayed. Default 1. */
  seed?: number;
  /** Faults by 1-based request number (counting every request the server receives). */
  schedule?: Record<number, TransientFault>;
  /** `Retry-After` seconds sent with 429 and 503. Default 1. */
  retryAfterSeconds?: number;
  /** How long a `slow` response is held back, in ms. Default 5000. */
  slowMs?: number;
}

/** Decides the fault of each request in arrival order. */
export function createFaultPlan(
  options: FakeFaultOptions = {},
): (requestNumber: number) => TransientFault | undefined {
  const seed = options.seed ?? 1;
  const kinds = options.kinds ?? TRANSIENT_FAULTS;
  const rate = options.rate ?? 0;
  return (requestNumber) => {
    const scheduled = options.schedule?.[requestNumber];
    if (scheduled) return scheduled;
    if (rate <= 0 || kinds.length === 0) return undefined;
    // Drawn from the request number alone: the same seed faults the same requests, whatever the timing.
    if (hash01(seed, requestNumber, 101) >= rate) return undefined;
    return kinds[Math.floor(hash01(seed, requestNumber, 102) * kinds.length)];
  };
}
