import type { Command } from 'commander';
import { type AddCommand, BIN, type CommandContext, example, type GlobalOptions } from '../run.js';
import { OVERWRITE_FOLDER_HELP } from './record-command.js';

interface UpdateFlags extends GlobalOptions {
  input: string;
  updates: string;
  outputPath: string;
  overwrite?: boolean;
}

const SIDE_FILES_HELP = `
Writes the input's format back: a folder input (JSON tree, NDJSON folder, stac-geoparquet) to a
folder, replaced in one swap (give the input folder itself to update a catalog this tool wrote in
place); an items file to a file. Beside the catalog (inside the folder, or beside the file and
prefixed with its stem): transformation_audit.json (every change: id, JSON Pointer, before, after),
summary.json (updated, unchanged, deleted, failed) and failed_items.ndjson (objects an update would
make invalid: they are kept unchanged). With --dry-run it prints the changes and writes nothing.
`;

/** Registers `update-metadata`: apply an updates file to the Items and Collections of a catalog. */
export const addUpdateMetadata: AddCommand = (program, context) => {
  program
    .command('update-metadata')
    .description(
      'set, merge-patch, remove or rename fields of selected items and collections, or delete items; stamps `updated`',
    )
    .requiredOption(
      '--input <path>',
      'catalog folder (catalog.json), NDJSON folder (collections.ndjson), Parquet file or folder, or an NDJSON/JSON items file',
    )
    .requiredOption(
      '--updates <file>',
      'updates file (YAML or JSON): rules with select, set, merge, remove, rename, delete',
    )
    .requiredOption(
      '--output-path <path>',
      'output folder (the input folder to update in place), or file for an items file',
    )
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addHelpText('after', SIDE_FILES_HELP)
    .addHelpText(
      'after',
      example([`${BIN} update-metadata --input catalog/ --updates updates.yaml --output-path catalog/`]),
    )
    .action(async function (this: Command) {
      await runUpdate(this.optsWithGlobals<UpdateFlags>(), context);
    });
};

async function runUpdate(opts: UpdateFlags, context: CommandContext): Promise<void> {
  const { updateMetadata } = await import('@scm/workflow');
  const run = await context.startRun('update-metadata', opts);
  const result = await run.log(
    () =>
      updateMetadata({
        input: opts.input,
        updatesPath: opts.updates,
        outputPath: opts.outputPath,
        cwd: context.io.cwd,
        dryRun: opts.dryRun ?? false,
        overwrite: opts.overwrite ?? false,
        ...run.services,
      }),
    (r) => ({ updated: r.updated, unchanged: r.unchanged, deleted: r.deleted, failed: r.failed }),
  );
  run.report(result.text, result.failed > 0);
}
