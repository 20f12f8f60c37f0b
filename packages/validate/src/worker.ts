/**
 * Entry of a pool worker thread (built to dist/worker.js). It builds one validator from `workerData` and
 * answers tasks: parse (when given JSON text) and validate each item, and send back the reports plus each
 * object's duplicate key, so the pool can apply the `duplicate_id` rule across all workers in input order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isScmError } from '@scm/core';
import type { ValidatorExtension } from './options.js';
import { forEachBlockObject } from './lines.js';
import { duplicateKeyOf, parseValidationText, StacValidatorImpl } from './validator.js';
import type { WorkerInit, WorkerLinesTask, WorkerMessage, WorkerTask } from './worker-protocol.js';

function post(message: WorkerMessage): void {
  parentPort!.postMessage(
    message,
    message.type === 'result' && message.bytes ? [message.bytes.buffer as ArrayBuffer] : [],
  );
}

function asExtensions(module: Record<string, unknown>, spec: string): ValidatorExtension[] {
  const value = module.default ?? module.extension ?? module.extensions;
  const list = Array.isArray(value) ? value : [value];
  for (const entry of list) {
    if (
      typeof entry !== 'object' ||
      entry === null ||
      !Array.isArray((entry as ValidatorExtension).schemaUris)
    ) {
      throw new Error(
        `extension module ${spec} does not export an extension (default, "extension" or "extensions")`,
      );
    }
  }
  return list as ValidatorExtension[];
}

type Result = Extract<WorkerMessage, { type: 'result' }>;

/** Validates one parsed text (or takes the report of text that is not JSON), noting its duplicate key. */
function addReport(
  validator: StacValidatorImpl,
  parsed: ReturnType<typeof parseValidationText>,
  out: Result,
) {
  const report = 'report' in parsed ? parsed.report : validator.check(parsed.object, false);
  out.keys.push('report' in parsed ? undefined : duplicateKeyOf(parsed.object));
  const dropped = 'object' in parsed ? parsed.dropped : undefined;
  if (dropped && dropped.length > 0) {
    out.dropped ??= {};
    out.dropped[out.reports.length] = dropped;
  }
  const clean = report.valid && report.warnings.length === 0;
  out.reports.push(clean ? null : report);
  out.ids.push(clean ? report.id : undefined);
  out.types.push(clean ? report.type : undefined);
}

function itemsResult(validator: StacValidatorImpl, task: WorkerTask): Result {
  const out: Result = { type: 'result', id: task.id, reports: [], ids: [], types: [], keys: [] };
  for (const item of task.items) {
    addReport(validator, task.texts ? parseValidationText(item as string) : { object: item }, out);
  }
  return out;
}

function linesResult(validator: StacValidatorImpl, task: WorkerLinesTask): Result {
  const places: number[] = [];
  const out: Result = { type: 'result', id: task.id, reports: [], ids: [], types: [], keys: [] };
  out.places = places;
  out.bytes = task.bytes;
  forEachBlockObject(task, ({ line, start, end }, parsed) => {
    places.push(line, start, end);
    addReport(validator, parsed, out);
  });
  return out;
}

async function start(): Promise<void> {
  const init = workerData as WorkerInit;
  let validator: StacValidatorImpl;
  try {
    const extensions: ValidatorExtension[] = [];
    for (const spec of init.extensionModules) {
      extensions.push(...asExtensions((await import(spec)) as Record<string, unknown>, spec));
    }
    validator = new StacValidatorImpl({ ...init.options, extensions, checkDuplicateIds: false });
  } catch (error) {
    post({
      type: 'fatal',
      message: error instanceof Error ? error.message : String(error),
      ...(isScmError(error) ? { code: error.code } : {}),
    });
    return;
  }

  parentPort!.on('message', (task: WorkerTask | WorkerLinesTask) => {
    try {
      post(task.type === 'lines' ? linesResult(validator, task) : itemsResult(validator, task));
    } catch (error) {
      post({ type: 'failed', id: task.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
  post({ type: 'ready' });
}

void start();
