import { ScmError } from '@scm/core';
import { Option } from 'commander';

/** `--workers <n>`: validation threads, shared by `validate` and `rebuild-catalog`, whose defaults differ. */
export function workersOption(defaultText: string): Option {
  return new Option(
    '--workers <n>',
    `validation worker threads, 0 for the main thread (default ${defaultText})`,
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
