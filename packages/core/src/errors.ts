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
  'SCM_OUTPUT_EXISTS',
  'SCM_HTTP_CLIENT_ERROR',
  'SCM_HTTP_INVALID_BODY',
  'SCM_STATE_INVALID',
  'SCM_SHARD_MISSING',
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

/** What a command was doing with a path when the file system refused: {@link fileSystemError} words its advice by it. */
export type FileAction = 'read' | 'write';

interface FsAdvice {
  code: ScmErrorCode;
  message: string;
}

/** Advice for reading, by Node error code. */
function readAdvice(code: string | undefined, path: string): FsAdvice | undefined {
  switch (code) {
    case 'ENOENT':
      return { code: 'SCM_INPUT_NOT_FOUND', message: `input file not found: ${path}; check the path` };
    case 'ENOTDIR':
      return {
        code: 'SCM_INPUT_NOT_FOUND',
        message: `input file not found: ${path}; a part of that path is a file, not a folder`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        code: 'SCM_INPUT_NOT_FOUND',
        message: `input file is not readable (permission denied): ${path}; check its permissions`,
      };
    case 'EISDIR':
      return {
        code: 'SCM_INPUT_UNSUPPORTED',
        message: `${path} is a folder; give a file, or read the folder as a source`,
      };
    default:
      return undefined;
  }
}

/** Advice for writing, by Node error code. */
function writeAdvice(code: string | undefined, path: string): FsAdvice | undefined {
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return {
        code: 'SCM_OUTPUT_PATH',
        message: `cannot write ${path}: a part of that path is an existing file, not a folder; choose another output path or move the file`,
      };
    case 'EISDIR':
      return { code: 'SCM_OUTPUT_PATH', message: `cannot write ${path}: it is a folder; give a file path` };
    case 'ENOENT':
      return {
        code: 'SCM_OUTPUT_PATH',
        message: `cannot write ${path}: its folder does not exist; create it first`,
      };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return {
        code: 'SCM_OUTPUT_WRITE',
        message: `cannot write ${path}: permission denied (${code}); choose a folder you can write to`,
      };
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        code: 'SCM_OUTPUT_WRITE',
        message: `cannot write ${path}: the disk is full (${code}); free some space`,
      };
    default:
      return undefined;
  }
}

/**
 * The one place where a Node file-system error (`ENOENT`, `ENOTDIR`,
 * `EEXIST`, `EACCES`, `ENOSPC`…) becomes an {@link ScmError}. The message
 * names `path`, the path the user gave (never an internal staging or
 * temporary name), and says what to do. An {@link ScmError} is returned
 * unchanged.
 *
 * @param error - What the file-system call threw.
 * @param path - The path as the user gave it.
 * @param action - `read` gives `SCM_INPUT_*` codes, `write` gives `SCM_OUTPUT_PATH` / `SCM_OUTPUT_WRITE`.
 */
export function fileSystemError(error: unknown, path: string, action: FileAction): ScmError {
  if (isScmError(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const known = typeof code === 'string' ? code : undefined;
  const advice = action === 'read' ? readAdvice(known, path) : writeAdvice(known, path);
  const fallback: FsAdvice =
    action === 'read'
      ? {
          code: 'SCM_INPUT_PARSE',
          message: `cannot read ${path}${known ? ` (${known})` : `: ${errorMessage(error)}`}`,
        }
      : {
          code: 'SCM_OUTPUT_WRITE',
          message: `cannot write ${path}${known ? ` (${known})` : `: ${errorMessage(error)}`}`,
        };
  const { code: scmCode, message } = advice ?? fallback;
  return new ScmError(scmCode, message, {
    cause: error,
    location: { file: path },
    ...(known ? { details: { errno: known } } : {}),
  });
}
