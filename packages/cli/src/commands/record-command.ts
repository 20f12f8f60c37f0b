import type { RecordCommandOptions, RecordCommandResult } from '@scm/workflow';
import { type Command, Option } from 'commander';
import { summaryCounts } from '../run-log.js';
import type { CommandContext, GlobalOptions } from '../run.js';

/** Help of `--failures-file` on the commands that write one output file. */
export const FAILURES_HELP = 'failures (default <output stem>.failed_items.ndjson beside the output)';
/** Help of `--overwrite` on the commands that write an output folder. */
export const OVERWRITE_FOLDER_HELP =
  'replace a non-empty output folder this tool did not write (default: refuse)';
/** What the commands that write an output folder put beside the catalog. */
export const FOLDER_SIDE_FILES_HELP =
  '\nWrites, inside the output folder: failed_items.ndjson (only when something failed) and\n.stac-catalog-manager.json (marks the folder as ours; rebuild-catalog also writes summary.json).\n';

const AUDIT_HELP =
  'transformation audit log (default <output stem>.transformation_audit.json beside the output)';
const OVERWRITE_FILES_HELP = 'replace the output, failures and audit files if they exist (default: refuse)';

/** The flags the record commands (transform-metadata, scaffold-items, apply-extensions) share. */
export interface RecordFlags extends GlobalOptions {
  input: string[];
  outputPath: string;
  outputFormat?: string;
  failuresFile?: string;
  recordsKey?: string;
  auditFile?: string;
  overwrite?: boolean;
}

/** Adds `--output-format` (with `formats` to choose from) and `--output-path`. */
export function addOutputFileOptions(command: Command, formats: string[]): Command {
  return command
    .addOption(
      new Option('--output-format <format>', 'default: from --output-path, else json').choices(formats),
    )
    .requiredOption('--output-path <file>', 'where to write');
}

/** What distinguishes the two commands that map records with a mapping file. */
export interface MappingCommandSpec {
  name: string;
  description: string;
  inputHelp: string;
  /** The `--output-format` choices. */
  formats: string[];
}

/**
 * Declares a command that maps records: `--input`, `--mapping-schema`, the
 * output file flags, `--records-key` and `--audit-file`, in that help order.
 */
export function addMappingCommand(program: Command, spec: MappingCommandSpec): Command {
  const command = program
    .command(spec.name)
    .description(spec.description)
    .requiredOption('--input <path...>', spec.inputHelp)
    .requiredOption('--mapping-schema <file>', 'mapping file (YAML or JSON)');
  return addOutputFileOptions(command, spec.formats)
    .option(
      '--records-key <name>',
      'JSON API pages: the member holding the records, e.g. data (default features)',
    )
    .option('--audit-file <file>', AUDIT_HELP);
}

/** Adds `--failures-file` and `--overwrite`, which every record command ends with. */
export function addFailuresOptions(command: Command): Command {
  return command.option('--failures-file <file>', FAILURES_HELP).option('--overwrite', OVERWRITE_FILES_HELP);
}

/** Runs one of the record commands with the shared flags, printing its summary and setting the exit code. */
export async function runRecordCommand(
  context: CommandContext,
  command: string,
  opts: RecordFlags,
  work: (common: RecordCommandOptions) => Promise<RecordCommandResult>,
): Promise<void> {
  const { io } = context;
  const run = await context.startRun(command, opts);
  const result = await run.log(
    () =>
      work({
        input: opts.input,
        cwd: io.cwd,
        outputPath: opts.outputPath,
        outputFormat: opts.outputFormat,
        failuresPath: opts.failuresFile,
        recordsKey: opts.recordsKey,
        auditPath: opts.auditFile,
        overwrite: opts.overwrite ?? false,
        dryRun: opts.dryRun ?? false,
        ...run.services,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.report(result.text, result.summary.failed > 0);
}
