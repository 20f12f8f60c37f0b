import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLocation, formatSummary, isScmError, type Logger, ScmError } from '@scm/core';
import { configJsonSchema, loadConfig } from '@scm/config';
import { createLogger, type ScmLogger } from '@scm/logging';
import { rebuildCatalog, validateFiles } from '@scm/workflow';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { createCliProgress } from './progress.js';
import { VERSION } from './version.js';

const BIN = 'stac-catalog-manager';

interface GlobalOptions {
  logLevel?: string;
  dryRun?: boolean;
  quiet?: boolean;
}

/** State shared by the command handlers of one invocation. */
interface Invocation {
  io: CliIo;
  exitCode: ExitCodeValue;
}

function later(name: string, what: string): (this: Command) => never {
  return () => {
    throw new ScmError('SCM_NOT_IMPLEMENTED', `${name}: ${what} is not available in this version yet`);
  };
}

function example(lines: string[]): string {
  return `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function makeLogger(
  io: CliIo,
  globals: GlobalOptions,
  fromConfig?: { level?: string; file?: string },
): ScmLogger {
  const options: Parameters<typeof createLogger>[0] = {
    level: globals.logLevel ?? fromConfig?.level ?? (fromConfig?.file ? 'info' : 'warn'),
    module: 'cli',
  };
  if (fromConfig?.file) options.file = fromConfig.file;
  else options.stream = io.stderr;
  return createLogger(options);
}

/**
 * Builds the commander program. Handlers set `invocation.exitCode`; errors
 * propagate to {@link runCli}, which maps them to exit codes in one place.
 */
export function buildProgram(invocation: Invocation): Command {
  const { io } = invocation;
  const program = new Command(BIN)
    .description('Build and maintain STAC catalogs: harvest, map, extend, validate and publish.')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']))
    .option('--dry-run', 'do everything except writing output files', false)
    .option('-q, --quiet', 'print no progress', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  program
    .command('discover-collections')
    .description('list the collections of a STAC API, with filters')
    .option('--catalog-url <url>', 'STAC API root URL')
    .option('--collection-ids <ids>', 'comma-separated ids or wildcards')
    .option('--output <format>', 'json or csv', 'json')
    .addHelpText(
      'after',
      example([
        `${BIN} discover-collections --catalog-url https://cmr.earthdata.nasa.gov/stac/LPCLOUD --collection-ids 'HLS*'`,
      ]),
    )
    .action(later('discover-collections', 'STAC API discovery'));

  program
    .command('fetch-items')
    .description('fetch the items of a collection from a STAC API')
    .option('--catalog-url <url>', 'STAC API root URL')
    .option('--collection-id <id>', 'collection to fetch')
    .option('--concurrency <n>', 'concurrent requests', '5')
    .option('--output-format <format>', 'json, ndjson or parquet', 'ndjson')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([
        `${BIN} fetch-items --catalog-url https://cmr.earthdata.nasa.gov/stac/LPCLOUD --collection-id HLSS30_2.0 --output-path items.ndjson`,
      ]),
    )
    .action(later('fetch-items', 'STAC API item harvesting'));

  program
    .command('transform-metadata')
    .description('map records (CSV, JSON, NDJSON, Parquet) to new fields with a mapping file')
    .option('--input <file>', 'input file')
    .option('--mapping-schema <file>', 'mapping file (YAML or JSON)')
    .option('--output-format <format>', 'json, ndjson or csv', 'json')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([
        `${BIN} transform-metadata --input records.csv --mapping-schema mapping.yaml --output-format ndjson --output-path out.ndjson`,
      ]),
    )
    .action(later('transform-metadata', 'field mapping'));

  program
    .command('scaffold-items')
    .description('turn records into valid STAC Items with a mapping file')
    .option('--input <file>', 'input file (CSV, JSON, NDJSON, Parquet)')
    .option('--mapping-schema <file>', 'mapping file (YAML or JSON)')
    .option('--output-format <format>', 'json, ndjson or parquet', 'json')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([
        `${BIN} scaffold-items --input data.csv --mapping-schema mapping.yaml --output-path items.json`,
      ]),
    )
    .action(later('scaffold-items', 'item scaffolding'));

  program
    .command('apply-extensions')
    .description('add extension fields (dgeo, alternate-assets, plugins) to items and collections')
    .option('--input <file>', 'items (JSON or NDJSON)')
    .option('--extension <name>', 'extension name (repeatable)')
    .option('--extension-config <file>', 'extension config (YAML or JSON)')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([
        `${BIN} apply-extensions --input items.ndjson --extension dgeo --extension-config dgeo.yaml --output-path out.ndjson`,
      ]),
    )
    .action(later('apply-extensions', 'extension application'));

  program
    .command('validate')
    .description('validate STAC Items, Collections and Catalogs offline against the official schemas')
    .requiredOption('--input <path...>', 'JSON file, NDJSON file or folder (repeatable)')
    .option('--output-report <file>', 'write the JSON report here')
    .addOption(
      new Option('--level <level>', 'strict: an unresolvable extension schema is an error')
        .choices(['strict', 'lenient'])
        .default('strict'),
    )
    .option('--schema-dir <dir...>', 'extra folders of extension schemas, laid out by URL')
    .addHelpText('after', example([`${BIN} validate --input items.ndjson --output-report report.json`]))
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        {
          input: string[];
          outputReport?: string;
          level: 'strict' | 'lenient';
          schemaDir?: string[];
        } & GlobalOptions
      >();
      const logger = makeLogger(io, opts);
      const progress = createCliProgress({ stream: io.stderr, quiet: opts.quiet ?? false });
      try {
        const result = await validateFiles({
          inputs: opts.input,
          cwd: io.cwd,
          level: opts.level,
          schemaDirs: opts.schemaDir ?? [],
          reportPath: opts.dryRun ? undefined : opts.outputReport,
          logger,
          progress,
          signal: io.signal,
        });
        io.stdout.write(`${result.text}\n`);
        invocation.exitCode = result.invalid > 0 ? ExitCode.PARTIAL : ExitCode.OK;
      } finally {
        await logger.flush();
      }
    });

  program
    .command('rebuild-catalog')
    .description('run a whole workflow from a config file: read, map, extend, validate, write')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addOption(
      new Option('--mode <mode>', 'rebuild mode')
        .choices(['full', 'incremental', 'targeted'])
        .default('full'),
    )
    .option('--ids <ids>', 'comma-separated item ids (targeted mode)')
    .addHelpText(
      'after',
      example([`${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode full`]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        { config: string; mode: 'full' | 'incremental' | 'targeted'; ids?: string } & GlobalOptions
      >();
      if (opts.mode !== 'full') {
        throw new ScmError(
          'SCM_NOT_IMPLEMENTED',
          `rebuild-catalog: --mode ${opts.mode} is not available in this version yet`,
        );
      }
      const config = await loadConfig(resolvePath(io.cwd, opts.config), { env: io.env });
      const logger = makeLogger(io, opts, { level: config.logging?.level, file: config.logging?.file });
      const progress = createCliProgress({ stream: io.stderr, quiet: opts.quiet ?? false });
      try {
        const result = await rebuildCatalog(config, {
          mode: opts.mode,
          dryRun: opts.dryRun ?? false,
          logger,
          progress,
          signal: io.signal,
        });
        io.stdout.write(`${formatSummary(result.summary)}\n`);
        if (!opts.dryRun) io.stdout.write(`output: ${result.outputDir}\n`);
        invocation.exitCode = result.summary.failed > 0 ? ExitCode.PARTIAL : ExitCode.OK;
      } finally {
        await logger.flush();
      }
    });

  program
    .command('update-metadata')
    .description('set or remove fields, select items, delete items; stamps `updated`')
    .option('--input <file>', 'items')
    .option('--updates <file>', 'update spec (YAML or JSON)')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([
        `${BIN} update-metadata --input items.ndjson --updates updates.yaml --output-path out.ndjson`,
      ]),
    )
    .action(later('update-metadata', 'metadata updates'));

  program
    .command('output')
    .description('convert between a JSON tree, NDJSON and stac-geoparquet')
    .option('--input <path>', 'catalog folder, NDJSON or Parquet file')
    .option('--output-format <format>', 'json, ndjson or parquet')
    .option('--output-path <path>', 'where to write')
    .addHelpText(
      'after',
      example([`${BIN} output --input catalog/ --output-format parquet --output-path parquet/`]),
    )
    .action(later('output', 'format conversion'));

  const config = program.command('config').description('check or describe workflow config files');
  config
    .command('validate')
    .description('check a config file against the schema, with file:line locations')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addHelpText('after', example([`${BIN} config validate --config config.yaml`]))
    .action(async (opts: { config: string }) => {
      await loadConfig(resolvePath(io.cwd, opts.config), { env: io.env });
      io.stdout.write(`${opts.config}: valid\n`);
    });
  config
    .command('schema')
    .description('print the JSON Schema of config files (for editor autocompletion)')
    .addHelpText('after', example([`${BIN} config schema > config.schema.json`]))
    .action(() => {
      io.stdout.write(`${JSON.stringify(configJsonSchema, null, 2)}\n`);
    });

  return program;
}

function resolvePath(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
}

/** Describes an error in one or two lines, with its location and code. */
export function describeError(error: unknown): string {
  if (isScmError(error)) {
    const where = formatLocation(error.location);
    const head = where && !error.message.includes(where) ? `${where}: ` : '';
    return `error [${error.code}]: ${head}${error.message}`;
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns
 * the exit code; never calls `process.exit`, so it can run in tests.
 */
export async function runCli(argv: readonly string[], io: CliIo, logger?: Logger): Promise<ExitCodeValue> {
  const invocation: Invocation = { io, exitCode: ExitCode.OK };
  const program = buildProgram(invocation);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return invocation.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.OK;
      }
      return ExitCode.USAGE;
    }
    logger?.error('command failed', { error: describeError(error) });
    io.stderr.write(`${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}
