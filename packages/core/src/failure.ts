import type { JsonValue } from './stac.js';

/**
 * Kinds of per-item failure (PRD "Failed Items Structure"). `parse_error` is
 * a record that could not be read at all (a line that is not JSON, a CSV row
 * with broken quoting, an undecodable Parquet value).
 */
export type FailureErrorType =
  | 'validation_error'
  | 'transformation_error'
  | 'api_error'
  | 'parse_error'
  | 'other';

/** Pipeline step at which an item failed. */
export type FailureStep =
  | 'fetch'
  | 'read'
  | 'transform'
  | 'scaffold'
  | 'extend'
  | 'validate'
  | 'output'
  | 'update';

/**
 * One failed item, as written to `failed_items.ndjson`. The shape is the
 * PRD's; `error_context` carries extra optional members (origin, field,
 * rule) that help a person find and fix the record.
 */
export interface Failure {
  /** Id of the item, or a synthetic id such as `data.csv:17` when the record had none. */
  item_id: string;
  /** Kind of failure. */
  error_type: FailureErrorType;
  /** Human-readable message naming the field and what was expected. */
  error_message: string;
  /** Where and when it happened. */
  error_context: {
    /** The raw record or item that failed. */
    source_data: JsonValue | undefined;
    /** Pipeline step. */
    step: FailureStep;
    /** RFC 3339 UTC time of the failure. */
    timestamp: string;
    /** File the record came from. */
    file?: string;
    /** 1-based line (or row) number in that file. */
    line?: number;
    /** Field path the failure is about. */
    field?: string;
    /** Extra machine-readable details (validation errors, HTTP status…). */
    details?: JsonValue;
    [key: string]: unknown;
  };
}

/** Input of {@link createFailure}. */
export interface CreateFailureInput {
  itemId: string;
  errorType: FailureErrorType;
  message: string;
  step: FailureStep;
  sourceData?: unknown;
  file?: string;
  line?: number;
  field?: string;
  details?: unknown;
  /** Defaults to now. */
  timestamp?: Date;
}

/** Builds a {@link Failure} with the PRD's structure and a UTC timestamp. */
export function createFailure(input: CreateFailureInput): Failure {
  const context: Failure['error_context'] = {
    source_data: input.sourceData as JsonValue | undefined,
    step: input.step,
    timestamp: toRfc3339(input.timestamp ?? new Date()),
  };
  if (input.file !== undefined) context.file = input.file;
  if (input.line !== undefined) context.line = input.line;
  if (input.field !== undefined) context.field = input.field;
  if (input.details !== undefined) context.details = input.details as JsonValue;
  return {
    item_id: input.itemId,
    error_type: input.errorType,
    error_message: input.message,
    error_context: context,
  };
}

/** RFC 3339 UTC timestamp with second precision (`2024-01-12T13:50:00Z`) unless milliseconds are non-zero. */
export function toRfc3339(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** True when `value` is a {@link Failure}. */
export function isFailure(value: unknown): value is Failure {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.item_id === 'string' && typeof v.error_type === 'string' && typeof v.error_message === 'string'
  );
}
