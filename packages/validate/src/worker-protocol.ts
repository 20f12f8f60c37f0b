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

/** Main thread → worker: a block of NDJSON lines, each validated as one object (see `LineBlock`). */
export interface WorkerLinesTask {
  type: 'lines';
  id: number;
  /** The block's bytes, in a buffer of their own (transferred, and transferred back with the result). */
  bytes: Uint8Array;
  firstLine: number;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; message: string; code?: string }
  | {
      type: 'result';
      id: number;
      /**
       * One report per item or line; `null` stands for a valid report with no warning (most of them),
       * whose id and type are in `ids` and `types`: cheaper to send than the object.
       */
      reports: Array<ValidationReport | null>;
      ids: Array<string | undefined>;
      types: Array<string | undefined>;
      keys: Array<string | undefined>;
      /** For a lines task: line number, start and end of each report's line, three numbers a line. */
      places?: number[];
      /** By report index: the JSON Pointers of the members the parse dropped, for the lines that had any. */
      dropped?: Record<number, readonly string[]>;
      /** For a lines task: the block's bytes, handed back. */
      bytes?: Uint8Array;
    }
  | { type: 'failed'; id: number; message: string };
