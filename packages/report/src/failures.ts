import { createReadStream } from 'node:fs';
import { fileSystemError, readLines } from '@scm/core';

/** One example failure as the report shows it. */
export interface FailureExample {
  item_id: string;
  /** JSON path (pointer) the failure is about, when known. */
  path?: string;
  message: string;
  /** `file:line` or the URL the record came from, when known. */
  source?: string;
}

/** Failures of one `error_type` at one `step`, with the first examples. */
export interface FailureGroup {
  error_type: string;
  step: string;
  count: number;
  examples: FailureExample[];
}

/** What the report shows of a failures file; bounded whatever its size. */
export interface FailureDigest {
  total: number;
  groups: FailureGroup[];
  /** Validation issues by kind (`schema`, `geometry`, …), counted over every failure. */
  issues_by_kind: Record<string, number>;
  /** Failures by the collection of their record, when it names one. */
  by_collection: Record<string, number>;
  /** Lines of the failures file that were not a failure record. */
  unreadable_lines: number;
}

/** An empty digest, for runs without failures. */
export function emptyFailureDigest(): FailureDigest {
  return { total: 0, groups: [], issues_by_kind: {}, by_collection: {}, unreadable_lines: 0 };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function sourceOf(context: Obj): string | undefined {
  const file = str(context.file);
  if (file) return typeof context.line === 'number' ? `${file}:${context.line}` : file;
  return str(context.url) ?? str(obj(context.details)?.url);
}

function issuesOf(context: Obj): Obj[] {
  const details = context.details;
  return Array.isArray(details) ? (details.map(obj).filter(Boolean) as Obj[]) : [];
}

function exampleOf(failure: Obj, context: Obj, issues: Obj[]): FailureExample {
  const example: FailureExample = {
    item_id: String(failure.item_id ?? ''),
    message: String(failure.error_message ?? '').slice(0, 500),
  };
  const path =
    str(context.field) ?? (typeof issues[0]?.path === 'string' ? (issues[0].path as string) : undefined);
  if (path !== undefined) example.path = path;
  const source = sourceOf(context);
  if (source) example.source = source;
  return example;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Adds one parsed line of a failures file to the digest. */
function addFailure(
  digest: FailureDigest,
  groups: Map<string, FailureGroup>,
  value: unknown,
  examples: number,
): void {
  const failure = obj(value);
  const context = obj(failure?.error_context);
  if (!failure || !context || typeof failure.error_type !== 'string') {
    digest.unreadable_lines += 1;
    return;
  }
  digest.total += 1;
  const step = String(context.step ?? 'unknown');
  const key = `${failure.error_type}\u0000${step}`;
  let group = groups.get(key);
  if (!group) {
    group = { error_type: failure.error_type, step, count: 0, examples: [] };
    groups.set(key, group);
    digest.groups.push(group);
  }
  group.count += 1;
  const issues = issuesOf(context);
  for (const issue of issues) bump(digest.issues_by_kind, String(issue.kind ?? 'unknown'));
  const collection = str(obj(context.source_data)?.collection);
  if (collection) bump(digest.by_collection, collection);
  if (group.examples.length < examples) group.examples.push(exampleOf(failure, context, issues));
}

/** Builds a {@link FailureDigest} one failure record at a time; memory stays bounded. */
export interface FailureDigester {
  /** Adds one failure record (anything else counts as an unreadable line). */
  add(value: unknown): void;
  /** Counts one line that could not be parsed. */
  unreadable(): void;
  /** The digest, groups largest first. */
  result(): FailureDigest;
}

/** Starts a {@link FailureDigester} keeping the first `examples` (default 5) of each group. */
export function createFailureDigester(options: { examples?: number } = {}): FailureDigester {
  const digest = emptyFailureDigest();
  // Null-prototype maps: keys come from data and must not reach Object.prototype.
  digest.issues_by_kind = Object.create(null);
  digest.by_collection = Object.create(null);
  const groups = new Map<string, FailureGroup>();
  return {
    add: (value) => addFailure(digest, groups, value, options.examples ?? 5),
    unreadable: () => {
      digest.unreadable_lines += 1;
    },
    result: () => ({
      ...digest,
      groups: [...digest.groups].sort((a, b) => b.count - a.count),
      issues_by_kind: { ...digest.issues_by_kind },
      by_collection: { ...digest.by_collection },
    }),
  };
}

/**
 * Reads a failures file (`failed_items.ndjson`) line by line into a digest:
 * counts by `error_type` and `step` with the first `examples` of each, and
 * validation issues by kind. Memory does not grow with the file.
 */
export async function digestFailuresFile(
  path: string,
  options: { examples?: number } = {},
): Promise<FailureDigest> {
  const digester = createFailureDigester(options);
  try {
    for await (const { text } of readLines(createReadStream(path))) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        digester.unreadable();
        continue;
      }
      digester.add(value);
    }
  } catch (error) {
    throw fileSystemError(error, path, 'read');
  }
  return digester.result();
}
