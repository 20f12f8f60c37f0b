import { errorMessage, type LogContext, type Logger, type LogLevel, ScmError } from '@scm/core';
import { type DestinationStream, pino, type Logger as PinoLogger } from 'pino';
import { LEVEL_LABELS, parseLogLevel } from './levels.js';
import { createRedactor, type Redactor } from './redact.js';

/** A writable sink for log lines, e.g. a stream in tests; each `write` receives one JSON line. */
export interface LogStream {
  /** Receives one line, newline included. */
  write(line: string): unknown;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written: `debug`, `info`, `warn`/`warning` or `error`, any case. Default `info`. */
  level?: string;
  /** Log file; lines are appended and missing parent folders are created. Default none (use `destination`). */
  file?: string;
  /** Standard stream used when there is no `file` or `stream`. Default `stderr`, so stdout stays for command output. */
  destination?: 'stdout' | 'stderr';
  /** Writes lines to this stream instead (takes precedence over `file` and `destination`). Default none. */
  stream?: LogStream;
  /** Module name of the root logger's lines. Default `scm`. */
  module?: string;
  /** Extra keys whose values are redacted, on top of the built-in list. Default none. */
  redactKeys?: readonly string[];
  /**
   * Write each line before the call returns. Default `true`, so nothing is lost
   * when the process exits abruptly; `false` buffers writes (faster under heavy
   * logging) and {@link ScmLogger.flush} must be awaited before exiting.
   */
  sync?: boolean;
}

/** The {@link Logger} of `@scm/core` with what a program needs to manage it. */
export interface ScmLogger extends Logger {
  /** Lowest level written. */
  readonly level: LogLevel;
  /** Module name written in this logger's lines. */
  readonly module: string;
  /** A logger sharing the destination and level whose lines carry `module`. */
  child(module: string): ScmLogger;
  /** Resolves once every line logged so far has been handed to the destination. */
  flush(): Promise<void>;
  /** Flushes and closes the log file, if this logger opened one; later lines (from it or its children) are dropped. */
  close(): Promise<void>;
}

/** What a root logger and its children share. */
interface Shared {
  pino: PinoLogger;
  level: LogLevel;
  redactor: Redactor;
  /** The file stream opened by createLogger, closed by `close()`. */
  ownedFile?: ReturnType<typeof pino.destination>;
  /** First asynchronous write error, reported by `flush()`. */
  failure?: unknown;
  /** Set once `close()` has run. */
  closed?: boolean;
}

/**
 * Writes `{"timestamp":…,"level":…,"module":…,"message":…,"context":…}`
 * with these keys only and in this order. pino starts a line with the level
 * formatter's output and then appends the timestamp string; an empty level
 * object leaves `{`, so the timestamp can come first without its usual
 * leading comma, and the level goes in the logged object.
 */
function buildPino(level: LogLevel, stream: DestinationStream): PinoLogger {
  return pino(
    {
      level,
      base: null,
      timestamp: () => `"timestamp":"${new Date().toISOString()}"`,
      formatters: { level: () => ({}) },
    },
    stream,
  );
}

class PinoScmLogger implements ScmLogger {
  constructor(
    private readonly shared: Shared,
    readonly module: string,
  ) {}

  get level(): LogLevel {
    return this.shared.level;
  }

  debug(message: string, context?: LogContext): void {
    this.write('debug', message, context);
  }

  info(message: string, context?: LogContext): void {
    this.write('info', message, context);
  }

  warn(message: string, context?: LogContext): void {
    this.write('warn', message, context);
  }

  error(message: string, context?: LogContext): void {
    this.write('error', message, context);
  }

  child(module: string): ScmLogger {
    return new PinoScmLogger(this.shared, typeof module === 'string' && module !== '' ? module : this.module);
  }

  flush(): Promise<void> {
    const { shared } = this;
    if (shared.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      shared.pino.flush((error) => {
        const failure = error ?? shared.failure;
        if (failure)
          reject(
            new ScmError('SCM_OUTPUT_WRITE', `cannot write log: ${errorMessage(failure)}`, {
              cause: failure,
            }),
          );
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    await this.flush();
    const file = this.shared.ownedFile;
    if (!file || this.shared.closed) return;
    this.shared.closed = true;
    await new Promise<void>((resolve) => {
      file.once('close', () => resolve());
      file.once('error', () => resolve());
      file.end();
    });
  }

  private write(level: LogLevel, message: string, context: LogContext | undefined): void {
    const { pino: logger, redactor } = this.shared;
    if (this.shared.closed || !logger.isLevelEnabled(level)) return;
    const base = { level: LEVEL_LABELS[level], module: this.module };
    try {
      const safeContext = redactor.redact(context ?? {});
      logger[level]({
        ...base,
        message: redactor.redactString(String(message)),
        context:
          typeof safeContext === 'object' && safeContext !== null && !Array.isArray(safeContext)
            ? safeContext
            : { value: safeContext },
      });
    } catch (error) {
      // A hostile context (a throwing getter, a revoked proxy) must not break the caller.
      try {
        logger[level]({
          ...base,
          message: redactor.redactString(String(message)),
          context: { logging_error: redactor.redactString(errorMessage(error)) },
        });
      } catch {
        // Nothing sensible is left to do; logging never throws.
      }
    }
  }
}

/**
 * Creates the toolkit's logger: JSON lines with exactly `timestamp` (ISO 8601
 * UTC), `level` (`DEBUG`, `INFO`, `WARNING`, `ERROR`), `module`, `message`
 * and `context` (an object, `{}` when empty). Secrets are redacted from
 * `context` at any depth and from the message (see `redactSecrets`).
 *
 * Lines go to `options.stream`, else `options.file` (appended), else stderr
 * (or stdout with `destination: 'stdout'`). Throws `SCM_USAGE` for an unknown
 * level and `SCM_OUTPUT_WRITE` when the log file cannot be opened.
 */
export function createLogger(options: LoggerOptions = {}): ScmLogger {
  const level = parseLogLevel(options.level ?? 'info');
  const sync = options.sync ?? true;
  const shared: Partial<Shared> = { level, redactor: createRedactor(options.redactKeys ?? []) };
  let stream: DestinationStream;
  if (options.stream) {
    stream = options.stream as DestinationStream;
  } else if (options.file !== undefined) {
    try {
      const file = pino.destination({
        dest: options.file,
        append: true,
        mkdir: true,
        sync,
        minLength: sync ? 0 : 4096,
      });
      file.on('error', (error: unknown) => {
        shared.failure ??= error;
      });
      shared.ownedFile = file;
      stream = file;
    } catch (error) {
      throw new ScmError('SCM_OUTPUT_WRITE', `cannot open log file ${options.file}: ${errorMessage(error)}`, {
        cause: error,
        details: { file: options.file },
      });
    }
  } else {
    stream = pino.destination({
      dest: options.destination === 'stdout' ? 1 : 2,
      sync,
      minLength: sync ? 0 : 4096,
    });
  }
  shared.pino = buildPino(level, stream);
  return new PinoScmLogger(shared as Shared, options.module || 'scm');
}
