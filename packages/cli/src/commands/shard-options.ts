import type { WorkflowConfig } from '@scm/config';
import { formatSummary } from '@scm/core';
import type { ShardSpec } from '@scm/workflow';
import type { Command } from 'commander';
import { summaryCounts } from '../run-log.js';
import type { GlobalOptions, Run } from '../run.js';

/** The sharding flags of `rebuild-catalog`. */
export interface ShardFlags {
  shard?: string;
  shardCount?: string;
}

/** Adds `--shard K/N` and `--shard-count N` to a command. */
export function addShardOptions(command: Command): void {
  command
    .option(
      '--shard <K/N>',
      'run only shard K of N (0-based; also SCM_SHARD=K/N): parts and state go to <output>/shards/K/; combine them with merge-shards',
    )
    .option(
      '--shard-count <N>',
      'shard count when the index comes from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); also SCM_SHARD_COUNT',
    );
}

/** The shard this invocation runs, from the flags or the environment; undefined for a whole rebuild. */
export async function shardOf(
  flags: ShardFlags,
  env: Record<string, string | undefined>,
): Promise<ShardSpec | undefined> {
  const { resolveShardSpec } = await import('@scm/workflow');
  return resolveShardSpec({ shard: flags.shard, shardCount: flags.shardCount, env });
}

/** Runs one shard and prints its summary and the folder of its parts. */
export async function runShard(
  config: WorkflowConfig,
  opts: ShardFlags & GlobalOptions & { overwrite?: boolean; resume?: boolean },
  shard: ShardSpec,
  run: Run,
  env: Record<string, string | undefined>,
): Promise<void> {
  const { rebuildShard } = await import('@scm/workflow');
  const result = await run.log(
    () =>
      rebuildShard(config, {
        mode: 'full',
        shard,
        dryRun: opts.dryRun ?? false,
        overwrite: opts.overwrite ?? false,
        resume: opts.resume ?? false,
        env,
        ...run.services,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.say(`shard ${shard.index}/${shard.count}: ${formatSummary(result.summary)}`);
  if (result.manifest) {
    run.say(`  ${result.manifest.plan.partitions.length} of ${result.manifest.plan.total} partitions`);
    if (!result.manifest.complete) run.say('  incomplete: run this shard again with --resume');
  }
  if (!opts.dryRun) run.say(`parts: ${result.outputDir}`);
  run.finish(result.summary.failed > 0 || result.manifest?.complete === false);
}
