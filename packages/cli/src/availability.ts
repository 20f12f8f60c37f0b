import { ScmError } from '@scm/core';
import type { Command } from 'commander';

/** What help says of a capability that is declared but not built yet. */
export const NOT_YET_AVAILABLE = 'not yet available';

/**
 * Marks a subcommand that the CLI declares (so `--help` lists the whole
 * planned surface) but that this version does not implement: its description
 * starts with "(not yet available)", its help has no example to copy, and
 * running it prints one line and exits 2. When the command becomes real,
 * remove this call and give it an action and an example.
 */
export function notYetAvailable(command: Command, what: string): Command {
  return command
    .description(`(${NOT_YET_AVAILABLE}) ${command.description()}`)
    .addHelpText('after', `\nNot available in this version yet (${what}): running it exits 2.\n`)
    .action(() => {
      throw new ScmError(
        'SCM_NOT_IMPLEMENTED',
        `${command.name()}: ${what} is not available in this version yet`,
      );
    });
}

/**
 * Describes an option whose listed values are not built yet, e.g.
 * `rebuild mode (incremental, targeted: not yet available)`; the command's
 * action rejects those values with `SCM_NOT_IMPLEMENTED`.
 */
export function notYetAvailableValues(description: string, values: readonly string[]): string {
  return `${description} (${values.join(', ')}: ${NOT_YET_AVAILABLE})`;
}
