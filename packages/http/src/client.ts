import { setTimeout as sleep } from 'node:timers/promises';
import {
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type HttpStats,
  type Logger,
  noopLogger,
  ScmError,
} from '@scm/core';
import pLimit from 'p-limit';
import { Agent, type Dispatcher, interceptors, request as undiciRequest } from 'undici';
import { decodeBody } from './decode.js';
import { createHostRateLimiter, type HostRateLimiter } from './rate-limit.js';
import {
  type AttemptProblem,
  type BackoffOptions,
  bodyProblem,
  retryDelayMs,
  statusProblem,
  transportProblem,
} from './retry.js';
import { createStatsRecorder, type StatsRecorder } from './stats.js';

/**
 * Supplies a bearer token for a request to `url`, fetched lazily on the
 * first request that needs it. `http` is the client without authentication
 * (for a token exchange); returning undefined sends no `Authorization` header.
 */
export type TokenProvider = (context: {
  http: HttpClient;
  url: URL;
  signal?: AbortSignal;
}) => Promise<string | undefined>;

/** Options of {@link createHttpClient}. Every one has a default. */
export interface HttpClientOptions {
  /** Requests in flight at once, over all hosts (`processing.concurrency`). Default 4. */
  concurrency?: number;
  /** Requests per second per host, shared by all requests of the client (`processing.rate_limit`). Default 0: unlimited. */
  requestsPerSecond?: number;
  /** Requests that may start together after a quiet spell. Default 1 (evenly spaced). */
  burst?: number;
  /** Per-attempt deadline for the whole response (headers and body), in ms. Default 60 000. */
  timeoutMs?: number;
  /** Attempts per request, the first included (`processing.retry_max_attempts`). Default 5. */
  maxAttempts?: number;
  /** Exponential backoff with full jitter. Defaults `{ baseMs: 500, maxMs: 30_000 }`. */
  backoff?: BackoffOptions;
  /** Cap on a server's `Retry-After`, in ms. Default 120 000. */
  maxRetryAfterMs?: number;
  /** Headers sent with every request (the config's `source.headers`, already resolved). Default none. */
  headers?: Record<string, string>;
  /** Bearer token source, e.g. {@link earthdataTokenProvider}. Default none. */
  bearerToken?: TokenProvider;
  /** Host names (or parent domains) that receive the bearer token. Default: every host. */
  bearerTokenHosts?: readonly string[];
  /** Largest decoded response body, in bytes. Default 512 MiB. */
  maxResponseBytes?: number;
  /** Where retries (warn) and requests (debug) are logged. Default: nowhere. */
  logger?: Logger;
  /** Random source in [0, 1) for the jitter, for tests. Default `Math.random`. */
  random?: () => number;
}

/** The client {@link createHttpClient} returns. */
export interface ScmHttpClient extends HttpClient {
  /** Counters since creation: requests, retries, statuses, bytes, waits. */
  stats(): HttpStats;
  /** Closes the connection pool; pending requests fail. */
  close(): Promise<void>;
}

/** Longest body text kept in error details. */
const BODY_DETAIL_CHARS = 2000;
const USER_AGENT = 'stac-catalog-manager (@scm/http)';

