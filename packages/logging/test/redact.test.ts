import { describe, expect, it } from 'vitest';
import { createLogger, DEFAULT_REDACT_KEYS, REDACTED, redactSecrets } from '../src/index.js';
import { memoryStream } from './helpers.js';

const SECRET = 'sUp3r-s3cr3t-Val';

describe('redaction in log lines', () => {
  it('redacts secret keys at any depth, in any case, and never writes the secret', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream, redactKeys: ['earthdata_pin'] });
    logger.info('request', {
      request: {
        url: 'https://cmr.example.com/stac',
        headers: { Authorization: `Bearer ${SECRET}`, 'X-API-KEY': SECRET, Accept: 'application/json' },
        attempts: [{ cookie: SECRET }, { nested: { deeper: { Password: SECRET, user: 'ann' } } }],
      },
      Client_Secret: SECRET,
      credentials: { user: 'ann', pass: SECRET },
      'Earthdata-Pin': SECRET,
      set_cookie: [SECRET],
      refresh_token: SECRET,
      passwd: SECRET,
      token: { value: SECRET },
    });
    const text = stream.text();
    expect(text).not.toContain(SECRET);
    const { context } = stream.lines()[0];
    expect(context).toEqual({
      request: {
        url: 'https://cmr.example.com/stac',
        headers: { Authorization: REDACTED, 'X-API-KEY': REDACTED, Accept: 'application/json' },
        attempts: [{ cookie: REDACTED }, { nested: { deeper: { Password: REDACTED, user: 'ann' } } }],
      },
      Client_Secret: REDACTED,
      credentials: REDACTED,
      'Earthdata-Pin': REDACTED,
      set_cookie: REDACTED,
      refresh_token: REDACTED,
      passwd: REDACTED,
      token: REDACTED,
    });
  });

  it('redacts credentials inside strings, in the context and in the message', () => {
    const stream = memoryStream();
    const logger = createLogger({ stream });
    logger.warn(`retrying https://ann:${SECRET}@data.example.com/items?page=2&token=${SECRET}`, {
      curl: `curl -H "Authorization: Bearer ${SECRET}" https://x.example.com`,
      basic: 'Basic YW5uOnNVcDNyLXMzY3IzdC1WYWw=',
      signed: `https://bucket.s3.amazonaws.com/a.tif?X-Amz-Credential=AKIA1&X-Amz-Signature=${SECRET}&x=1`,
      sas: `https://acct.blob.core.windows.net/c/b.tif?sv=2022&sig=${SECRET}`,
      list: [`api_key=${SECRET}`, `https://h.example.com/?apikey=${SECRET}#frag`],
      body: `{"error":"denied","access_token":"${SECRET}","client_secret": "${SECRET}"}`,
    });
    expect(stream.text()).not.toContain(SECRET);
    expect(stream.text()).not.toContain('YW5uOnNVcDNyLXMzY3IzdC1WYWw');
    const [line] = stream.lines();
    expect(line.message).toBe('retrying https://[REDACTED]@data.example.com/items?page=2&token=[REDACTED]');
    expect(line.context).toEqual({
      curl: 'curl -H "Authorization: Bearer [REDACTED]" https://x.example.com',
      basic: 'Basic [REDACTED]',
      signed:
        'https://bucket.s3.amazonaws.com/a.tif?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x=1',
      sas: 'https://acct.blob.core.windows.net/c/b.tif?sv=2022&sig=[REDACTED]',
      list: ['api_key=[REDACTED]', 'https://h.example.com/?apikey=[REDACTED]#frag'],
      body: '{"error":"denied","access_token":"[REDACTED]","client_secret": "[REDACTED]"}',
    });
  });

  it('leaves ordinary text alone', () => {
    const text =
      'Basic validation passed for 12 items; see https://example.com/stac?page=2&limit=10 (token bucket ok)';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets({ next_token: 'abc', tokens_used: 3, page_token_hint: 'x' })).toEqual({
      next_token: 'abc',
      tokens_used: 3,
      page_token_hint: 'x',
    });
  });
});

describe('redactSecrets', () => {
  it('returns a copy and leaves the input untouched', () => {
    const input = { headers: { authorization: 'Bearer abc' }, list: [1, { password: 'p' }] };
    const copy = structuredClone(input);
    const output = redactSecrets(input);
    expect(input).toEqual(copy);
    expect(output).toEqual({ headers: { authorization: REDACTED }, list: [1, { password: REDACTED }] });
  });

  it('accepts extra keys', () => {
    expect(redactSecrets({ pin: '1234', other: 'x' }, { keys: ['PIN'] })).toEqual({
      pin: REDACTED,
      other: 'x',
    });
  });

  it('handles maps, shared references, __proto__ keys and deep nesting', () => {
    const shared = { a: 1 };
    const parsed = JSON.parse('{"__proto__": {"token": "t"}, "x": 1}');
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 40; i++) {
      const next: Record<string, unknown> = {};
      cursor.next = next;
      cursor = next;
    }
    const out = redactSecrets({
      map: new Map<unknown, unknown>([
        ['Cookie', 'c'],
        [1, 'one'],
      ]),
      first: shared,
      second: shared,
      parsed,
      deep,
      bytes: new Uint8Array(3),
    }) as Record<string, unknown>;
    expect(out.map).toEqual({ Cookie: REDACTED, 1: 'one' });
    expect(out.second).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out.parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out.parsed, '__proto__')?.value).toEqual({ token: REDACTED });
    expect(JSON.stringify(out.deep)).toContain('[Truncated]');
    expect(out.bytes).toBe('[binary 3 bytes]');
  });

  it('lists the documented default keys', () => {
    expect(DEFAULT_REDACT_KEYS).toEqual([
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
  });
});
