import type { Command } from 'commander';
import { type AddCommand, BIN, CLI_DIR, example } from '../run.js';
import {
  addFailuresOptions,
  addOutputFileOptions,
  type RecordFlags,
  runRecordCommand,
} from './record-command.js';

interface ExtendFlags extends RecordFlags {
  extension: string[];
  extensionConfig?: string;
  extensionsDir?: string;
}

/** Registers `apply-extensions`: add extension fields to items and collections, then validate them. */
export const addApplyExtensions: AddCommand = (program, context) => {
  const command = program
    .command('apply-extensions')
    .description(
      'add extension fields (dgeo, alternate-assets, plugins) to items and collections, then validate them',
    )
    .requiredOption('--input <path...>', 'items and collections (JSON, NDJSON, folders)')
    .requiredOption('--extension <name...>', 'extension names, built-in or plugins')
    .option(
      '--extension-config <file>',
      'config (YAML or JSON); with several extensions, a map of name to config',
    )
    .option('--extensions-dir <dir>', 'plugin folder (default ~/.stac-catalog-manager/extensions)');
  addFailuresOptions(addOutputFileOptions(command, ['json', 'ndjson', 'parquet']))
    .addHelpText(
      'after',
      example([
        `${BIN} apply-extensions --input items.ndjson --extension dgeo --extension-config dgeo.yaml --output-path out.ndjson`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<ExtendFlags>();
      const { extendFiles } = await import('@scm/workflow');
      await runRecordCommand(context, 'apply-extensions', opts, (common) =>
        extendFiles({
          ...common,
          extensions: opts.extension,
          extensionConfigPath: opts.extensionConfig,
          extensionsDir: opts.extensionsDir,
          cliDir: CLI_DIR,
        }),
      );
    });
};
