import { type ScmErrorCode, ScmError } from '@scm/core';
import type { ConfigIssue } from './types.js';

/** Formats an issue as `file:line:column path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  return `${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** Orders issues by position, then path, and drops exact duplicates. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = formatIssue(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path),
  );
}

/** Issues spelled out in the message; the rest stay in `details.issues`. */
const MAX_LISTED = 20;

const SUMMARY: Partial<Record<ScmErrorCode, string>> = {
  SCM_CONFIG_PARSE: 'cannot be parsed',
  SCM_CONFIG_INVALID: 'is not a valid workflow configuration',
  SCM_CONFIG_ENV_MISSING: 'uses environment variables that are not set',
};

/**
 * Builds the error for a non-empty list of issues. One issue gives a
 * one-line message; several give a heading and one line each. The first
 * issue becomes `error.location`; all of them are in `details.issues`.
 */
export function issuesError(
  code: ScmErrorCode,
  file: string,
  issues: readonly ConfigIssue[],
  details: Record<string, unknown> = {},
): ScmError {
  const sorted = sortIssues(issues);
  const first = sorted[0];
  const lines = sorted.slice(0, MAX_LISTED).map((issue) => `  ${formatIssue(issue)}`);
  if (sorted.length > MAX_LISTED)
    lines.push(`  … and ${sorted.length - MAX_LISTED} more (see details.issues)`);
  const message =
    sorted.length === 1
      ? formatIssue(first)
      : `${file} ${SUMMARY[code] ?? 'has problems'} (${sorted.length} problems):\n${lines.join('\n')}`;
  const location = Object.fromEntries(
    Object.entries({ file: first.file, line: first.line, column: first.column, path: first.path }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return new ScmError(code, message, { location, details: { ...details, issues: sorted } });
}
