import type { Command } from 'commander';
import { type AddCommand, BIN, example, type GlobalOptions, resolvePath } from '../run.js';
import { readWorkflowConfig } from './workflow-config.js';

/** Registers `config validate` and `config schema`: check or describe workflow config files. */
export const addConfig: AddCommand = (program, context) => {
  const { io } = context;
  const config = program.command('config').description('check or describe workflow config files');
  config
    .command('validate')
    .description('check a config file against the schema, with file:line locations')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addHelpText('after', example([`${BIN} config validate --config config.yaml`]))
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<{ config: string } & GlobalOptions>();
      await readWorkflowConfig(resolvePath(io.cwd, opts.config), io.env);
      if (!opts.quiet) io.stdout.write(`${opts.config}: valid\n`);
    });
  config
    .command('schema')
    .description('print the JSON Schema of config files (for editor autocompletion)')
    .addHelpText('after', example([`${BIN} config schema > config.schema.json`]))
    .action(async () => {
      const { configJsonSchema } = await import('@scm/config');
      io.stdout.write(`${JSON.stringify(configJsonSchema, null, 2)}\n`);
    });
};