/** Everything an attempt needs, resolved once per client. */
interface Transport {
  dispatcher: Dispatcher;
  limiter: HostRateLimiter;
  stats: StatsRecorder;
  logger: Logger;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Creates the JSON-over-HTTP client every harvest uses: one undici pool
 * (keep-alive, no pipelining, gzip/br decoded), a concurrency cap, a per-host
 * token bucket, and a retry loop for GET and POST alike. Retries happen on
 * 408/429/5xx, connection errors, timeouts and bodies that are not JSON;
 * other 4xx fail at once as `SCM_HTTP_CLIENT_ERROR`. After the last attempt
 * it throws `ScmError` (`SCM_HTTP_STATUS`, `_NETWORK`, `_TIMEOUT`,
 * `_INVALID_BODY`) with `details` {url, method, status, attempts, reason, body}.
 */
export function createHttpClient(options: HttpClientOptions = {}): ScmHttpClient {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const agent = new Agent({ connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const transport: Transport = {
    dispatcher: agent.compose(interceptors.redirect({ maxRedirections: 5 })),
    maxResponseBytes: options.maxResponseBytes ?? 512 * 1024 * 1024,
    limiter: createHostRateLimiter({
      requestsPerSecond: options.requestsPerSecond ?? 0,
      burst: options.burst ?? 1,
    }),
    stats: createStatsRecorder(),
    logger: (options.logger ?? noopLogger).child('http'),
    headers: defaultHeaders(options.headers),
    timeoutMs: options.timeoutMs ?? 60_000,
  };
  const retry = retryPolicy(options);
  const slot = pLimit(concurrency);
  const plain: HttpClient = {
    json: <T>(req: HttpRequest) => sendWithRetries<T>(transport, retry, slot, req),
  };
  const authorize = bearerHeader(options, plain);
  return {
    async json<T>(req: HttpRequest): Promise<HttpResponse<T>> {
      const auth = await authorize(req);
      const withAuth = auth ? { ...req, headers: { ...auth, ...lowerCaseKeys(req.headers) } } : req;
      return sendWithRetries<T>(transport, retry, slot, withAuth);
    },
    stats: () => transport.stats.snapshot(),
    close: () => agent.close(),
  };
}

/** Retry settings with defaults filled in. */
interface RetryPolicy {
  maxAttempts: number;
  backoff: Required<BackoffOptions>;
  maxRetryAfterMs: number;
  random: () => number;
}

function retryPolicy(options: HttpClientOptions): RetryPolicy {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 5),
    backoff: { baseMs: options.backoff?.baseMs ?? 500, maxMs: options.backoff?.maxMs ?? 30_000 },
    maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
    random: options.random ?? Math.random,
  };
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = value;
  return out;
}

function defaultHeaders(configured: Record<string, string> | undefined): Record<string, string> {
  return {
    accept: 'application/geo+json, application/json;q=0.9',
    'accept-encoding': 'gzip, br',
    'user-agent': USER_AGENT,
    ...lowerCaseKeys(configured),
  };
}

/** True when `host` is one of `allowed` or a subdomain of one (all hosts when `allowed` is undefined). */
export function hostAllowed(host: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  return allowed.some((name) => host === name || host.endsWith(`.${name}`));
}

/**
 * Returns the function that yields the `Authorization` header for a request:
 * none when no provider is set, the host is not allowed, or the caller or
 * the configured headers already carry one.
 */
function bearerHeader(options: HttpClientOptions, plain: HttpClient) {
  const provider = options.bearerToken;
  const configured = Object.keys(lowerCaseKeys(options.headers)).includes('authorization');
  return async (req: HttpRequest): Promise<Record<string, string> | undefined> => {
    if (!provider || configured || 'authorization' in lowerCaseKeys(req.headers)) return undefined;
    const url = new URL(req.url);
    if (!hostAllowed(url.hostname, options.bearerTokenHosts)) return undefined;
    const token = await provider({ http: plain, url, ...(req.signal ? { signal: req.signal } : {}) });
    return token ? { authorization: `Bearer ${token}` } : undefined;
  };
}

type Slot = ReturnType<typeof pLimit>;

/** The retry loop: one attempt per turn, a logged wait between turns. */
async function sendWithRetries<T>(
  transport: Transport,
  policy: RetryPolicy,
  slot: Slot,
  req: HttpRequest,
): Promise<HttpResponse<T>> {
  const url = parseUrl(req);
  const method = req.method ?? 'GET';
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await slot(() => attemptOnce<T>(transport, url, req));
    if (outcome.ok) return outcome.response;
    const { problem } = outcome;
    if (!problem.retryable || attempt >= policy.maxAttempts) throw finalError(method, url, attempt, problem);
    const waitMs = retryDelayMs(problem, attempt, policy.backoff, policy.maxRetryAfterMs, policy.random);
    if (problem.retryAfterMs !== undefined) transport.limiter.pauseUntil(url.host, Date.now() + waitMs);
    transport.stats.retry(problem.reason);
    transport.stats.wait(waitMs);
    transport.logger.warn(
      `retry ${attempt}/${policy.maxAttempts - 1} after ${problem.reason}: ${method} ${url.href}`,
      {
        url: url.href,
        method,
        attempt,
        max_attempts: policy.maxAttempts,
        reason: problem.reason,
        wait_ms: waitMs,
        ...(problem.status !== undefined ? { status: problem.status } : {}),
      },
    );
    await abortableSleep(waitMs, req.signal);
  }
}

