import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogContext } from '@scm/core';
import type { LoggerOptions, ScmLogger } from '@scm/logging';
import type { Command } from 'commander';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { CliProgress } from './progress.js';
import { logRun, type RunLogInfo } from './run-log.js';

/** The program's name, as help examples spell it. */
export const BIN = 'stac-catalog-manager';

/**
 * Folder of the running CLI, where plugins installed beside it are found.
 * This file sits at the top of `src/` (and is bundled into `dist/`), so it
 * names the same folder the CLI's entry does.
 */
export const CLI_DIR = dirname(fileURLToPath(import.meta.url));

/** The flags every command inherits from the program. */
export interface GlobalOptions {
  logLevel?: string;
  dryRun?: boolean;
  quiet?: boolean;
}

/** Logging settings a workflow config may carry (they win over the defaults, not over `--log-level`). */
export interface ConfigLogging {
  level?: string | undefined;
  file?: string | undefined;
}

/** State shared by the command handlers of one invocation. */
export interface Invocation {
  io: CliIo;
  exitCode: ExitCodeValue;
  /** The arguments, for the run's first log line. */
  argv: readonly string[];
}

/** What every workflow function takes from the run that calls it. */
export interface RunServices {
  logger: ScmLogger;
  progress: CliProgress;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal | undefined;
}

/** What one command's run uses: its logger and progress, and `say`, which `--quiet` silences. */
export interface Run {
  logger: ScmLogger;
  /** The logger, progress and signal together, to spread into a workflow function's options. */
  services: RunServices;
  /** Prints lines for people on stdout, unless `--quiet`. */
  say(text: string): void;
  /** Runs `work` with start, end, failure and interrupt log lines (see {@link logRun}). */
  log<T>(work: () => Promise<T>, counts: (result: T) => LogContext): Promise<T>;
  /** Sets the exit code: 1 when something failed or is invalid, else 0. */
  finish(partial: boolean): void;
  /** Prints the run's summary (see `say`), then sets the exit code (see `finish`). */
  report(text: string, partial: boolean): void;
}

/** What a command file gets from the invocation that runs it. */
export interface CommandContext {
  io: CliIo;
  /** A logger honouring the global `--log-level`, on stderr. */
  logger(globals: GlobalOptions): Promise<ScmLogger>;
  /** Sets up one run: logger, progress that logs its stages, `--quiet`, the exit code. */
  startRun(command: string, globals: GlobalOptions, fromConfig?: ConfigLogging): Promise<Run>;
  setExitCode(code: ExitCodeValue): void;
}

/** Adds one subcommand (its options, help example and handler) to the program. */
export type AddCommand = (program: Command, context: CommandContext) => void;

/** The `Example:` block at the end of a command's help. */
export function example(lines: string[]): string {
  return `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** `path` made absolute against the invocation's working directory. */
export function resolvePath(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
}

/**
 * The logger of a run: to the config's log file at its level, else to stderr. `--quiet` keeps stderr to
 * errors (a config's level, INFO by default, would otherwise print the run's start and end there); an
 * explicit `--log-level` wins over both.
 */
async function makeLogger(io: CliIo, globals: GlobalOptions, fromConfig?: ConfigLogging): Promise<ScmLogger> {
  // pino is loaded by the first command that logs, not when the CLI starts: `--help` needs none of it.
  const { createLogger } = await import('@scm/logging');
  const toStderr = !fromConfig?.file;
  const quietStderr = globals.quiet === true && toStderr ? 'error' : undefined;
  const options: LoggerOptions = {
    level: globals.logLevel ?? quietStderr ?? fromConfig?.level ?? (toStderr ? 'warn' : 'info'),
    module: 'cli',
  };
  if (fromConfig?.file) options.file = fromConfig.file;
  else options.stream = io.stderr;
  return createLogger(options);
}

async function startRun(
  invocation: Invocation,
  command: string,
  globals: GlobalOptions,
  fromConfig?: ConfigLogging,
): Promise<Run> {
  const { io } = invocation;
  const logger = await makeLogger(io, globals, fromConfig);
  // cli-progress likewise: loaded when a run starts.
  const { createCliProgress } = await import('./progress.js');
  const quiet = globals.quiet ?? false;
  const info: RunLogInfo = {
    command,
    argv: invocation.argv,
    dryRun: globals.dryRun ?? false,
    failureLevel: fromConfig?.file ? 'error' : 'info',
  };
  const progress = createCliProgress({
    stream: io.stderr,
    quiet,
    logger: logger.child('progress'),
    ...(io.now ? { now: io.now } : {}),
  });
  const say = (text: string) => {
    if (!quiet) io.stdout.write(`${text}\n`);
  };
  const finish = (partial: boolean) => {
    invocation.exitCode = partial ? ExitCode.PARTIAL : ExitCode.OK;
  };
  return {
    logger,
    services: { logger, progress, signal: io.signal },
    say,
    // A stage cut short by an error must not leave its bar's redraw timer holding the process open.
    log: (work, counts) => logRun(logger, info, io.signal, work, counts).finally(() => progress.close()),
    finish,
    report: (text, partial) => {
      say(text);
      finish(partial);
    },
  };
}

/** The context the command files of one invocation share. */
export function createCommandContext(invocation: Invocation): CommandContext {
  return {
    io: invocation.io,
    logger: (globals) => makeLogger(invocation.io, globals),
    startRun: (command, globals, fromConfig) => startRun(invocation, command, globals, fromConfig),
    setExitCode: (code) => {
      invocation.exitCode = code;
    },
  };
}
