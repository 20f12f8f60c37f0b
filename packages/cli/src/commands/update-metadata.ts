import { notYetAvailable } from '../availability.js';
import type { AddCommand } from '../run.js';

/** Registers `update-metadata`, declared for the whole planned surface but not built yet. */
export const addUpdateMetadata: AddCommand = (program) => {
  notYetAvailable(
    program
      .command('update-metadata')
      .description('set or remove fields, select items, delete items; stamps `updated`')
      .option('--input <file>', 'items')
      .option('--updates <file>', 'update spec (YAML or JSON)')
      .option('--output-path <path>', 'where to write'),
    'metadata updates',
  );
};