function parseUrl(req: HttpRequest): URL {
  try {
    return new URL(req.url);
  } catch (error) {
    throw new ScmError('SCM_HTTP_CLIENT_ERROR', `Not a valid URL: ${req.url}`, {
      cause: error,
      details: { url: req.url },
    });
  }
}

function abortedError(signal: AbortSignal | undefined): ScmError {
  return new ScmError('SCM_ABORTED', 'HTTP request aborted', { cause: signal?.reason });
}

async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal);
    throw error;
  }
}

/** What one attempt gave: a decoded response, or the problem that stopped it. */
type AttemptOutcome<T> = { ok: true; response: HttpResponse<T> } | { ok: false; problem: AttemptProblem };

/** One attempt: wait for the host's token, send, read the whole body, decode JSON. */
async function attemptOnce<T>(transport: Transport, url: URL, req: HttpRequest): Promise<AttemptOutcome<T>> {
  if (req.signal?.aborted) throw abortedError(req.signal);
  try {
    transport.stats.wait(await transport.limiter.acquire(url.host, req.signal));
  } catch (error) {
    if (req.signal?.aborted) throw abortedError(req.signal);
    throw error;
  }
  const deadline = AbortSignal.timeout(transport.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
  const method = req.method ?? 'GET';
  const started = Date.now();
  transport.stats.request();
  try {
    const res = await undiciRequest(url, {
      dispatcher: transport.dispatcher,
      method,
      headers: requestHeaders(transport, req),
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      signal,
      headersTimeout: transport.timeoutMs,
      bodyTimeout: transport.timeoutMs,
    });
    const raw = Buffer.from(await res.body.arrayBuffer());
    const buffer = await decodeBody(raw, res.headers['content-encoding'], transport.maxResponseBytes);
    transport.stats.response(res.statusCode, buffer.byteLength);
    transport.logger.debug(`${method} ${url.href} ${res.statusCode}`, {
      url: url.href,
      method,
      status: res.statusCode,
      bytes: buffer.byteLength,
      ms: Date.now() - started,
    });
    return decodeResponse<T>(url, res.statusCode, res.headers, buffer.toString('utf8'));
  } catch (error) {
    if (req.signal?.aborted) throw abortedError(req.signal);
    return { ok: false, problem: transportProblem(error, deadline.aborted) };
  }
}

function requestHeaders(transport: Transport, req: HttpRequest): Record<string, string> {
  const headers = { ...transport.headers, ...lowerCaseKeys(req.headers) };
  if (req.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return headers;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function decodeResponse<T>(
  url: URL,
  status: number,
  rawHeaders: Record<string, string | string[] | undefined>,
  text: string,
): AttemptOutcome<T> {
  if (status < 200 || status > 299) {
    return { ok: false, problem: statusProblem(status, text, rawHeaders['retry-after'], Date.now()) };
  }
  try {
    const body = JSON.parse(text) as T;
    return { ok: true, response: { status, url: url.href, headers: flattenHeaders(rawHeaders), body } };
  } catch (error) {
    return { ok: false, problem: bodyProblem(status, text, error) };
  }
}

function finalError(method: string, url: URL, attempts: number, problem: AttemptProblem): ScmError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const body = problem.body === undefined ? undefined : problem.body.slice(0, BODY_DETAIL_CHARS);
  const excerpt = body ? `: ${body.slice(0, 200)}` : '';
  return new ScmError(
    problem.code,
    `${method} ${url.href} failed after ${tries} (${problem.reason})${excerpt}`,
    {
      cause: problem.cause,
      details: {
        url: url.href,
        method,
        attempts,
        reason: problem.reason,
        ...(problem.status !== undefined ? { status: problem.status } : {}),
        ...(body !== undefined ? { body } : {}),
      },
    },
  );
}
