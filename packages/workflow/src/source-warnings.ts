import type { Logger } from '@scm/core';
import type { OpenSourceOptions } from '@scm/input';

/** The summary's note when records had members the readers never read. */
export const DROPPED_MEMBERS_NOTE =
  'members named __proto__, constructor or prototype were not read (each is named in the warnings)';

/**
 * The `onWarning` every command gives its source: each note is logged as a
 * warning, and `no records in <path>` also becomes a note of the run's
 * summary, so an empty input says so in the printed summary and in
 * `summary.json` while the run still succeeds (exit 0). Members a reader
 * dropped add one note for the run, so that `--quiet` still tells.
 */
export function sourceWarnings(logger: Logger, counter: { notes: string[] }): OpenSourceOptions['onWarning'] {
  return (message, context) => {
    logger.warn(message, context);
    if (context.empty === true) counter.notes.push(message);
    else if (context.dropped !== undefined && !counter.notes.includes(DROPPED_MEMBERS_NOTE))
      counter.notes.push(DROPPED_MEMBERS_NOTE);
  };
}
