import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import {
  type AddCommand,
  BIN,
  type CommandContext,
  example,
  type GlobalOptions,
  resolvePath,
} from '../run.js';

interface ReportFlags extends GlobalOptions {
  input: string;
  failuresFile?: string;
}

const REPORT_HELP = `
Reads what the run left (summary.json, the failures file, report_record.json, the collections it
wrote; never the item files) and writes report.html beside the summary: one self-contained page
(no network when opened) with totals, a map of what was written, failures by type and step with
examples, validation issues by kind and each stage's throughput. Every rebuild-catalog, fetch-items,
validate and update-metadata run already writes it; this makes it again, e.g. after an upgrade.
For a single-file output, give its <stem>.summary.json: the report is <stem>.report.html.
`;

/** Registers `report`: make a run's `report.html` again from what the run left. */
export const addReport: AddCommand = (program, context) => {
  program
    .command('report')
    .description("make a run's report.html again from what it left in its output folder")
    .requiredOption('--input <path>', 'output folder holding summary.json, or a <stem>.summary.json file')
    .option('--failures-file <name>', 'name of the failures file in the folder', 'failed_items.ndjson')
    .addHelpText('after', REPORT_HELP)
    .addHelpText('after', example([`${BIN} report --input examples/quickstart/output`]))
    .action(async function (this: Command) {
      await runReport(this.optsWithGlobals<ReportFlags>(), context);
    });
};

async function runReport(opts: ReportFlags, context: CommandContext): Promise<void> {
  const { writeRunReport } = await import('@scm/report');
  const run = await context.startRun('report', opts);
  const input = resolvePath(context.io.cwd, opts.input);
  const written = await run.log(
    () => writeRunReport(input, opts.failuresFile ? { failuresName: opts.failuresFile } : {}),
    (r) => ({ report: r.path, bytes: r.bytes }),
  );
  const shown = relative(context.io.cwd, written.path);
  const path = shown.startsWith('..') || isAbsolute(shown) ? written.path : shown;
  run.report(
    `report: ${path}\n  ${Math.ceil(written.bytes / 1024)} KiB, open it in any browser (no network needed)`,
    false,
  );
}
