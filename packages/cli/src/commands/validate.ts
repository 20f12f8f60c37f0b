import { dirname } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import { type Command, Option } from 'commander';
import {
  type AddCommand,
  BIN,
  CLI_DIR,
  type CommandContext,
  example,
  type GlobalOptions,
  resolvePath,
} from '../run.js';
import { readWorkflowConfig } from './workflow-config.js';
import { workersFlag, workersOption } from './workers-option.js';

interface ValidateFlags extends GlobalOptions {
  input: string[];
  outputReport?: string;
  level: 'strict' | 'lenient';
  schemaDir?: string[];
  engine: 'ajv' | 'stac-validator';
  overwrite?: boolean;
  extension?: string[];
  extensionsDir?: string;
  config?: string;
  workers?: string;
}

/** Registers `validate`: check STAC objects offline against the official schemas and extension checks. */
export const addValidate: AddCommand = (program, context) => {
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
    .addOption(workersOption("the config's validation.workers, else one per core"))
    .addHelpText('after', example([`${BIN} validate --input items.ndjson --output-report report.json`]))
    .action(async function (this: Command) {
      await runValidate(this.optsWithGlobals<ValidateFlags>(), context);
    });
};

/** The config's extensions, then the `--extension` names it does not already list. */
function extensionsOf(opts: ValidateFlags, config: WorkflowConfig | undefined) {
  const fromFlags = (opts.extension ?? []).filter(
    (name) => !config?.extensions?.some((e) => e.name === name),
  );
  return [...(config?.extensions ?? []), ...fromFlags];
}

async function runValidate(opts: ValidateFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const workers = workersFlag(opts.workers);
  // The validation entry only: the package's root would load every writer (hyparquet-writer, zstd) too.
  const { assertNewFiles, validateFiles, validationRecordPath } = await import('@scm/workflow/validate');
  if (opts.outputReport && !opts.dryRun) {
    const reportPath = resolvePath(io.cwd, opts.outputReport);
    const recordPath = validationRecordPath(reportPath, io.cwd);
    await assertNewFiles(
      [reportPath, ...validationPagePath(reportPath), ...(recordPath ? [recordPath] : [])],
      {
        overwrite: opts.overwrite ?? false,
      },
    );
  }
  const config = opts.config ? await readWorkflowConfig(resolvePath(io.cwd, opts.config), io.env) : undefined;
  const run = await context.startRun('validate', opts);
  const result = await run.log(
    () =>
      validateFiles({
        inputs: opts.input,
        cwd: io.cwd,
        level: opts.level,
        schemaDirs: opts.schemaDir ?? [],
        reportPath: opts.dryRun ? undefined : opts.outputReport,
        engine: opts.engine,
        extensions: extensionsOf(opts, config),
        extensionsDir: opts.extensionsDir ?? config?.extensions_dir,
        ...(opts.config ? { baseDir: dirname(resolvePath(io.cwd, opts.config)) } : {}),
        cliDir: CLI_DIR,
        workers: workers ?? config?.validation?.workers,
        ...run.services,
      }),
    (r) => ({ total: r.total, valid: r.valid, invalid: r.invalid }),
  );
  const page =
    opts.outputReport && !opts.dryRun ? validationPagePath(resolvePath(io.cwd, opts.outputReport)) : [];
  const { writeRunReport } = await import('@scm/report');
  for (const report of page) await writeRunReport(report.replace(/\.report\.html$/, '.json'));
  run.report(result.text, result.invalid > 0);
}

/** The page `validate` writes beside a JSON report `r.json`: `r.report.html` (none for another extension). */
function validationPagePath(reportPath: string): string[] {
  return reportPath.endsWith('.json') ? [reportPath.replace(/\.json$/, '.report.html')] : [];
}
