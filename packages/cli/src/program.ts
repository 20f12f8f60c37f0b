import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fileSystemError,
  formatLocation,
  formatSummary,
  isScmError,
  type LogContext,
  type Logger,
  ScmError,
} from '@scm/core';
import { configJsonSchema, loadConfig } from '@scm/config';
import { createLogger, type ScmLogger } from '@scm/logging';
import {
  assertNewFiles,
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
import { NOT_YET_AVAILABLE, notYetAvailable, notYetAvailableValues } from './availability.js';
import { addDiscoverCollections } from './commands/discover-collections.js';
import { addFetchItems } from './commands/fetch-items.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { createCliProgress } from './progress.js';
import { logRun, type RunLogInfo, summaryCounts } from './run-log.js';
import { VERSION } from './version.js';

const BIN = 'stac-catalog-manager';

const FAILURES_HELP = 'failures (default <output stem>.failed_items.ndjson beside the output)';
const AUDIT_HELP =
  'transformation audit log (default <output stem>.transformation_audit.json beside the output)';
const OVERWRITE_FILES_HELP = 'replace the output, failures and audit files if they exist (default: refuse)';
const OVERWRITE_FOLDER_HELP = 'replace a non-empty output folder this tool did not write (default: refuse)';
const FOLDER_SIDE_FILES_HELP =
  '\nWrites, inside the output folder: failed_items.ndjson (only when something failed) and\n.stac-catalog-manager.json (marks the folder as ours; rebuild-catalog also writes summary.json).\n';

interface RecordFlags extends GlobalOptions {
  input: string[];
  outputPath: string;
  outputFormat?: string;
  failuresFile?: string;
  recordsKey?: string;
  auditFile?: string;
  overwrite?: boolean;
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
  /** The arguments, for the run's first log line. */
  argv: readonly string[];
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

/** What one command's run uses: its logger and progress, and `say`, which `--quiet` silences. */
interface Run {
  logger: ScmLogger;
  progress: ReturnType<typeof createCliProgress>;
  /** Prints lines for people on stdout, unless `--quiet`. */
  say(text: string): void;
  /** Runs `work` with start, end, failure and interrupt log lines (see {@link logRun}). */
  log<T>(work: () => Promise<T>, counts: (result: T) => LogContext): Promise<T>;
}

/** Sets up one command's run: a logger from the flags (and config), progress that logs its stages, `--quiet`. */
function startRun(
  invocation: Invocation,
  command: string,
  globals: GlobalOptions,
  fromConfig?: { level?: string; file?: string },
): Run {
  const { io } = invocation;
  const logger = makeLogger(io, globals, fromConfig);
  const quiet = globals.quiet ?? false;
  const info: RunLogInfo = {
    command,
    argv: invocation.argv,
    dryRun: globals.dryRun ?? false,
    failureLevel: fromConfig?.file ? 'error' : 'info',
  };
  return {
    logger,
    progress: createCliProgress({ stream: io.stderr, quiet, logger: logger.child('progress') }),
    say: (text) => {
      if (!quiet) io.stdout.write(`${text}\n`);
    },
    log: (work, counts) => logRun(logger, info, io.signal, work, counts),
  };
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
    .option('-q, --quiet', 'print no progress or summary; errors still go to stderr', false)
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
    .option('--audit-file <file>', AUDIT_HELP)
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
    .option('--failures-file <file>', FAILURES_HELP)
    .option('--overwrite', OVERWRITE_FILES_HELP)
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
      await runRecordCommand(invocation, 'transform-metadata', opts, (common) =>
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
    .option('--audit-file <file>', AUDIT_HELP)
    .option('--failures-file <file>', FAILURES_HELP)
    .option('--overwrite', OVERWRITE_FILES_HELP)
    .addHelpText(
      'after',
      example([
        `${BIN} scaffold-items --input data.csv --mapping-schema mapping.yaml --output-path items.json`,
      ]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<RecordFlags & { mappingSchema: string }>();
      await runRecordCommand(invocation, 'scaffold-items', opts, (common) =>
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
    .option('--failures-file <file>', FAILURES_HELP)
    .option('--overwrite', OVERWRITE_FILES_HELP)
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
      await runRecordCommand(invocation, 'apply-extensions', opts, (common) =>
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
    .requiredOption(
      '--input <path...>',
      'JSON, NDJSON or stac-geoparquet file, static catalog or folder (repeatable); not CSV',
    )
    .option('--output-report <file>', 'write the JSON report here')
    .addOption(
      new Option('--level <level>', 'strict: an unresolvable extension schema is an error')
        .choices(['strict', 'lenient'])
        .default('strict'),
    )
    .option('--schema-dir <dir...>', 'extra folders of extension schemas, laid out by URL')
    .option('--extension <name...>', 'plugin extensions whose checks run too (built-ins always run)')
    .option('--extensions-dir <dir>', 'plugin folder (default ~/.stac-catalog-manager/extensions)')
    .option('--config <file>', "a workflow config: its extensions' checks run too")
    .addOption(
      new Option('--engine <engine>', 'ajv (built in) or stac-validator (the Python tool, if installed)')
        .choices(['ajv', 'stac-validator'])
        .default('ajv'),
    )
    .option('--overwrite', 'replace the report file if it exists (default: refuse)')
    .addHelpText('after', example([`${BIN} validate --input items.ndjson --output-report report.json`]))
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        {
          input: string[];
          outputReport?: string;
          level: 'strict' | 'lenient';
          schemaDir?: string[];
          engine: 'ajv' | 'stac-validator';
          overwrite?: boolean;
          extension?: string[];
          extensionsDir?: string;
          config?: string;
        } & GlobalOptions
      >();
      if (opts.outputReport && !opts.dryRun) {
        await assertNewFiles([resolvePath(io.cwd, opts.outputReport)], {
          overwrite: opts.overwrite ?? false,
        });
      }
      const config = opts.config
        ? await loadConfig(resolvePath(io.cwd, opts.config), { env: io.env })
        : undefined;
      const run = startRun(invocation, 'validate', opts);
      const result = await run.log(
        () =>
          validateFiles({
            inputs: opts.input,
            cwd: io.cwd,
            level: opts.level,
            schemaDirs: opts.schemaDir ?? [],
            reportPath: opts.dryRun ? undefined : opts.outputReport,
            engine: opts.engine,
            extensions: [
              ...(config?.extensions ?? []),
              ...(opts.extension ?? []).filter((name) => !config?.extensions?.some((e) => e.name === name)),
            ],
            extensionsDir: opts.extensionsDir ?? config?.extensions_dir,
            ...(opts.config ? { baseDir: dirname(resolvePath(io.cwd, opts.config)) } : {}),
            cliDir: dirname(fileURLToPath(import.meta.url)),
            logger: run.logger,
            progress: run.progress,
            signal: io.signal,
          }),
        (r) => ({ total: r.total, valid: r.valid, invalid: r.invalid }),
      );
      run.say(result.text);
      invocation.exitCode = result.invalid > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    });

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
          overwrite?: boolean;
          resume?: boolean;
        } & GlobalOptions
      >();
      if (opts.mode !== 'full') {
        throw new ScmError(
          'SCM_NOT_IMPLEMENTED',
          `rebuild-catalog: --mode ${opts.mode} is not available in this version yet`,
        );
      }
      const configPath = resolvePath(io.cwd, opts.config);
      const config = await loadConfig(configPath, { env: io.env });
      const logging = { level: config.logging?.level, file: config.logging?.file };
      const run = startRun(invocation, 'rebuild-catalog', opts, logging);
      run.logger.debug('file opened', { file: configPath, format: 'config' });
      const result = await run.log(
        () =>
          rebuildCatalog(config, {
            mode: opts.mode,
            dryRun: opts.dryRun ?? false,
            overwrite: opts.overwrite ?? false,
            resume: opts.resume ?? false,
            env: io.env,
            logger: run.logger,
            progress: run.progress,
            signal: io.signal,
          }),
        (r) => summaryCounts(r.summary),
      );
      run.say(formatSummary(result.summary));
      if (!opts.dryRun) run.say(`output: ${result.outputDir}`);
      invocation.exitCode = result.summary.failed > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    });

  notYetAvailable(
    program
      .command('update-metadata')
      .description('set or remove fields, select items, delete items; stamps `updated`')
      .option('--input <file>', 'items')
      .option('--updates <file>', 'update spec (YAML or JSON)')
      .option('--output-path <path>', 'where to write'),
    'metadata updates',
  );

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
    .option('--overwrite', OVERWRITE_FOLDER_HELP)
    .addHelpText('after', FOLDER_SIDE_FILES_HELP)
    .addHelpText(
      'after',
      example([`${BIN} output --input catalog/ --output-format parquet --output-path parquet/`]),
    )
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<
        {
          input: string;
          outputFormat: CatalogFormat;
          outputPath: string;
          overwrite?: boolean;
        } & GlobalOptions
      >();
      const run = startRun(invocation, 'output', opts);
      const result = await run.log(
        () =>
          convertCatalog({
            input: opts.input,
            outputFormat: opts.outputFormat,
            outputPath: opts.outputPath,
            cwd: io.cwd,
            dryRun: opts.dryRun ?? false,
            overwrite: opts.overwrite ?? false,
            logger: run.logger,
            progress: run.progress,
            signal: io.signal,
          }),
        (r) => ({ collections: r.collections, items: r.items, failed: r.failed }),
      );
      run.say(result.text);
      invocation.exitCode = result.failed > 0 ? ExitCode.PARTIAL : ExitCode.OK;
    });

  const config = program.command('config').description('check or describe workflow config files');
  config
    .command('validate')
    .description('check a config file against the schema, with file:line locations')
    .requiredOption('--config <file>', 'workflow config (YAML or JSON)')
    .addHelpText('after', example([`${BIN} config validate --config config.yaml`]))
    .action(async function (this: Command) {
      const opts = this.optsWithGlobals<{ config: string } & GlobalOptions>();
      await loadConfig(resolvePath(io.cwd, opts.config), { env: io.env });
      if (!opts.quiet) io.stdout.write(`${opts.config}: valid\n`);
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
  command: string,
  opts: RecordFlags,
  run: (common: RecordCommandOptions) => Promise<RecordCommandResult>,
): Promise<void> {
  const { io } = invocation;
  const runLog = startRun(invocation, command, opts);
  const result = await runLog.log(
    () =>
      run({
        input: opts.input,
        cwd: io.cwd,
        outputPath: opts.outputPath,
        outputFormat: opts.outputFormat,
        failuresPath: opts.failuresFile,
        recordsKey: opts.recordsKey,
        auditPath: opts.auditFile,
        overwrite: opts.overwrite ?? false,
        dryRun: opts.dryRun ?? false,
        logger: runLog.logger,
        progress: runLog.progress,
        signal: io.signal,
      }),
    (r) => summaryCounts(r.summary),
  );
  runLog.say(result.text);
  invocation.exitCode = result.summary.failed > 0 ? ExitCode.PARTIAL : ExitCode.OK;
}

function resolvePath(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
}

/** System calls that only read; a failure of any other one is reported as a write problem. */
const READ_SYSCALLS = new Set(['read', 'scandir', 'stat', 'lstat', 'access', 'realpath', 'readlink']);

/**
 * Last line of defence: a Node file-system error that no command mapped
 * still goes through `fileSystemError`, so the user gets a code, the path and
 * what to do instead of a raw `ENOSPC: …`. Anything else is returned as is.
 */
function asScmError(error: unknown): unknown {
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown } | undefined;
  if (isScmError(error) || typeof system?.code !== 'string' || typeof system.syscall !== 'string')
    return error;
  const path = typeof system.path === 'string' ? system.path : 'a file';
  return fileSystemError(error, path, READ_SYSCALLS.has(system.syscall) ? 'read' : 'write');
}

/** Describes an error in one or two lines, with its location and code. */
export function describeError(error: unknown): string {
  if (isScmError(error)) {
    const where = formatLocation(error.location);
    // Config messages already start with `file:line:column path`; say the place once.
    const place = formatLocation({ ...error.location, path: undefined });
    const head = where && !error.message.includes(place || where) ? `${where}: ` : '';
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
  const invocation: Invocation = { io, exitCode: ExitCode.OK, argv };
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
    const reported = asScmError(error);
    logger?.error('command failed', { error: describeError(reported) });
    io.stderr.write(`${describeError(reported)}\n`);
    return exitCodeFor(reported);
  }
}
