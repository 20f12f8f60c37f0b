import { ScmError } from '@scm/core';
import { Option } from 'commander';

/** `--workers <n>`: validation threads, shared by `validate` and `rebuild-catalog`. */
export function workersOption(): Option {
  return new Option(
    '--workers <n>',
    'validation worker threads, 0 to validate in the main thread (default: cores minus one, at least 1)',
  );
}

/** The `--workers` value as a number (undefined when absent); anything but a whole number ≥ 0 is a usage error. */
export function workersFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || text.trim() === '') {
    throw new ScmError('SCM_USAGE', `--workers ${text}: expected a whole number, 0 or more`);
  }
  return value;
}
