import type { ValidationReport } from '@scm/core';
import type { ValidatorOptions } from './options.js';

/** The validator options that cross the thread boundary (no functions, no logger). */
export type WorkerValidatorOptions = Omit<ValidatorOptions, 'extensions' | 'logger' | 'checkDuplicateIds'>;

/** `workerData` of a pool worker. */
export interface WorkerInit {
  options: WorkerValidatorOptions;
  /** Module URLs or package names whose default (or `extension`) export is an extension or a list of them. */
  extensionModules: string[];
}

/** Main thread → worker. */
export interface WorkerTask {
  type: 'task';
  id: number;
  /** JSON texts (parsed in the worker) or already-parsed objects. */
  items: unknown[];
  texts: boolean;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; message: string; code?: string }
  | { type: 'result'; id: number; reports: ValidationReport[]; keys: Array<string | undefined> }
  | { type: 'failed'; id: number; message: string };
