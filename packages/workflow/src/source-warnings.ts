import type { Logger } from '@scm/core';
import type { OpenSourceOptions } from '@scm/input';

/**
 * The `onWarning` every command gives its source: each note is logged as a
 * warning, and `no records in <path>` also becomes a note of the run's
 * summary, so an empty input says so in the printed summary and in
 * `summary.json` while the run still succeeds (exit 0).
 */
export function sourceWarnings(logger: Logger, counter: { notes: string[] }): OpenSourceOptions['onWarning'] {
  return (message, context) => {
    logger.warn(message, context);
    if (context.empty === true) counter.notes.push(message);
  };
}
