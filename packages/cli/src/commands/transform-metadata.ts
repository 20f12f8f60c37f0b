import { type Command, Option } from 'commander';
import { type AddCommand, BIN, example } from '../run.js';
import {
  addFailuresOptions,
  addMappingCommand,
  type RecordFlags,
  runRecordCommand,
} from './record-command.js';

interface TransformFlags extends RecordFlags {
  mappingSchema: string;
  sidecar?: string;
  itemKey?: string;
  sidecarKey?: string;
  onMissing: 'keep' | 'fail';
  sidecarKeyed?: boolean;
}

function addSidecarOptions(command: Command): Command {
  return command
    .option(
      '--sidecar <file>',
      'enrich: join this CSV/JSON/NDJSON/Parquet file to the input items and map its columns into them',
    )
    .option('--item-key <path>', 'enrich: key path in the items (default id)')
    .option('--sidecar-key <path>', 'enrich: key path in the sidecar rows (default: the item key)')
    .option('--sidecar-keyed', 'enrich: the sidecar is one JSON object keyed by id, not rows')
    .addOption(
      new Option('--on-missing <policy>', 'enrich: an item without a sidecar row')
        .choices(['keep', 'fail'])
        .default('keep'),
    );
}

/** Registers `transform-metadata`: map records to new fields, optionally joining a sidecar file. */
export const addTransformMetadata: AddCommand = (program, context) => {
  const command = addMappingCommand(program, {
    name: 'transform-metadata',
    description: 'map records (CSV, JSON, NDJSON, Parquet) to new fields with a mapping file',
    inputHelp: 'input files or folders',
    formats: ['json', 'ndjson', 'csv'],
  });
  addFailuresOptions(addSidecarOptions(command))
    .addHelpText(
      'after',
      example([
        `${BIN} transform-metadata --input records.csv --mapping-schema mapping.yaml --output-format ndjson --output-path out.ndjson`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<TransformFlags>();
      const { transformFiles } = await import('@scm/workflow');
      await runRecordCommand(context, 'transform-metadata', opts, (common) =>
        transformFiles({
          ...common,
          mappingPath: opts.mappingSchema,
          sidecarPath: opts.sidecar,
          itemKey: opts.itemKey,
          sidecarKey: opts.sidecarKey,
          onMissing: opts.onMissing,
          sidecarKeyed: opts.sidecarKeyed ?? false,
        }),
      );
    });
};
