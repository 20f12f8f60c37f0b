import type { ScmErrorCode } from '@scm/core';

/** Why one attempt did not give a usable JSON response. */
export interface AttemptProblem {
  /** Short reason for logs and stats: `status 503`, `timeout`, `network ECONNRESET`, `invalid json`. */
  reason: string;
  /** Error code if this is the last attempt. */
  code: ScmErrorCode;
  /** True when sending again may succeed. */
  retryable: boolean;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Response body text (possibly cut), when a response arrived. */
  body?: string;
  /** Server's wish from `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** The underlying error, for network problems. */
  cause?: unknown;
}

/** Exponential backoff settings. */
export interface BackoffOptions {
  /** Wait cap of the first retry, in ms; doubles each retry. Default 500. */
  baseMs?: number;
  /** Largest wait between two attempts, in ms. Default 30 000. */
  maxMs?: number;
}

/** Statuses a server uses for "try again later"; CMR-STAC throttles with 500/503/504. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses a `Retry-After` value: delta-seconds (`120`) or an HTTP date.
 * Returns milliseconds from `nowMs` (never negative), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Classifies a non-2xx response. */
export function statusProblem(
  status: number,
  body: string,
  retryAfter: string | string[] | undefined,
  nowMs: number,
): AttemptProblem {
  const retryable = isRetryableStatus(status);
  const problem: AttemptProblem = {
    reason: `status ${status}`,
    code: status >= 400 && status < 500 && !retryable ? 'SCM_HTTP_CLIENT_ERROR' : 'SCM_HTTP_STATUS',
    retryable,
    status,
    body,
  };
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
    if (retryAfterMs !== undefined) problem.retryAfterMs = retryAfterMs;
  }
  return problem;
}

/** undici error codes that mean "the server took too long". */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Errors that sending again cannot fix. */
const PERMANENT_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'ERR_BUFFER_TOO_LARGE',
  'ENOTFOUND',
  'UND_ERR_NOT_SUPPORTED',
]);

/** The `code` of an error or of its cause (undici wraps socket errors). */
function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}

/** Classifies a thrown transport error; `timedOut` is true when the client's own deadline fired. */
export function transportProblem(error: unknown, timedOut: boolean): AttemptProblem {
  const code = errorCode(error);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { reason: 'timeout', code: 'SCM_HTTP_TIMEOUT', retryable: true, cause: error };
  }
  if (code?.startsWith('Z_')) {
    // zlib could not decode a compressed body: cut short on the way, like truncated JSON.
    return { reason: 'invalid body', code: 'SCM_HTTP_INVALID_BODY', retryable: true, cause: error };
  }
  const name = code ?? (error instanceof Error ? error.name : 'error');
  return {
    reason: `network ${name}`,
    code: 'SCM_HTTP_NETWORK',
    retryable: !PERMANENT_CODES.has(name),
    cause: error,
  };
}

/** A 2xx body that is not JSON, or JSON cut short: the server or the network hiccupped. */
export function bodyProblem(status: number, body: string, error: unknown): AttemptProblem {
  return {
    reason: 'invalid json',
    code: 'SCM_HTTP_INVALID_BODY',
    retryable: true,
    status,
    body,
    cause: error,
  };
}

/**
 * How long to wait before attempt `attempt + 1`: `Retry-After` when the
 * server gave one (capped at `maxRetryAfterMs`), else exponential backoff
 * with full jitter: a uniform draw in `[0, min(maxMs, baseMs · 2^(attempt-1)))`.
 */
export function retryDelayMs(
  problem: AttemptProblem,
  attempt: number,
  backoff: Required<BackoffOptions>,
  maxRetryAfterMs: number,
  random: () => number,
): number {
  if (problem.retryAfterMs !== undefined) return Math.min(problem.retryAfterMs, maxRetryAfterMs);
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
