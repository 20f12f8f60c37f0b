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

/** Adds `--records-key` and `--audit-file`, the flags of the commands that map records. */
export function addMappingInputOptions(command: Command): Command {
  return command
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
  const run = context.startRun(command, opts);
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
        logger: run.logger,
        progress: run.progress,
        signal: io.signal,
      }),
    (r) => summaryCounts(r.summary),
  );
  run.say(result.text);
  run.finish(result.summary.failed > 0);
}
