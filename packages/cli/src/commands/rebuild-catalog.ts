import { formatSummary, ScmError } from '@scm/core';
import { loadConfig } from '@scm/config';
import { rebuildCatalog } from '@scm/workflow';
import { type Command, Option } from 'commander';
import { NOT_YET_AVAILABLE, notYetAvailableValues } from '../availability.js';
import { summaryCounts } from '../run-log.js';
import {
  type AddCommand,
  BIN,
  type CommandContext,
  example,
  type GlobalOptions,
  resolvePath,
} from '../run.js';
import { FOLDER_SIDE_FILES_HELP, OVERWRITE_FOLDER_HELP } from './record-command.js';
import { workersFlag, workersOption } from './workers-option.js';

interface RebuildFlags extends GlobalOptions {
  config: string;
  mode: 'full' | 'incremental' | 'targeted';
  ids?: string;
  overwrite?: boolean;
  resume?: boolean;
  workers?: string;
}

/** Registers `rebuild-catalog`: run a whole workflow from a config file. */
export const addRebuildCatalog: AddCommand = (program, context) => {
  program
    .command('rebuild-catalog')
    .description('run a whole workflow from a config file: read, map, extend, validate, write')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addOption(
      new Option('--mode <mode>', notYetAvailableValues('rebuild mode', ['incremental', 'targeted']))
        .choices(['full', 'incremental', 'targeted'])
        .default('full'),
    )
    .option('--ids <ids>', `comma-separated item ids (targeted mode, ${NOT_YET_AVAILABLE})`)
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addHelpText('after', FOLDER_SIDE_FILES_HELP)
    .option('--resume', 'stac_api sources: continue the harvest of a killed run from its checkpoint')
    .addOption(workersOption("the config's validation.workers, else cores minus one, at least 1"))
    .addHelpText(
      'after',
      example([`${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode full`]),
    )
    .action(async function (this: Command) {
      await runRebuild(this.optsWithGlobals<RebuildFlags>(), context);
    });
};

async function runRebuild(opts: RebuildFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  if (opts.mode !== 'full') {
    throw new ScmError(
      'SCM_NOT_IMPLEMENTED',
      `rebuild-catalog: --mode ${opts.mode} is not available in this version yet`,
    );
  }
  const workers = workersFlag(opts.workers);
  const configPath = resolvePath(io.cwd, opts.config);
  const config = await loadConfig(configPath, { env: io.env });
  const logging = { level: config.logging?.level, file: config.logging?.file };
  const run = context.startRun('rebuild-catalog', opts, logging);
  run.logger.debug('file opened', { file: configPath, format: 'config' });
  const result = await run.log(
    () =>
      rebuildCatalog(config, {
        mode: opts.mode,
        dryRun: opts.dryRun ?? false,
        overwrite: opts.overwrite ?? false,
        resume: opts.resume ?? false,
        workers,
        env: io.env,
        ...run.services,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.say(formatSummary(result.summary));
  if (!opts.dryRun) run.say(`output: ${result.outputDir}`);
  run.finish(result.summary.failed > 0);
}
