import { ScmError } from '@scm/core';
import { type Command, Option } from 'commander';
import { ExitCode } from '../exit-codes.js';
import type { AddCommand, CommandContext } from '../run.js';
import { parseBbox } from './discover-collections.js';
import { addHttpOptions, type HttpFlags, httpSettings } from './http-options.js';

interface FetchFlags extends HttpFlags {
  catalogUrl: string;
  collectionId: string[];
  outputPath: string;
  outputFormat?: 'json' | 'ndjson' | 'parquet';
  maxItems?: string;
  limit?: string;
  datetime?: string;
  bbox?: string;
  resume?: boolean;
  sequential?: boolean;
  endpoint: 'auto' | 'items' | 'search';
  failuresFile?: string;
  overwrite?: boolean;
  logLevel?: string;
  dryRun?: boolean;
  quiet?: boolean;
}

const EXAMPLE = `
Example:
  $ stac-catalog-manager fetch-items --catalog-url https://cmr.earthdata.nasa.gov/stac/LPCLOUD --collection-id HLSS30_2.0 --datetime 2024-01-01T00:00:00Z/2024-02-01T00:00:00Z --output-path hls.ndjson
  $ stac-catalog-manager fetch-items --catalog-url https://planetarycomputer.microsoft.com/api/stac/v1 --collection-id naip --max-items 1000 --output-format parquet --output-path naip.parquet
  $ stac-catalog-manager fetch-items --catalog-url … --collection-id … --output-path hls.ndjson --resume   # after a killed run
`;

const repeat = (value: string, previous: string[] = []): string[] => [...previous, value];

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new ScmError('SCM_USAGE', `${flag} ${text}: expected a positive integer`);
  return value;
}

/** Registers `fetch-items`: harvest STAC API collections into one JSON, NDJSON or stac-geoparquet file. */
export const addFetchItems: AddCommand = (program, context) => {
  const command = program
    .command('fetch-items')
    .description('fetch the items of STAC API collections, in parallel time windows, with checkpoints')
    .requiredOption(
      '--catalog-url <url>',
      'STAC API landing page (for CMR-STAC, the provider: …/stac/LPCLOUD)',
    )
    .requiredOption('--collection-id <id>', 'collection to fetch (repeatable)', repeat)
    .requiredOption('--output-path <file>', 'where to write')
    .addOption(
      new Option('--output-format <format>', 'default: from --output-path, else json').choices([
        'json',
        'ndjson',
        'parquet',
      ]),
    )
    .option('--max-items <n>', 'stop after this many items')
    .option('--limit <n>', 'items asked for per page; lowered when the server refuses it (default 1000)')
    .option('--datetime <interval>', 'STAC datetime filter, e.g. 2024-01-01T00:00:00Z/..')
    .option('--bbox <w,s,e,n>', 'bbox filter')
    .option('--resume', 'continue the killed or incomplete run whose checkpoint is beside --output-path')
    .option('--sequential', 'follow one next-link chain per collection instead of parallel time windows')
    .addOption(
      new Option(
        '--endpoint <endpoint>',
        'items: /collections/{id}/items; search: /search; auto: search when the API has it',
      )
        .choices(['auto', 'items', 'search'])
        .default('auto'),
    )
    .option(
      '--failures-file <file>',
      'failures (default <output stem>.failed_items.ndjson beside the output)',
    )
    .option('--overwrite', 'replace an existing output or failures file (default: refuse)');
  addHttpOptions(command)
    .addHelpText('after', EXAMPLE)
    .action(async function (this: Command) {
      await runFetch(this.optsWithGlobals<FetchFlags>(), context);
    });
};

async function runFetch(flags: FetchFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const logger = await context.logger(flags);
  const bbox = parseBbox(flags.bbox);
  const maxItems = count('--max-items', flags.maxItems);
  const limit = count('--limit', flags.limit);
  const { fetchItemsToFile } = await import('@scm/workflow');
  const { createCliProgress } = await import('../progress.js');
  try {
    const result = await fetchItemsToFile({
      catalogUrl: flags.catalogUrl,
      collections: flags.collectionId,
      outputPath: flags.outputPath,
      outputFormat: flags.outputFormat,
      cwd: io.cwd,
      datetime: flags.datetime,
      bbox,
      maxItems,
      limit,
      partition: !flags.sequential,
      endpoint: flags.endpoint,
      http: httpSettings(flags, io.env),
      resume: flags.resume ?? false,
      failuresPath: flags.failuresFile,
      overwrite: flags.overwrite ?? false,
      dryRun: flags.dryRun ?? false,
      logger,
      progress: createCliProgress({
        stream: io.stderr,
        quiet: flags.quiet ?? false,
        ...(io.now ? { now: io.now } : {}),
      }),
      signal: io.signal,
    });
    if (!flags.quiet) io.stdout.write(`${result.text}\n`);
    context.setExitCode(
      result.summary.failed > 0 || result.incomplete.length > 0 ? ExitCode.PARTIAL : ExitCode.OK,
    );
  } finally {
    await logger.flush();
  }
}
