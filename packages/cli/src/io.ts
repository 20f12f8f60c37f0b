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
}

/** The real process streams and environment. */
export function processIo(signal?: AbortSignal): CliIo {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  if (signal) io.signal = signal;
  return io;
}
