import type { Command } from 'commander';
import { type AddCommand, BIN, example } from '../run.js';
import {
  addFailuresOptions,
  addMappingCommand,
  type RecordFlags,
  runRecordCommand,
} from './record-command.js';

/** Registers `scaffold-items`: turn records into STAC Items with a mapping file. */
export const addScaffoldItems: AddCommand = (program, context) => {
  const command = addMappingCommand(program, {
    name: 'scaffold-items',
    description: 'turn records into valid STAC Items with a mapping file',
    inputHelp: 'input files or folders (CSV, JSON, NDJSON, Parquet)',
    formats: ['json', 'ndjson', 'parquet'],
  });
  addFailuresOptions(command)
    .addHelpText(
      'after',
      example([
        `${BIN} scaffold-items --input data.csv --mapping-schema mapping.yaml --output-path items.json`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<RecordFlags & { mappingSchema: string }>();
      const { scaffoldFiles } = await import('@scm/workflow');
      await runRecordCommand(context, 'scaffold-items', opts, (common) =>
        scaffoldFiles({ ...common, mappingPath: opts.mappingSchema }),
      );
    });
};
