import { fileSystemError, formatLocation, isScmError, type Logger } from '@scm/core';
import { Command, CommanderError, Option } from 'commander';
import { COMMANDS } from './commands/index.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { BIN, createCommandContext, type Invocation } from './run.js';
import { VERSION } from './version.js';

/** The program with its global flags, writing help and errors to the invocation's streams. */
function rootProgram(io: CliIo): Command {
  return new Command(BIN)
    .description('Build and maintain STAC catalogs: harvest, map, extend, validate and publish.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']))
    .option('--dry-run', 'do everything except writing output files', false)
    .option('-q, --quiet', 'print no progress or summary; errors still go to stderr', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
}

/**
 * Builds the commander program: the global flags, then each subcommand of
 * `commands/`. Handlers set `invocation.exitCode`; errors propagate to
 * {@link runCli}, which maps them to exit codes in one place.
 */
export function buildProgram(invocation: Invocation): Command {
  const program = rootProgram(invocation.io);
  const context = createCommandContext(invocation);
  for (const addCommand of COMMANDS) addCommand(program, context);
  return program;
}

/** System calls that only read; a failure of any other one is reported as a write problem. */
const READ_SYSCALLS = new Set(['read', 'scandir', 'stat', 'lstat', 'access', 'realpath', 'readlink']);

/**
 * Last line of defence: a Node file-system error that no command mapped
 * still goes through `fileSystemError`, so the user gets a code, the path and
 * what to do instead of a raw `ENOSPC: …`. Anything else is returned as is.
 */
function asScmError(error: unknown): unknown {
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown } | undefined;
  if (isScmError(error) || typeof system?.code !== 'string' || typeof system.syscall !== 'string')
    return error;
  const path = typeof system.path === 'string' ? system.path : 'a file';
  return fileSystemError(error, path, READ_SYSCALLS.has(system.syscall) ? 'read' : 'write');
}

/** Describes an error in one or two lines, with its location and code. */
export function describeError(error: unknown): string {
  if (isScmError(error)) {
    const where = formatLocation(error.location);
    // Config messages already start with `file:line:column path`; say the place once.
    const place = formatLocation({ ...error.location, path: undefined });
    const head = where && !error.message.includes(place || where) ? `${where}: ` : '';
    return `error [${error.code}]: ${head}${error.message}`;
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns
 * the exit code; never calls `process.exit`, so it can run in tests.
 */
export async function runCli(argv: readonly string[], io: CliIo, logger?: Logger): Promise<ExitCodeValue> {
  const invocation: Invocation = { io, exitCode: ExitCode.OK, argv };
  const program = buildProgram(invocation);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return invocation.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.OK;
      }
      return ExitCode.USAGE;
    }
    const reported = asScmError(error);
    logger?.error('command failed', { error: describeError(reported) });
    io.stderr.write(`${describeError(reported)}\n`);
    return exitCodeFor(reported);
  }
}
