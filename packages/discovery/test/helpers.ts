import { readFileSync } from 'node:fs';
import type { HttpClient, HttpRequest, HttpResponse } from '@scm/core';
import { ScmError } from '@scm/core';

/** A route answer that fails as the real client does after its retries. */
export class Fail {
  constructor(readonly status: number) {}
}

type Answer = unknown | Fail | ((request: HttpRequest) => unknown);

/** A fixture from test/fixtures, parsed. */
export function fixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(new URL(`fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** A deep copy of `value` with every occurrence of `from` in its strings replaced by `to`. */
export function rewrite<T>(value: T, from: string, to: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(from, to)) as T;
}

/**
 * An in-memory HttpClient over a URL -> answer table. Unknown URLs answer 404
 * and a {@link Fail} answers its status, both as `ScmError`s with
 * `details.status`, as `@scm/http` reports them once its retries are spent.
 */
export function stubHttp(routes: Record<string, Answer>): { http: HttpClient; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    async json<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      requests.push(request);
      const answer = routes[request.url];
      if (answer === undefined || answer instanceof Fail) {
        const status = answer instanceof Fail ? answer.status : 404;
        const code = status >= 500 ? 'SCM_HTTP_STATUS' : 'SCM_HTTP_CLIENT_ERROR';
        throw new ScmError(code, `HTTP ${status} from ${request.url}`, {
          details: { url: request.url, method: request.method ?? 'GET', status, attempts: 1 },
        });
      }
      const body = typeof answer === 'function' ? (answer as (r: HttpRequest) => unknown)(request) : answer;
      return { status: 200, url: request.url, headers: {}, body: structuredClone(body) as T };
    },
  };
  return { http, requests };
}
