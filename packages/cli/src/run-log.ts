import { isScmError, type LogContext, type Logger, type RunSummary } from '@scm/core';
import type { ScmLogger } from '@scm/logging';
import { VERSION } from './version.js';

/** What {@link logRun} says about the run at its start. */
export interface RunLogInfo {
  /** Subcommand, e.g. `rebuild-catalog`. */
  command: string;
  /** The arguments as given (secrets in them are redacted by the logger). */
  argv: readonly string[];
  /** Whether nothing is written. */
  dryRun: boolean;
  /**
   * Level of the failure line: `error` into a log file; `info` when logs share
   * stderr with the error the CLI prints, so the default output says it once.
   */
  failureLevel: 'error' | 'info';
}

/** The counts a run's end line carries: every count of a summary, failures by type included. */
export function summaryCounts(summary: RunSummary): LogContext {
  return {
    processed: summary.processed,
    succeeded: summary.succeeded,
    failed: summary.failed,
    skipped: summary.skipped,
    failures_by_type: summary.failures_by_type,
    duration_s: summary.duration_s,
  };
}

/** The signal name an abort carries (bin.ts aborts with `new Error('SIGINT')`). */
function abortName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? 'abort');
}

/**
 * Runs `work` between an info line at the start and one at the end (with the
 * counts `counts` picks from the result), logs an interrupt as soon as it
 * arrives, and logs a failure before passing it on. Always flushes the logger.
 */
export async function logRun<T>(
  logger: ScmLogger,
  info: RunLogInfo,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
  counts: (result: T) => LogContext,
): Promise<T> {
  const started = performance.now();
  const seconds = () => Math.round(performance.now() - started) / 1000;
  logger.info('run started', {
    command: info.command,
    version: VERSION,
    dry_run: info.dryRun,
    argv: info.argv,
  });
  const onAbort = () =>
    logger.warn('interrupted: stopping after the writes in progress', { signal: abortName(signal!) });
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await work();
    logger.info('run finished', { command: info.command, ...counts(result), elapsed_s: seconds() });
    return result;
  } catch (error) {
    logFailure(logger, info, error, signal, seconds());
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await logger.flush();
  }
}

function logFailure(
  logger: Logger,
  info: RunLogInfo,
  error: unknown,
  signal: AbortSignal | undefined,
  elapsed: number,
): void {
  const { command } = info;
  const code = isScmError(error) ? error.code : undefined;
  if (signal?.aborted || code === 'SCM_ABORTED') {
    const name = signal?.aborted ? { signal: abortName(signal) } : {};
    logger.warn('run interrupted', { command, ...name, elapsed_s: elapsed });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger[info.failureLevel]('run failed', { command, code, error: message, elapsed_s: elapsed });
}
