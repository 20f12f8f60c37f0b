import { stat } from 'node:fs/promises';
import type { StacItem } from '@scm/core';

/** Told the bytes read so far of the input's summed size, for a progress bar's percentage and ETA. */
export type BytesReport = (read: number, total: number) => void;

/**
 * Counts the bytes read over several files read one after another: each file reports its own count,
 * which is moved past the sizes of the files before it.
 */
export class InputBytes {
  private before = 0;

  constructor(
    /** The files' summed size. */
    readonly total: number,
    private readonly report: BytesReport,
  ) {}

  /** Sums the sizes of `paths`; undefined without `report` or when one cannot be read. */
  static async of(
    paths: readonly string[],
    report: BytesReport | undefined,
  ): Promise<InputBytes | undefined> {
    if (!report) return undefined;
    try {
      let total = 0;
      for (const path of paths) total += (await stat(path)).size;
      return new InputBytes(total, report);
    } catch {
      return undefined;
    }
  }

  /** The report of the next file: its own bytes read so far (its size for the total is ignored). */
  file(): BytesReport {
    const before = this.before;
    return (read) => this.report(Math.min(this.total, before + read), this.total);
  }

  /** Moves past a file once it is read. */
  async passed(path: string): Promise<void> {
    this.before += (await stat(path)).size;
  }
}

/**
 * The Items of a stac-geoparquet file, each row counted as its share of the file's size (the footer's
 * `num_rows`, `rows`, is known before the first row), so progress needs no second pass.
 */
export async function* geoParquetItemsCounted(
  path: string,
  rows: number,
  signal: AbortSignal | undefined,
  report: BytesReport | undefined,
): AsyncGenerator<StacItem> {
  // Loaded here, not at the top: a run without Parquet input never needs the Parquet reader and writers.
  const { readGeoParquet } = await import('@scm/output-parquet');
  const size = report ? (await stat(path)).size : 0;
  let row = 0;
  for await (const item of readGeoParquet(path, { signal })) {
    row += 1;
    report?.((size * Math.min(row, rows)) / Math.max(1, rows), size);
    yield item;
  }
}
