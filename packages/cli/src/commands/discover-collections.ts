import { resolve } from 'node:path';
import { ScmError } from '@scm/core';
import type { DiscoveryResult } from '@scm/discovery';
import { type Command, Option } from 'commander';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import type { AddCommand, CommandContext } from '../run.js';
import { addHttpOptions, type HttpFlags, httpSettings } from './http-options.js';

interface DiscoverFlags extends HttpFlags {
  catalogUrl: string;
  collectionId?: string[];
  collectionIds?: string;
  provider?: string[];
  datetime?: string;
  bbox?: string;
  output: 'json' | 'csv';
  outputPath?: string;
  logLevel?: string;
  dryRun?: boolean;
}

const EXAMPLE = `
Example:
  $ stac-catalog-manager discover-collections --catalog-url https://cmr.earthdata.nasa.gov/stac --provider LPCLOUD --collection-id 'HLS*'
  $ stac-catalog-manager discover-collections --catalog-url https://earth-search.aws.element84.com/v1 --bbox -105,35,-103,37 --datetime 2023-01-01/.. --output csv --output-path collections.csv
`;

const repeat = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Registers `discover-collections`: list a STAC API's (or static catalog's) collections, filtered, as JSON or CSV. */
export const addDiscoverCollections: AddCommand = (program, context) => {
  const command = program
    .command('discover-collections')
    .description('list the collections of a STAC API or static catalog, with filters')
    .requiredOption('--catalog-url <url>', 'root URL: STAC API, CMR-STAC root or provider, static catalog')
    .option('--collection-id <id>', 'collection id or wildcard such as HLS* (repeatable)', repeat)
    .option('--collection-ids <ids>', 'comma-separated ids or wildcards')
    .option(
      '--provider <name>',
      'provider catalog (CMR-STAC) or provider name, wildcards allowed (repeatable)',
      repeat,
    )
    .option('--datetime <interval>', 'keep collections whose temporal extent overlaps, e.g. 2020-01-01/.. ')
    .option('--bbox <w,s,e,n>', 'keep collections whose spatial extent overlaps')
    .addOption(new Option('--output <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--output-path <file>', 'write here instead of stdout');
  addHttpOptions(command)
    .addHelpText('after', EXAMPLE)
    .action(async function (this: Command) {
      await runDiscover(this.optsWithGlobals<DiscoverFlags>(), context);
    });
};

/** Parses `--bbox w,s,e,n` (shared with fetch-items). */
export function parseBbox(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isFinite(v))) {
    throw new ScmError('SCM_USAGE', `--bbox ${text}: expected comma-separated numbers west,south,east,north`);
  }
  return values;
}

function idsOf(flags: DiscoverFlags): string[] {
  const listed = (flags.collectionIds ?? '').split(',').map((id) => id.trim());
  return [...(flags.collectionId ?? []), ...listed].filter((id) => id !== '');
}

async function runDiscover(flags: DiscoverFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const logger = await context.logger(flags);
  const bbox = parseBbox(flags.bbox);
  const settings = httpSettings(flags, io.env);
  const { discoverCollections } = await import('@scm/discovery');
  const { createApiClient } = await import('@scm/workflow');
  const http = await createApiClient({ ...settings, logger });
  try {
    const result = await discoverCollections({
      url: flags.catalogUrl,
      http,
      ids: idsOf(flags),
      providers: flags.provider ?? [],
      ...(flags.datetime !== undefined ? { datetime: flags.datetime } : {}),
      ...(bbox ? { bbox } : {}),
      logger,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    await writeResult(result, flags, io);
    reportProblems(result, io, http.stats().retries);
    const complete = result.failures.length === 0 && result.missingIds.length === 0;
    context.setExitCode(complete ? ExitCode.OK : ExitCode.PARTIAL);
  } finally {
    await http.close();
    await logger.flush();
  }
}

async function writeResult(result: DiscoveryResult, flags: DiscoverFlags, io: CliIo): Promise<void> {
  const { formatCollections } = await import('@scm/discovery');
  const text = formatCollections(result.collections, flags.output);
  if (flags.outputPath === undefined) {
    io.stdout.write(text);
    return;
  }
  const path = resolve(io.cwd, flags.outputPath);
  if (!flags.dryRun) {
    const { writeTextAtomic } = await import('@scm/output-json');
    await writeTextAtomic(path, text, false);
  }
  const verb = flags.dryRun ? 'would write' : 'wrote';
  io.stdout.write(
    `discover-collections: ${verb} ${result.collections.length} collection(s) to ${flags.outputPath}\n`,
  );
}

/** One stderr line per failed request and missing id, then the totals. */
function reportProblems(result: DiscoveryResult, io: CliIo, retries: number): void {
  for (const failure of result.failures) {
    const status = failure.status === undefined ? '' : ` (HTTP ${failure.status})`;
    io.stderr.write(`failed: ${failure.what} ${failure.url}${status}: ${failure.message}\n`);
  }
  for (const id of result.missingIds) io.stderr.write(`not found: collection ${id}\n`);
  const skipped =
    result.skippedVirtual.length > 0 ? `, skipped virtual ${result.skippedVirtual.join(' ')}` : '';
  io.stderr.write(
    `discover-collections: ${result.collections.length} collection(s), ${result.requests} request(s), ` +
      `${retries} retried, ${result.failures.length} failed${skipped}\n`,
  );
}
