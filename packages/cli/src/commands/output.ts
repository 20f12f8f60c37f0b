import type { CatalogFormat } from '@scm/workflow';
import { type Command, Option } from 'commander';
import { type AddCommand, BIN, type CommandContext, example, type GlobalOptions } from '../run.js';
import { FOLDER_SIDE_FILES_HELP, OVERWRITE_FOLDER_HELP } from './record-command.js';

interface OutputFlags extends GlobalOptions {
  input: string;
  outputFormat: CatalogFormat;
  outputPath: string;
  overwrite?: boolean;
}

/** Registers `output`: convert a catalog between a JSON tree, NDJSON and stac-geoparquet. */
export const addOutput: AddCommand = (program, context) => {
  program
    .command('output')
    .description('convert between a JSON tree, pgstac-ready NDJSON and stac-geoparquet, in any direction')
    .requiredOption(
      '--input <path>',
      'catalog folder (catalog.json), NDJSON folder (collections.ndjson), Parquet file or folder, or item files',
    )
    .addOption(
      new Option('--output-format <format>', 'target format')
        .choices(['json', 'ndjson', 'parquet'])
        .makeOptionMandatory(),
    )
    .requiredOption('--output-path <dir>', 'output folder (new, empty, or written by this tool)')
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addHelpText('after', FOLDER_SIDE_FILES_HELP)
    .addHelpText(
      'after',
      example([`${BIN} output --input catalog/ --output-format parquet --output-path parquet/`]),
    )
    .action(async function (this: Command) {
      await runOutput(this.optsWithGlobals<OutputFlags>(), context);
    });
};

async function runOutput(opts: OutputFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const { convertCatalog } = await import('@scm/workflow');
  const run = await context.startRun('output', opts);
  const result = await run.log(
    () =>
      convertCatalog({
        input: opts.input,
        outputFormat: opts.outputFormat,
        outputPath: opts.outputPath,
        cwd: io.cwd,
        dryRun: opts.dryRun ?? false,
        overwrite: opts.overwrite ?? false,
        ...run.services,
      }),
    (r) => ({ collections: r.collections, items: r.items, failed: r.failed }),
  );
  run.report(result.text, result.failed > 0);
}
