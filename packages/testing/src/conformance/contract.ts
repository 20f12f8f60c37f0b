import { errorMessage } from '@scm/core';

/** One broken rule of a core contract (`Source`, `Sink`), as the contract suites report it. */
export interface ContractProblem<C extends string = string> {
  /** The rule broken. */
  check: C;
  /** What is wrong. */
  message: string;
}

/** A problem when `name` is not a non-empty string (logs and summaries name sources and sinks by it). */
export function nameProblem(subject: unknown): ContractProblem<'name'>[] {
  const name = (subject as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name.trim() !== ''
    ? []
    : [{ check: 'name', message: `name must be a non-empty string, got ${JSON.stringify(name)}` }];
}

/** Calls `open`, turning a throw into a problem of kind `check`. */
export async function opened<T, C extends string>(
  open: () => T | Promise<T>,
  check: C,
): Promise<{ value?: T; problem?: ContractProblem<C> }> {
  try {
    return { value: await open() };
  } catch (error) {
    return { problem: { check, message: `could not be created: ${errorMessage(error)}` } };
  }
}

/** True for a relative path that stays inside its root (no `..` segment, no drive or leading slash). */
export function isInsideRelative(file: string): boolean {
  if (file === '' || file.startsWith('/') || file.startsWith('\\') || /^[a-z]:/i.test(file)) return false;
  return !file.split(/[\\/]/).includes('..');
}
