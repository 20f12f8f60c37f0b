import { formatSummary } from '@scm/core';
import { isS3Url } from '@scm/object-store/url';
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
import { OVERWRITE_FOLDER_HELP } from './record-command.js';

interface MergeFlags extends GlobalOptions {
  outputPath: string;
  partial?: boolean;
  publish?: 'in_place' | 'snapshot';
  overwrite?: boolean;
}

/** Registers `merge-shards`: combine the shards of `rebuild-catalog --shard K/N` into one catalog. */
export const addMergeShards: AddCommand = (program, context) => {
  program
    .command('merge-shards')
    .description('combine the shards of a sharded rebuild (rebuild-catalog --shard K/N) into one catalog')
    .requiredOption(
      '--output-path <dir>',
      'the output.path the shards ran with (they are under <dir>/shards/): a folder or s3://bucket/prefix',
    )
    .option('--partial', 'publish even when shards are missing or failed (they are named in summary.json)')
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addOption(
      new Option(
        '--publish <mode>',
        'an s3:// output: in_place (changed objects, root catalog.json last) or snapshot (under runs/<run id>/, then the root switched)',
      )
        .choices(['in_place', 'snapshot'])
        .default('in_place'),
    )
    .addHelpText(
      'after',
      example([
        `${BIN} merge-shards --output-path ./catalog   # after: ${BIN} rebuild-catalog --config c.yaml --shard K/4, K = 0..3`,
        `${BIN} merge-shards --output-path s3://bucket/catalog   # output.path: s3://bucket/catalog in c.yaml`,
      ]),
    )
    .action(async function (this: Command) {
      await runMerge(this.optsWithGlobals<MergeFlags>(), context);
    });
};

async function runMerge(opts: MergeFlags, context: CommandContext): Promise<void> {
  const { mergeShards } = await import('@scm/workflow');
  const run = await context.startRun('merge-shards', opts);
  const outputPath = isS3Url(opts.outputPath)
    ? opts.outputPath
    : resolvePath(context.io.cwd, opts.outputPath);
  const result = await run.log(
    () =>
      mergeShards({
        outputPath,
        partial: opts.partial ?? false,
        overwrite: opts.overwrite ?? false,
        publish: opts.publish ?? 'in_place',
        dryRun: opts.dryRun ?? false,
        env: context.io.env,
        ...run.services,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.say(formatSummary(result.summary));
  run.say(`  merged shards ${result.merged.join(', ')} of ${result.count}`);
  if (!opts.dryRun) run.say(`output: ${result.outputDir}`);
  run.finish(result.summary.failed > 0 || result.merged.length < result.count);
}
