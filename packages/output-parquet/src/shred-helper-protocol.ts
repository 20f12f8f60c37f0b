import type { ScmErrorCode } from '@scm/core';
import type { ParquetCodec } from './codec.js';
import type { FilePlan } from './plan.js';
import type { EncodedLeaf, HelperSides } from './shred.js';

/** What a helper thread is started with: the file's layout, its share of the leaves and the encoding. */
export interface HelperInit {
  plan: FilePlan;
  /** The helper fills leaves `[from, to)`. */
  from: number;
  to: number;
  codec: ParquetCodec;
  compressionLevel: number | undefined;
  statisticsTruncateLength: number | undefined;
  pageSize: number;
}

/** Messages to a helper: a row group's lines, in order, then its end. */
export type ToHelper = { type: 'lines'; lines: string[] } | { type: 'end' };

/** A helper's answer to `end`: its leaves of the row group, encoded from offset 0 of `bytes`. */
export interface HelperGroup {
  type: 'group';
  bytes: ArrayBuffer;
  encoded: EncodedLeaf[];
  sides: HelperSides;
}

/** Messages from a helper. */
export type FromHelper = HelperGroup | { type: 'error'; code: ScmErrorCode; message: string };
