import type { Logger } from '@scm/core';
import type { OpenSourceOptions } from '@scm/input';

/** How many records with dropped members a run names in warnings; the rest are only counted. */
export const DROPPED_WARNINGS_LOGGED = 20;

/** The summary's note on the records whose `__proto__`, `constructor` or `prototype` members were not read. */
export function droppedMembersNote(records: number): string {
  const named =
    records > DROPPED_WARNINGS_LOGGED
      ? `the first ${DROPPED_WARNINGS_LOGGED} are named in the warnings`
      : 'each is named in the warnings';
  return `${records} record(s) had members named __proto__, constructor or prototype, which are never read (${named})`;
}

/**
 * The `onWarning` every command gives its source: each note is logged as a
 * warning, and `no records in <path>` also becomes a note of the run's
 * summary, so an empty input says so in the printed summary and in
 * `summary.json` while the run still succeeds (exit 0). Records whose members
 * a reader dropped are named in the first {@link DROPPED_WARNINGS_LOGGED}
 * warnings (a file of such records must not flood the log) and counted in one
 * note, so that `--quiet` still tells.
 */
export function sourceWarnings(logger: Logger, counter: { notes: string[] }): OpenSourceOptions['onWarning'] {
  let droppedRecords = 0;
  let noteAt = -1;
  return (message, context) => {
    if (context.dropped === undefined) {
      logger.warn(message, context);
      if (context.empty === true) counter.notes.push(message);
      return;
    }
    droppedRecords += 1;
    if (droppedRecords <= DROPPED_WARNINGS_LOGGED) logger.warn(message, context);
    if (noteAt < 0) noteAt = counter.notes.push('') - 1;
    counter.notes[noteAt] = droppedMembersNote(droppedRecords);
  };
}
