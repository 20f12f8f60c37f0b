import { setOwnMember } from '@scm/core';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are always redacted, compared case-insensitively and
 * with `_` and `-` treated alike (`api_key` also covers `API-KEY`).
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'x-api-key',
  'client_secret',
  'credentials',
]);

/** URL query parameters whose values are redacted inside strings (plus the user's extra keys). */
const QUERY_KEYS = [
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'signature',
  'sig',
  'password',
  'client_secret',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
];

/** Options of {@link redactSecrets}. */
export interface RedactOptions {
  /** Extra key names to redact, on top of {@link DEFAULT_REDACT_KEYS}. Default none. */
  keys?: readonly string[];
}

/** Nesting depth after which values are replaced by `[Truncated]`. */
const MAX_DEPTH = 32;

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/_/g, '-');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `user:pass@` (or a lone token as user) right after `scheme://`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;
/** `Bearer <token>`: the token is always a secret. */
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
/** `Basic <base64>`; checked by {@link looksEncoded} so that plain words after "basic" survive. */
const BASIC = /\b(basic)\s+([A-Za-z0-9+/]+=*)/gi;

/** True for a token that looks like base64 rather than an English word. */
function looksEncoded(token: string): boolean {
  return /[=0-9+/]/.test(token) || /[A-Z]/.test(token.slice(1)) || token.length >= 16;
}

/** A compiled redactor for one set of keys. */
export interface Redactor {
  /** True when values under `key` are secrets. */
  isSecretKey(key: string): boolean;
  /** Redacts secrets inside one string. */
  redactString(text: string): string;
  /** Returns a redacted, JSON-safe deep copy of `value`. */
  redact<T>(value: T): T;
}

/** The string redactor for one set of secret keys: URL credentials, auth headers, query secrets, JSON members. */
function stringRedactor(
  secretKeys: ReadonlySet<string>,
  extraKeys: readonly string[],
): (text: string) => string {
  const queryNames = [...new Set([...QUERY_KEYS, ...extraKeys].map((k) => k.toLowerCase()))];
  const namePattern = queryNames.map((k) => escapeRegExp(k).replace(/[-_]/g, '[-_]')).join('|');
  // `?token=…`, `&sig=…`, also `token=…` at the start of a string or after a space.
  const query = new RegExp(`(^|[?&;\\s])(${namePattern})=[^&#\\s"'<>]*`, 'gi');
  const keyPattern = [...secretKeys].map((k) => escapeRegExp(k).replace(/-/g, '[-_]')).join('|');
  // `"password": "…"` inside a JSON text (an error body, for instance).
  const jsonMember = new RegExp(`("(?:${keyPattern})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
  return (text) => {
    if (text.length < 4) return text;
    return text
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(BASIC, (match, scheme: string, token: string) =>
        looksEncoded(token) ? `${scheme} ${REDACTED}` : match,
      )
      .replace(query, `$1$2=${REDACTED}`)
      .replace(jsonMember, `$1"${REDACTED}"`);
  };
}

function setMember(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) setOwnMember(out, key, value);
}

/** A JSON-safe form of a value that is neither a string nor an object (null included). */
function jsonScalar(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    default:
      return value;
  }
}

/**
 * The deep copy behind {@link Redactor.redact}: members under secret keys
 * are replaced, strings cleaned, cycles and deep nesting cut, and values
 * JSON cannot hold (dates, maps, errors, binary) turned into ones it can.
 */
function deepRedactor(
  isSecretKey: (key: string) => boolean,
  redactString: (text: string) => string,
): (value: unknown) => unknown {
  function copyMembers(
    out: Record<string, unknown>,
    entries: Iterable<[string, unknown]>,
    depth: number,
    seen: Set<object>,
  ) {
    for (const [key, value] of entries) {
      setMember(out, key, isSecretKey(key) && value !== undefined ? REDACTED : walk(value, depth + 1, seen));
    }
    return out;
  }

  function walkObject(value: object, depth: number, seen: Set<object>): unknown {
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen) ?? null);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof URL) return redactString(value.href);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
      return `[binary ${value.byteLength} bytes]`;
    if (value instanceof Map) {
      const entries = [...value].map(([k, v]) => [String(k), v] as [string, unknown]);
      return copyMembers({}, entries, depth, seen);
    }
    if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, seen) ?? null);
    if (value instanceof Error) {
      const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
      copyMembers(out, Object.entries(value), depth, seen);
      if (value.stack) out.stack = redactString(value.stack);
      if (value.cause !== undefined) setMember(out, 'cause', walk(value.cause, depth + 1, seen));
      return out;
    }
    return copyMembers({}, Object.entries(value), depth, seen);
  }

  function walk(value: unknown, depth: number, seen: Set<object>): unknown {
    if (typeof value === 'string') return redactString(value);
    if (typeof value !== 'object' || value === null) return jsonScalar(value);
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    seen.add(value);
    try {
      return walkObject(value, depth, seen);
    } finally {
      seen.delete(value);
    }
  }

  return (value) => walk(value, 0, new Set());
}

/**
 * Builds a {@link Redactor} for the default keys plus `extraKeys`. Reuse it:
 * building compiles regular expressions.
 */
export function createRedactor(extraKeys: readonly string[] = []): Redactor {
  const secretKeys = new Set([...DEFAULT_REDACT_KEYS, ...extraKeys].map(normalizeKey));
  const isSecretKey = (key: string): boolean => secretKeys.has(normalizeKey(key));
  const redactString = stringRedactor(secretKeys, extraKeys);
  const redact = deepRedactor(isSecretKey, redactString);
  return {
    isSecretKey,
    redactString,
    redact<T>(value: T): T {
      return redact(value) as T;
    },
  };
}

const defaultRedactor = createRedactor();

/**
 * Returns a deep copy of `value` that is safe to log:
 * - values under secret keys ({@link DEFAULT_REDACT_KEYS} plus `options.keys`),
 *   at any depth, become `"[REDACTED]"`;
 * - inside every string, `user:pass@` in URLs, `Bearer …` and `Basic …`
 *   credentials, secret query parameters (`token`, `access_token`, `api_key`,
 *   `apikey`, `signature`, `sig`, S3 presigned-URL signatures…) and secret
 *   members of embedded JSON text are replaced by `[REDACTED]`;
 * - the copy is plain JSON: errors become `{ name, message, stack, … }`,
 *   dates ISO strings, maps objects, sets arrays, binary data a size note,
 *   cycles `"[Circular]"`, and functions are dropped.
 *
 * The type parameter is kept for convenience; class instances come back as
 * plain objects.
 */
export function redactSecrets<T>(value: T, options: RedactOptions = {}): T {
  const redactor = options.keys && options.keys.length > 0 ? createRedactor(options.keys) : defaultRedactor;
  return redactor.redact(value);
}
