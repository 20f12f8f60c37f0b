/**
 * Stable error codes. They are part of the public API: the CLI maps them to
 * exit codes and users match on them in scripts. Never rename one.
 */
export const ScmErrorCodes = [
  'SCM_CONFIG_INVALID',
  'SCM_CONFIG_NOT_FOUND',
  'SCM_CONFIG_PARSE',
  'SCM_CONFIG_ENV_MISSING',
  'SCM_INPUT_NOT_FOUND',
  'SCM_INPUT_PARSE',
  'SCM_INPUT_UNSUPPORTED',
  'SCM_MAPPING_INVALID',
  'SCM_SCHEMA_UNRESOLVED',
  'SCM_SCHEMA_INVALID',
  'SCM_EXTENSION_INVALID',
  'SCM_EXTENSION_NOT_FOUND',
  'SCM_EXTENSION_LOAD',
  'SCM_EXTENSION_CONFIG',
  'SCM_OUTPUT_PATH',
  'SCM_OUTPUT_WRITE',
  'SCM_HTTP_STATUS',
  'SCM_HTTP_NETWORK',
  'SCM_HTTP_TIMEOUT',
  'SCM_NOT_IMPLEMENTED',
  'SCM_USAGE',
  'SCM_ABORTED',
  'SCM_INTERNAL',
  'SCM_SCAFFOLD_OPTIONS_INVALID',
  'SCM_OUTPUT_INVALID',
  'SCM_MAPPING_NOT_FOUND',
  'SCM_ENGINE_MISSING',
  'SCM_HTTP_CLIENT_ERROR',
  'SCM_HTTP_INVALID_BODY',
] as const;

/** One of the stable error codes. */
export type ScmErrorCode = (typeof ScmErrorCodes)[number];

/** Where in a file a problem was found. */
export interface SourceLocation {
  /** File path as the user gave it. */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** 1-based column number. */
  column?: number;
  /** Key path inside the document, e.g. `output.format` or `/properties/datetime`. */
  path?: string;
}

/** Options for {@link ScmError}. */
export interface ScmErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** Machine-readable details (never secrets). */
  details?: Record<string, unknown>;
  /** Where the problem is. */
  location?: SourceLocation;
}

/**
 * The one error class of the toolkit, thrown only for fatal problems.
 * Per-item problems are values ({@link Failure}), not exceptions.
 *
 * Recognise it with {@link isScmError} rather than `instanceof`: bundled
 * third-party plugins may carry their own copy of this package.
 */
export class ScmError extends Error {
  override readonly name = 'ScmError';
  /** Stable string code. */
  readonly code: ScmErrorCode;
  /** Machine-readable details. */
  readonly details?: Record<string, unknown>;
  /** Where the problem is, when known. */
  readonly location?: SourceLocation;

  constructor(code: ScmErrorCode, message: string, options: ScmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.details) this.details = options.details;
    if (options.location) this.location = options.location;
  }
}

/** True for an {@link ScmError}, including one created by another copy of this package. */
export function isScmError(value: unknown): value is ScmError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'ScmError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Formats a location as `file:line:column path`, leaving out what is unknown. */
export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return '';
  let out = location.file ?? '';
  if (location.line !== undefined) out += `${out ? ':' : 'line '}${location.line}`;
  if (location.column !== undefined) out += `:${location.column}`;
  if (location.path) out += `${out ? ' ' : ''}at ${location.path}`;
  return out;
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
