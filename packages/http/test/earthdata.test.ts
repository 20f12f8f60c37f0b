import { isScmError } from '@scm/core';
import { memoryLogger } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, earthdataTokenProvider } from '../src/index.js';
import { json, type Responder, startServer } from './server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Answers Earthdata Login's token call (checking basic auth) and echoes everything else. */
const ursAndApi: Responder = (res, seen) => {
  if (seen.url === '/api/users/find_or_create_token') {
    const expected = `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`;
    if (seen.method !== 'POST' || seen.headers.authorization !== expected) {
      json(401, { error: 'invalid_credentials' })(res, seen);
      return;
    }
    json(200, { access_token: 'edl-token-123', token_type: 'Bearer' })(res, seen);
    return;
  }
  json(200, { type: 'Catalog' })(res, seen);
};

async function setup(env: Record<string, string>, extra: Parameters<typeof createHttpClient>[0] = {}) {
  const server = await startServer([ursAndApi]);
  const logger = memoryLogger();
  const provider = earthdataTokenProvider({ env, loginUrl: server.url, hosts: ['127.0.0.1'] });
  const client = createHttpClient({ logger, ...(provider ? { bearerToken: provider } : {}), ...extra });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client, logger };
}

describe('earthdataTokenProvider', () => {
  it('sends EARTHDATA_TOKEN as a bearer token and never logs it', async () => {
    const { server, client, logger } = await setup({ EARTHDATA_TOKEN: 'tok-abc' });
    await client.json({ url: `${server.url}/stac` });
    expect(server.seen[0]?.headers.authorization).toBe('Bearer tok-abc');
    expect(JSON.stringify(logger.lines)).not.toContain('tok-abc');
  });

  it('exchanges EARTHDATA_USERNAME/PASSWORD for a token once and reuses it', async () => {
    const env = { EARTHDATA_USERNAME: 'alice', EARTHDATA_PASSWORD: 's3cret-pw' };
    const { server, client, logger } = await setup(env);
    await Promise.all([1, 2, 3].map(() => client.json({ url: `${server.url}/stac/LPCLOUD` })));
    const exchanges = server.seen.filter((r) => r.url === '/api/users/find_or_create_token');
    expect(exchanges).toHaveLength(1);
    const api = server.seen.filter((r) => r.url === '/stac/LPCLOUD');
    expect(api.map((r) => r.headers.authorization)).toEqual(Array(3).fill('Bearer edl-token-123'));
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain('edl-token-123');
    expect(logged).not.toContain('s3cret-pw');
  });

  it('says which variables Earthdata Login refused, without the password', async () => {
    const { server, client } = await setup({ EARTHDATA_USERNAME: 'alice', EARTHDATA_PASSWORD: 'wrong' });
    const error = await client.json({ url: `${server.url}/stac` }).catch((e: unknown) => e);
    expect(isScmError(error) && error.code).toBe('SCM_HTTP_CLIENT_ERROR');
    expect(String((error as Error).message)).toContain('refused EARTHDATA_USERNAME/EARTHDATA_PASSWORD');
    expect(JSON.stringify(error)).not.toContain('wrong');
  });

  it('sends the token only to NASA hosts by default', async () => {
    const server = await startServer([ursAndApi]);
    const provider = earthdataTokenProvider({ env: { EARTHDATA_TOKEN: 'tok-abc' } });
    const client = createHttpClient(provider ? { bearerToken: provider } : {});
    cleanups.push(
      () => client.close(),
      () => server.close(),
    );
    await client.json({ url: `${server.url}/stac` });
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
  });

  it("sends the token only to the client's listed hosts", async () => {
    const { server, client } = await setup(
      { EARTHDATA_TOKEN: 'tok-abc' },
      { bearerTokenHosts: ['nasa.gov'] },
    );
    await client.json({ url: `${server.url}/stac` });
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('is absent without variables, and refuses a username without a password', () => {
    expect(earthdataTokenProvider({ env: {} })).toBeUndefined();
    expect(() => earthdataTokenProvider({ env: { EARTHDATA_USERNAME: 'alice' } })).toThrow(
      /EARTHDATA_PASSWORD is not set/,
    );
  });
});
