/** Where the CLI writes and what environment it sees; tests pass their own. */
export interface CliIo {
  /** Command output for people or pipes (summaries, reports). */
  stdout: { write(text: string): unknown };
  /** Errors and, unless a log file is configured, log lines. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Environment for `${VAR}` substitution and secrets. */
  env: Record<string, string | undefined>;
  /** Working directory that relative paths start from. */
  cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** The clock progress reads (milliseconds since the epoch); tests pass a fake one. Default `Date.now`. */
  now?: () => number;
}

/** The subset of a writable stream {@link ignoreClosedPipe} needs. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Makes a closed pipe (`… | head -1`) harmless: once the reader has gone,
 * further output has nowhere to go, which is not the run's failure, so
 * `EPIPE` is swallowed and the exit code stays the run's. Any other stream
 * error is still raised.
 */
export function ignoreClosedPipe(stream: ErrorEmitter): void {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') return;
    throw error;
  });
}

/** The real process streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  if (signal) io.signal = signal;
  return io;
}
