import { ScmError } from '@scm/core';
import type { ApiClientSettings } from '@scm/workflow';
import { type Command, Option } from 'commander';

/** The HTTP flags every command that talks to a STAC API shares, as commander parses them. */
export interface HttpFlags {
  concurrency?: string;
  rateLimit?: string;
  maxAttempts?: string;
  timeout?: string;
}

/** Defaults of the HTTP flags: PRD FR-12's concurrency 5, 10 requests/s, 3 attempts; 60 s per attempt. */
export const HTTP_FLAG_DEFAULTS = { concurrency: 5, rateLimit: 10, maxAttempts: 3, timeoutS: 60 } as const;

/** Adds `--concurrency`, `--rate-limit`, `--max-attempts` and `--timeout` to a command. */
export function addHttpOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--concurrency <n>',
        `requests in flight at once (default ${HTTP_FLAG_DEFAULTS.concurrency})`,
      ),
    )
    .addOption(
      new Option(
        '--rate-limit <n>',
        `requests per second per host, 0 for none (default ${HTTP_FLAG_DEFAULTS.rateLimit})`,
      ),
    )
    .addOption(
      new Option(
        '--max-attempts <n>',
        `attempts per request, the first included (default ${HTTP_FLAG_DEFAULTS.maxAttempts})`,
      ),
    )
    .addOption(
      new Option('--timeout <seconds>', `per-attempt timeout (default ${HTTP_FLAG_DEFAULTS.timeoutS})`),
    );
}

function positive(flag: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new ScmError(
      'SCM_USAGE',
      `${flag} ${text}: expected a ${allowZero ? 'non-negative' : 'positive'} number`,
    );
  }
  return value;
}

/** The client settings from the HTTP flags (checked: a bad number is a usage error). */
export function httpSettings(flags: HttpFlags, env: Record<string, string | undefined>): ApiClientSettings {
  return {
    concurrency: Math.floor(positive('--concurrency', flags.concurrency, HTTP_FLAG_DEFAULTS.concurrency)),
    rateLimit: positive('--rate-limit', flags.rateLimit, HTTP_FLAG_DEFAULTS.rateLimit, true),
    maxAttempts: Math.floor(positive('--max-attempts', flags.maxAttempts, HTTP_FLAG_DEFAULTS.maxAttempts)),
    timeoutS: positive('--timeout', flags.timeout, HTTP_FLAG_DEFAULTS.timeoutS),
    env,
  };
}
