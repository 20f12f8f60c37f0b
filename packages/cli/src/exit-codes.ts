import { isScmError, type ScmErrorCode } from '@scm/core';

/**
 * Process exit codes. They are documented in the root README and are part of
 * the CLI's contract: scripts and orchestrators branch on them.
 */
export const ExitCode = {
  /** Everything processed; no failures. */
  OK: 0,
  /** The run finished but some items failed (they are in the failures file) or some objects are invalid. */
  PARTIAL: 1,
  /** Bad usage or configuration, or a capability that is not available yet; nothing was written. */
  USAGE: 2,
  /** The run could not go on: unreadable input, unwritable output, a source that kept failing. */
  FATAL: 3,
  /** Interrupted (SIGINT/SIGTERM); completed writes are durable, partial ones were discarded. */
  INTERRUPTED: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const USAGE_CODES: ReadonlySet<ScmErrorCode> = new Set<ScmErrorCode>([
  'SCM_CONFIG_INVALID',
  'SCM_CONFIG_NOT_FOUND',
  'SCM_CONFIG_PARSE',
  'SCM_CONFIG_ENV_MISSING',
  'SCM_MAPPING_INVALID',
  'SCM_EXTENSION_INVALID',
  'SCM_EXTENSION_NOT_FOUND',
  'SCM_EXTENSION_CONFIG',
  'SCM_NOT_IMPLEMENTED',
  'SCM_USAGE',
  // Refusing to overwrite is a choice the user has to make (--overwrite); nothing was written.
  'SCM_OUTPUT_EXISTS',
  // merge-shards: a shard is missing or failed; run it, or choose --partial.
  'SCM_SHARD_MISSING',
]);

/** Maps any thrown value to an exit code: usage/config problems are 2, aborts 130, the rest 3. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (isScmError(error)) {
    if (USAGE_CODES.has(error.code)) return ExitCode.USAGE;
    if (error.code === 'SCM_ABORTED') return ExitCode.INTERRUPTED;
  }
  return ExitCode.FATAL;
}
