/**
 * `@scm/http`: the JSON-over-HTTP client every STAC harvest uses. undici pool
 * with keep-alive and gzip/br, a concurrency cap, a per-host token bucket,
 * retries with exponential backoff, full jitter and `Retry-After`, and
 * Earthdata Login bearer tokens. Implements `HttpClient` from `@scm/core`.
 *
 * @packageDocumentation
 */

// The client and its options.
export type { HttpClientOptions, ScmHttpClient, TokenProvider } from './client.js';
export { createHttpClient } from './client.js';
// Earthdata Login bearer tokens from the environment.
export type { EarthdataTokenOptions } from './earthdata.js';
export { EARTHDATA_LOGIN_URL, earthdataTokenProvider } from './earthdata.js';
// The per-host token bucket, reusable on its own.
export type { HostRateLimiter, HostRateLimiterOptions } from './rate-limit.js';
export { createHostRateLimiter } from './rate-limit.js';
// Retry rules, exported for callers that report on them.
export type { BackoffOptions } from './retry.js';
export { parseRetryAfter } from './retry.js';
