import { type LogLevel, ScmError } from '@scm/core';

/** The level names written in log lines (PRD logging format). */
export type LogLevelLabel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** Level → label written in the `level` field. */
export const LEVEL_LABELS: Readonly<Record<LogLevel, LogLevelLabel>> = Object.freeze({
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
});

const ALIASES: Readonly<Record<string, LogLevel>> = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

/**
 * Reads a level name in any case: `debug`, `info`, `warn` or `warning`,
 * `error`. Throws `SCM_USAGE` for anything else.
 */
export function parseLogLevel(name: string): LogLevel {
  const level = Object.hasOwn(ALIASES, name.trim().toLowerCase())
    ? ALIASES[name.trim().toLowerCase()]
    : undefined;
  if (!level) {
    throw new ScmError('SCM_USAGE', `unknown log level "${name}": use debug, info, warning or error`, {
      details: { level: name },
    });
  }
  return level;
}
