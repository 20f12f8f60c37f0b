import { type HttpClient, isScmError, ScmError } from '@scm/core';
import { hostAllowed, type TokenProvider } from './client.js';

/** The public Earthdata Login server. */
export const EARTHDATA_LOGIN_URL = 'https://urs.earthdata.nasa.gov';

/** Options of {@link earthdataTokenProvider}. */
export interface EarthdataTokenOptions {
  /** Where the variables are read. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Earthdata Login base URL (a test server, or UAT). Default {@link EARTHDATA_LOGIN_URL}. */
  loginUrl?: string;
  /** Hosts (or parent domains) that receive the token. Default `['nasa.gov']`: CMR-STAC and the DAACs, nothing else. */
  hosts?: readonly string[];
}

/**
 * An Earthdata Login bearer token for NASA APIs (CMR-STAC, LP DAAC…):
 * - `EARTHDATA_TOKEN` is used as is;
 * - otherwise `EARTHDATA_USERNAME` and `EARTHDATA_PASSWORD` are exchanged
 *   once for a token (`POST {loginUrl}/api/users/find_or_create_token` with
 *   basic auth), and the token is reused for the whole run.
 *
 * The token goes only to `hosts` (NASA by default), so a harvest of another
 * API never carries it. Returns undefined when none of these variables is set. Throws
 * `SCM_CONFIG_ENV_MISSING` when only one of username and password is set.
 * Neither the token nor the password is ever logged or put in error details.
 */
export function earthdataTokenProvider(options: EarthdataTokenOptions = {}): TokenProvider | undefined {
  const env = options.env ?? process.env;
  const hosts = options.hosts ?? ['nasa.gov'];
  const token = env.EARTHDATA_TOKEN?.trim();
  if (token) return async ({ url }) => (hostAllowed(url.hostname, hosts) ? token : undefined);
  const username = env.EARTHDATA_USERNAME;
  const password = env.EARTHDATA_PASSWORD;
  if (!username && !password) return undefined;
  if (!username || !password) {
    const missing = username ? 'EARTHDATA_PASSWORD' : 'EARTHDATA_USERNAME';
    throw new ScmError(
      'SCM_CONFIG_ENV_MISSING',
      `${missing} is not set; Earthdata Login needs EARTHDATA_USERNAME and EARTHDATA_PASSWORD together (or EARTHDATA_TOKEN)`,
      { details: { variable: missing } },
    );
  }
  const loginUrl = (options.loginUrl ?? EARTHDATA_LOGIN_URL).replace(/\/+$/, '');
  let pending: Promise<string> | undefined;
  return async ({ http, url, signal }) => {
    if (!hostAllowed(url.hostname, hosts)) return undefined;
    pending ??= exchangeForToken(http, loginUrl, username, password, signal).catch((error: unknown) => {
      pending = undefined; // let a later request try again
      throw error;
    });
    return pending;
  };
}

/** Asks Earthdata Login for the user's token (creating one when the user has none). */
async function exchangeForToken(
  http: HttpClient,
  loginUrl: string,
  username: string,
  password: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const url = `${loginUrl}/api/users/find_or_create_token`;
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  try {
    const response = await http.json<{ access_token?: unknown }>({
      url,
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      ...(signal ? { signal } : {}),
    });
    const token = response.body?.access_token;
    if (typeof token === 'string' && token.length > 0) return token;
    throw new ScmError('SCM_HTTP_INVALID_BODY', `Earthdata Login answered ${url} without an access_token`, {
      details: { url },
    });
  } catch (error) {
    if (isScmError(error) && error.code === 'SCM_HTTP_CLIENT_ERROR') {
      throw new ScmError(
        'SCM_HTTP_CLIENT_ERROR',
        `Earthdata Login refused EARTHDATA_USERNAME/EARTHDATA_PASSWORD at ${url} (status ${String(error.details?.status)})`,
        { details: { url, status: error.details?.status } },
      );
    }
    throw error;
  }
}
