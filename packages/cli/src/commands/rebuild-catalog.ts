import { formatSummary, ScmError } from '@scm/core';
import type { WorkflowConfig } from '@scm/config';
import { isS3Url } from '@scm/object-store/url';
import type { Selection } from '@scm/update';
import { addShardOptions, runShard, type ShardFlags, shardOf } from './shard-options.js';
import { type Command, Option } from 'commander';
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
import { readWorkflowConfig } from './workflow-config.js';
import { workersFlag, workersOption } from './workers-option.js';

interface RebuildFlags extends GlobalOptions, ShardFlags {
  config: string;
  mode: 'full' | 'incremental' | 'targeted';
  ids?: string;
  collection?: string;
  datetime?: string;
  bbox?: string;
  overwrite?: boolean;
  resume?: boolean;
  workers?: string;
  outputPath?: string;
}

/** Registers `rebuild-catalog`: run a whole workflow from a config file. */
export const addRebuildCatalog: AddCommand = (program, context) => {
  const command = program
    .command('rebuild-catalog')
    .description('run a whole workflow from a config file: read, map, extend, validate, write')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addOption(
      new Option(
        '--mode <mode>',
        'full: rebuild everything; incremental: only what changed since the last run (new, changed, deleted items); targeted: only the selected items',
      )
        .choices(['full', 'incremental', 'targeted'])
        .default('full'),
    )
    .option('--ids <ids>', 'targeted mode: comma-separated item ids')
    .option('--collection <id>', 'targeted mode: items of this collection')
    .option(
      '--datetime <interval>',
      'targeted mode: items overlapping this RFC 3339 instant or start/end interval',
    )
    .option('--bbox <w,s,e,n>', 'targeted mode: items whose bbox overlaps this one')
    .option('--output-path <path>', "instead of the config's output.path: a folder or s3://bucket/prefix")
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addHelpText('after', FOLDER_SIDE_FILES_HELP)
    .option('--resume', 'stac_api sources: continue the harvest of a killed run from its checkpoint')
    .addOption(workersOption("the config's validation.workers, else cores minus one, at least 1"));
  addShardOptions(command);
  command
    .addHelpText(
      'after',
      example([
        `${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode full`,
        `${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode incremental`,
        `${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode targeted --ids HLS.S30.T13SFC.2022273T174141.v2.0`,
        `${BIN} rebuild-catalog --config examples/quickstart/config.yaml --output-path s3://my-bucket/catalog   # AWS_* from the environment`,
      ]),
    )
    .action(async function (this: Command) {
      await runRebuild(this.optsWithGlobals<RebuildFlags>(), context);
    });
};

async function runRebuild(opts: RebuildFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const selection = await selectionOf(opts);
  const workers = workersFlag(opts.workers);
  const configPath = resolvePath(io.cwd, opts.config);
  const loaded = await readWorkflowConfig(configPath, io.env);
  const config = withOutputPath(loaded, opts.outputPath, io.cwd);
  const { formatChangeTable, rebuildCatalog, targetSelection } = await import('@scm/workflow');
  // A targeted run without a selection is a usage error, refused before the run log starts.
  const target = targetSelection(config, opts.mode, selection);
  const shard = await shardOf(opts, io.env);
  // A shard writes parts for merge-shards, which rebuilds the whole catalog: there is no state to compare with.
  if (shard && opts.mode !== 'full') {
    throw new ScmError('SCM_USAGE', `--shard runs in full mode only, not --mode ${opts.mode}`);
  }
  const logging = { level: config.logging?.level, file: config.logging?.file };
  const run = await context.startRun('rebuild-catalog', opts, logging);
  run.logger.debug('file opened', { file: configPath, format: 'config' });
  if (shard) return runShard(config, opts, shard, run, io.env);
  const result = await run.log(
    () =>
      rebuildCatalog(config, {
        mode: opts.mode,
        dryRun: opts.dryRun ?? false,
        overwrite: opts.overwrite ?? false,
        resume: opts.resume ?? false,
        ...(target ? { selection: target } : {}),
        workers,
        env: io.env,
        ...run.services,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.say(formatSummary(result.summary));
  const table = formatChangeTable(result.summary);
  if (table) run.say(table);
  if (!opts.dryRun) run.say(`output: ${result.outputDir}`);
  run.finish(result.summary.failed > 0);
}

/** The config with `--output-path` in place of `output.path` (an `s3://` URL as given, a folder from the cwd). */
function withOutputPath(config: WorkflowConfig, outputPath: string | undefined, cwd: string): WorkflowConfig {
  if (outputPath === undefined) return config;
  const path = isS3Url(outputPath) ? outputPath : resolvePath(cwd, outputPath);
  return { ...config, output: { ...config.output, path } };
}

/** The targeted selection the command line gives, read as an updates rule's `select` is; undefined when none. */
async function selectionOf(opts: RebuildFlags): Promise<Selection | undefined> {
  const raw: Record<string, unknown> = {};
  if (opts.ids !== undefined)
    raw.ids = opts.ids
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  if (opts.collection !== undefined) raw.collection = opts.collection;
  if (opts.datetime !== undefined) raw.datetime = opts.datetime;
  if (opts.bbox !== undefined)
    raw.bbox = opts.bbox.split(',').map((n) => (n.trim() === '' ? Number.NaN : Number(n)));
  if (Object.keys(raw).length === 0) return undefined;
  const { parseSelection } = await import('@scm/update');
  return parseSelection(raw, { label: 'rebuild-catalog', where: 'options' });
}
