import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLocation, formatSummary, isScmError, type Logger, ScmError } from '@scm/core';
import { configJsonSchema, loadConfig } from '@scm/config';
import { createLogger, type ScmLogger } from '@scm/logging';
import {
  type CatalogFormat,
  convertCatalog,
  extendFiles,
  type RecordCommandOptions,
  type RecordCommandResult,
  rebuildCatalog,
  scaffoldFiles,
  transformFiles,
  validateFiles,
} from '@scm/workflow';
import { Command, CommanderError, Option } from 'commander';
import { addDiscoverCollections } from './commands/discover-collections.js';
import { addFetchItems } from './commands/fetch-items.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { createCliProgress } from './progress.js';
import { VERSION } from './version.js';

const BIN = 'stac-catalog-manager';

interface RecordFlags extends GlobalOptions {
  input: string[];
  outputPath: string;
  outputFormat?: string;
  failuresFile?: string;
  recordsKey?: string;
  auditFile?: string;
}

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

  addDiscoverCollections(program, {
    io,
    logger: (globals) => makeLogger(io, globals),
    setExitCode: (code) => {
      invocation.exitCode = code;
    },
  });

  addFetchItems(program, {
    io,
    logger: (globals) => makeLogger(io, globals),
    setExitCode: (code) => {
      invocation.exitCode = code;
    },
  });

  program
    .command('transform-metadata')
    .description('map records (CSV, JSON, NDJSON, Parquet) to new fields with a mapping file')
    .requiredOption('--input <path...>', 'input files or folders')
    .requiredOption('--mapping-schema <file>', 'mapping file (YAML or JSON)')
    .addOption(
      new Option('--output-format <format>', 'default: from --output-path, else json').choices([
        'json',
        'ndjson',
        'csv',
      ]),
    )
    .requiredOption('--output-path <file>', 'where to write')
    .option(
      '--records-key <name>',
      'JSON API pages: the member holding the records, e.g. data (default features)',
    )
    .option(
      '--audit-file <file>',
      'transformation audit log (default transformation_audit.json beside the output)',
    )
    .option(
      '--sidecar <file>',
      'enrich: join this CSV/JSON/NDJSON/Parquet file to the input items and map its columns into them',
    )
    .option('--item-key <path>', 'enrich: key path in the items (default id)')
    .option('--sidecar-key <path>', 'enrich: key path in the sidecar rows (default: the item key)')
    .option('--sidecar-keyed', 'enrich: the sidecar is one JSON object keyed by id, not rows')
    .addOption(
      new Option('--on-missing <policy>', 'enrich: an item without a sidecar row')
        .choices(['keep', 'fail'])
        .default('keep'),
    )
    .option('--failures-file <file>', 'failures (default failed_items.ndjson beside the output)')
    .addHelpText(
      'after',
      example([
        `${BIN} transform-metadata --input records.csv --mapping-schema mapping.yaml --output-format ndjson --output-path out.ndjson`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        RecordFlags & {
          mappingSchema: string;
          sidecar?: string;
          itemKey?: string;
          sidecarKey?: string;
          onMissing: 'keep' | 'fail';
          sidecarKeyed?: boolean;
        }
      >();
      await runRecordCommand(invocation, opts, (common) =>
        transformFiles({
          ...common,
          mappingPath: opts.mappingSchema,
          sidecarPath: opts.sidecar,
          itemKey: opts.itemKey,
          sidecarKey: opts.sidecarKey,
          onMissing: opts.onMissing,
          sidecarKeyed: opts.sidecarKeyed ?? false,
        }),
      );
    });

  program
    .command('scaffold-items')
    .description('turn records into valid STAC Items with a mapping file')
    .requiredOption('--input <path...>', 'input files or folders (CSV, JSON, NDJSON, Parquet)')
    .requiredOption('--mapping-schema <file>', 'mapping file (YAML or JSON)')
    .addOption(
      new Option('--output-format <format>', 'default: from --output-path, else json').choices([
        'json',
        'ndjson',
        'parquet',
      ]),
    )
    .requiredOption('--output-path <file>', 'where to write')
    .option(
      '--records-key <name>',
      'JSON API pages: the member holding the records, e.g. data (default features)',
    )
    .option(
      '--audit-file <file>',
      'transformation audit log (default transformation_audit.json beside the output)',
    )
    .option('--failures-file <file>', 'failures (default failed_items.ndjson beside the output)')
    .addHelpText(
      'after',
      example([
        `${BIN} scaffold-items --input data.csv --mapping-schema mapping.yaml --output-path items.json`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<RecordFlags & { mappingSchema: string }>();
      await runRecordCommand(invocation, opts, (common) =>
        scaffoldFiles({ ...common, mappingPath: opts.mappingSchema }),
      );
    });

  program
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
    .option('--extensions-dir <dir>', 'plugin folder (default ~/.stac-catalog-manager/extensions)')
    .addOption(
      new Option('--output-format <format>', 'default: from --output-path, else json').choices([
        'json',
        'ndjson',
        'parquet',
      ]),
    )
    .requiredOption('--output-path <file>', 'where to write')
    .option('--failures-file <file>', 'failures (default failed_items.ndjson beside the output)')
    .addHelpText(
      'after',
      example([
        `${BIN} apply-extensions --input items.ndjson --extension dgeo --extension-config dgeo.yaml --output-path out.ndjson`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        RecordFlags & { extension: string[]; extensionConfig?: string; extensionsDir?: string }
      >();
      await runRecordCommand(invocation, opts, (common) =>
        extendFiles({
          ...common,
          extensions: opts.extension,
          extensionConfigPath: opts.extensionConfig,
          extensionsDir: opts.extensionsDir,
          cliDir: dirname(fileURLToPath(import.meta.url)),
        }),
      );
    });

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
    .addOption(
      new Option('--engine <engine>', 'ajv (built in) or stac-validator (the Python tool, if installed)')
        .choices(['ajv', 'stac-validator'])
        .default('ajv'),
    )
    .addHelpText('after', example([`${BIN} validate --input items.ndjson --output-report report.json`]))
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        {
          input: string[];
          outputReport?: string;
          level: 'strict' | 'lenient';
          schemaDir?: string[];
          engine: 'ajv' | 'stac-validator';
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
          engine: opts.engine,
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
    .option('--resume', 'stac_api sources: continue the harvest of a killed run from its checkpoint')
    .addHelpText(
      'after',
      example([`${BIN} rebuild-catalog --config examples/quickstart/config.yaml --mode full`]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        {
          config: string;
          mode: 'full' | 'incremental' | 'targeted';
          ids?: string;
          resume?: boolean;
        } & GlobalOptions
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
          resume: opts.resume ?? false,
          env: io.env,
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
    .description('convert between a JSON tree, pgstac-ready NDJSON and stac-geoparquet, in any direction')
    .requiredOption(
      '--input <path>',
      'catalog folder (catalog.json), NDJSON folder (collections.ndjson), Parquet file or folder, or item files',
    )
    .addOption(
      new Option('--output-format <format>', 'target format')
        .choices(['json', 'ndjson', 'parquet'])
        .makeOptionMandatory(),
    )
    .requiredOption('--output-path <dir>', 'output folder (new, empty, or written by this tool)')
    .addHelpText(
      'after',
      example([`${BIN} output --input catalog/ --output-format parquet --output-path parquet/`]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        { input: string; outputFormat: CatalogFormat; outputPath: string } & GlobalOptions
      >();
      const logger = makeLogger(io, opts);
      try {
        const result = await convertCatalog({
          input: opts.input,
          outputFormat: opts.outputFormat,
          outputPath: opts.outputPath,
          cwd: io.cwd,
          dryRun: opts.dryRun ?? false,
          logger,
          progress: createCliProgress({ stream: io.stderr, quiet: opts.quiet ?? false }),
          signal: io.signal,
        });
        io.stdout.write(`${result.text}\n`);
      } finally {
        await logger.flush();
      }
    });

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

/** Runs one of the record commands with the shared flags, printing its summary and setting the exit code. */
async function runRecordCommand(
  invocation: Invocation,
  opts: RecordFlags,
  run: (common: RecordCommandOptions) => Promise<RecordCommandResult>,
): Promise<void> {
  const { io } = invocation;
  const logger = makeLogger(io, opts);
  try {
    const result = await run({
      input: opts.input,
      cwd: io.cwd,
      outputPath: opts.outputPath,
      outputFormat: opts.outputFormat,
      failuresPath: opts.failuresFile,
      recordsKey: opts.recordsKey,
      auditPath: opts.auditFile,
      dryRun: opts.dryRun ?? false,
      logger,
      progress: createCliProgress({ stream: io.stderr, quiet: opts.quiet ?? false }),
      signal: io.signal,
    });
    io.stdout.write(`${result.text}\n`);
    invocation.exitCode = result.summary.failed > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  } finally {
    await logger.flush();
  }
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
