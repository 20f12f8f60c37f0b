import type { Failure } from './failure.js';
import type { JsonObject, StacItem } from './stac.js';

/** Options every stream-producing function accepts. */
export interface StreamOptions {
  /** Aborts the stream; producers stop pulling and release resources. */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------- logging

/** Structured context attached to a log line (PRD logging format `context`). Never put secrets here. */
export type LogContext = Record<string, unknown>;

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The logger every package receives; `@scm/logging` implements it with pino. */
export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** A logger whose lines carry `module`. */
  child(module: string): Logger;
}

/** A logger that drops everything; the default when none is given. */
export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger;
  },
};

// ---------------------------------------------------------------- progress

/** Progress reporting for long runs (a bar in a terminal, periodic lines in CI). */
export interface Progress {
  /** Starts a phase; `total` when known. */
  start(label: string, total?: number): void;
  /** Advances by `n` (default 1). */
  tick(n?: number): void;
  /** Sets a short status shown after the count, e.g. `120 pages, 3 retries` (optional). */
  status?(text: string): void;
  /**
   * Named running totals of the current phase, for charts over the run's time (a harvest's `requests`,
   * `retries`, `HTTP 429`, `HTTP 5xx`): each call gives the totals so far (optional).
   */
  counters?(values: Readonly<Record<string, number>>): void;
  /** Counts `n` (default 1) records of the current phase that failed, shown beside the count (optional). */
  failed?(n?: number): void;
  /**
   * How far the current phase is through its input when its count of records is not known ahead:
   * `done` of `total` in a unit of the phase's own (bytes of the input files read so far, items of a
   * harvest's `numberMatched`, a harvest's planned windows when the server gives no count). Percentage
   * and ETA then follow it rather than the count (optional; `unit` defaults to bytes).
   */
  position?(done: number, total: number, unit?: 'bytes' | 'items' | 'windows'): void;
  /** Ends the current phase. */
  done(message?: string): void;
}

/** Progress that reports nothing. */
export const noopProgress: Progress = { start() {}, tick() {}, done() {} };

// ---------------------------------------------------------------- sources and sinks

/** Where a record came from, so failures can point at it. */
export interface RecordOrigin {
  /** File path as given by the user. */
  file?: string;
  /** 1-based line (text formats) or row (CSV data rows count from line 2; Parquet rows from 1). */
  line?: number;
  /** URL of the API page it came from. */
  url?: string;
  /** 0-based index within its container (array element, page feature). */
  index?: number;
}

/** A record read from a source, with its origin. */
export interface SourceRecord<T = unknown> {
  /** The record itself, as plain JSON. */
  value: T;
  /** Where it came from. */
  origin: RecordOrigin;
  /**
   * The record's JSON text as read, when the source read it as one piece (an NDJSON line) and `value` is
   * exactly what it parses to (absent when members were dropped on parsing). A validation thread can
   * parse this rather than receive a copy of `value`.
   */
  text?: string;
}

/**
 * Something that yields records: files, a static catalog, a STAC API.
 * Records that cannot be read (a malformed NDJSON line) are yielded as
 * {@link Failure}s, never thrown, so the run goes on. A source throws only
 * when it cannot run at all (file missing, server unreachable after retries).
 */
export interface Source<T = unknown> {
  /** Short name for logs, e.g. `ndjson:items.ndjson`. */
  readonly name: string;
  /** Streams the records. */
  records(options?: StreamOptions): AsyncIterable<SourceRecord<T> | Failure>;
}

/** What a sink reports when it is done. */
export interface SinkResult {
  /** Records written. */
  written: number;
  /** Files written, relative to the sink's root. */
  files: string[];
}

/** Something that consumes items and writes them somewhere. */
export interface Sink<T = StacItem> {
  /** Short name for logs. */
  readonly name: string;
  /** Pulls every item from `items` and writes it; resolves when all is durable. */
  write(items: AsyncIterable<T>, options?: StreamOptions): Promise<SinkResult>;
}

// ---------------------------------------------------------------- validation

/** Severity of a validation finding. */
export type ValidationSeverity = 'error' | 'warning';

/** One validation finding, which a person can act on. */
export interface ValidationIssue {
  /** JSON Pointer of the offending value, e.g. `/properties/datetime` (`` for the root). */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
  /** Kind used to group issues in summaries, e.g. `schema`, `geometry`, `datetime`, `bbox`, `duplicate_id`. */
  kind: string;
  /** Schema URI that failed, for schema issues. */
  schema?: string;
  /** The JSON Schema keyword that failed (`required`, `type`, …). */
  keyword?: string;
  /** Error or warning. */
  severity: ValidationSeverity;
}

/** The PRD's validation report for one object. */
export interface ValidationReport {
  /** Id of the object, when it has one. */
  id?: string;
  /** `Feature`, `Collection` or `Catalog`. */
  type?: string;
  /** True when there are no errors (warnings allowed). */
  valid: boolean;
  /** Errors. */
  errors: ValidationIssue[];
  /** Non-blocking findings. */
  warnings: ValidationIssue[];
}

/** Validates STAC objects. */
export interface Validator {
  /** Validates one Item, Collection or Catalog. */
  validate(object: unknown): ValidationReport;
}

// ---------------------------------------------------------------- HTTP

/** One HTTP request. */
export interface HttpRequest {
  url: string;
  /** Defaults to GET. */
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** JSON body for POST. */
  body?: unknown;
  signal?: AbortSignal;
}

/** A decoded JSON response. */
export interface HttpResponse<T = unknown> {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: T;
}

/** What an {@link HttpClient} has done so far, for progress lines, summaries and benchmarks. */
export interface HttpStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Requests that were sent again after a retryable problem. */
  retries: number;
  /** Responses by HTTP status (`"200"`, `"503"`, …). */
  byStatus: Record<string, number>;
  /** Retries by reason (`status 503`, `timeout`, `network ECONNRESET`, `invalid json`, …). */
  retriesByReason: Record<string, number>;
  /** Decoded response body bytes received. */
  bytes: number;
  /** Milliseconds spent waiting: retry backoff plus rate-limit waits, summed over requests. */
  waitMs: number;
}

/** HTTP client with retries and rate limiting; `@scm/http` implements it. */
export interface HttpClient {
  /** Sends the request and decodes the JSON body; throws `ScmError` (`SCM_HTTP_*`) after retries. */
  json<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  /** Counters since the client was created, when the implementation keeps them. */
  stats?(): HttpStats;
  /** Releases connections. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------- extensions

/** A JSON Schema document (draft-07). */
export type JsonSchema = JsonObject | boolean;

/** What an extension's apply functions receive. */
export interface ExtensionContext<C = Record<string, unknown>> {
  /** The extension's config, already checked against its `configSchema`. */
  config: C;
  /** Logger scoped to the extension. */
  logger: Logger;
}
