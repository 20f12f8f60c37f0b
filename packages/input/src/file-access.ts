import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createFailure, errorMessage, type Failure, ScmError, stripForbiddenKeys } from '@scm/core';

/** Throws `SCM_ABORTED` once the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'reading was aborted', { cause: signal.reason });
}

/** Maps a Node file-system error to the matching fatal {@link ScmError}. */
export function fileError(error: unknown, file: string): ScmError {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ScmError('SCM_INPUT_NOT_FOUND', `input file not found: ${file}`, {
      cause: error,
      location: { file },
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ScmError('SCM_INPUT_NOT_FOUND', `input file is not readable (permission denied): ${file}`, {
      cause: error,
      location: { file },
    });
  }
  if (code === 'EISDIR') {
    return new ScmError(
      'SCM_INPUT_UNSUPPORTED',
      `${file} is a directory; use openSource() to read a folder`,
      {
        cause: error,
        location: { file },
      },
    );
  }
  return new ScmError('SCM_INPUT_PARSE', `cannot read ${file}: ${errorMessage(error)}`, {
    cause: error,
    location: { file },
  });
}

/** `stat` with errors mapped to {@link ScmError}. */
export async function statInput(file: string): Promise<Stats> {
  try {
    return await stat(file);
  } catch (error) {
    throw fileError(error, file);
  }
}

/** Checks that `file` exists and is a regular file, throwing the right {@link ScmError} otherwise. */
export async function assertReadableFile(file: string): Promise<void> {
  const info = await statInput(file);
  if (info.isDirectory()) {
    throw new ScmError('SCM_INPUT_UNSUPPORTED', `${file} is a directory; use openSource() to read a folder`, {
      location: { file },
    });
  }
}

/** Maps a Node system error (one with a `syscall`) to an {@link ScmError}; anything else is returned unchanged. */
export function asInputError(error: unknown, file: string): unknown {
  const system = error as { code?: unknown; syscall?: unknown } | undefined;
  if (typeof system?.code === 'string' && typeof system.syscall === 'string') return fileError(error, file);
  return error;
}

const FORBIDDEN_KEY_PATTERN = /"(?:__proto__|constructor|prototype)"/;

/**
 * Parses JSON text and removes `__proto__` / `constructor` / `prototype`
 * members. The deep copy runs only when the text mentions one of them, so
 * ordinary records pay a single regular-expression test.
 */
export function parseJsonSafely(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return FORBIDDEN_KEY_PATTERN.test(text) ? stripForbiddenKeys(value) : value;
}

/** Describes a parsed JSON value for messages: `an array`, `a string`, `null`… */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a ${kind}`;
}

/** Input of {@link readFailure}. */
export interface ReadFailureInput {
  file: string;
  line?: number;
  index?: number;
  message: string;
  sourceData?: unknown;
  details?: unknown;
  field?: string;
}

/** Builds the {@link Failure} a reader yields for a record it cannot read. */
export function readFailure(input: ReadFailureInput): Failure {
  const where =
    input.line !== undefined ? input.line : input.index !== undefined ? `#${input.index}` : undefined;
  return createFailure({
    itemId: where === undefined ? input.file : `${input.file}:${where}`,
    errorType: 'other',
    step: 'read',
    message: input.message,
    file: input.file,
    line: input.line,
    sourceData: input.sourceData,
    details: input.details,
    field: input.field,
  });
}
