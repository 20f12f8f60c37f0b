/**
 * Entry of a pool worker thread (built to dist/worker.js). It builds one validator from `workerData` and
 * answers tasks: parse (when given JSON text) and validate each item, and send back the reports plus each
 * object's duplicate key, so the pool can apply the `duplicate_id` rule across all workers in input order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isScmError, type ValidationReport } from '@scm/core';
import type { ValidatorExtension } from './options.js';
import { duplicateKeyOf, parseValidationText, StacValidatorImpl } from './validator.js';
import type { WorkerInit, WorkerMessage, WorkerTask } from './worker-protocol.js';

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
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

  parentPort!.on('message', (task: WorkerTask) => {
    try {
      const reports: ValidationReport[] = [];
      const keys: Array<string | undefined> = [];
      for (const item of task.items) {
        let object: unknown = item;
        if (task.texts) {
          const parsed = parseValidationText(item as string);
          if ('report' in parsed) {
            reports.push(parsed.report);
            keys.push(undefined);
            continue;
          }
          object = parsed.object;
        }
        reports.push(validator.check(object, false));
        keys.push(duplicateKeyOf(object));
      }
      post({ type: 'result', id: task.id, reports, keys });
    } catch (error) {
      post({ type: 'failed', id: task.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
  post({ type: 'ready' });
}

void start();
