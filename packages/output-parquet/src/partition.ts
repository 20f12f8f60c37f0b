import type { StacItem } from '@scm/core';
import { memberString } from '@scm/core/stac-item';
import { rfc3339ToMillis } from '@scm/core/time';

/**
 * How a collection's stac-geoparquet is cut into files: `none`, one file (`items.parquet`); `year` or
 * `month`, one file per UTC year or month of the items' `datetime` (`items-2022.parquet`,
 * `items-2022-09.parquet`). An incremental run rewrites only the files whose items changed, so a nightly
 * update that touches recent acquisitions leaves the older files as they are.
 */
export type ParquetPartitioning = 'none' | 'year' | 'month';

/** Every {@link ParquetPartitioning}, for configuration schemas. */
export const PARQUET_PARTITIONINGS: readonly ParquetPartitioning[] = Object.freeze(['none', 'year', 'month']);

/** The partition of items whose `datetime` (or `start_datetime`) is missing or not RFC 3339. */
export const UNDATED_PARTITION = 'undated';

/** Partition of one date-time text: `''` for `none`, else `YYYY` / `YYYY-MM` in UTC, or {@link UNDATED_PARTITION}. */
function partitionOfDatetime(value: unknown, by: ParquetPartitioning): string {
  if (by === 'none') return '';
  const millis = typeof value === 'string' ? rfc3339ToMillis(value) : undefined;
  if (millis === undefined) return UNDATED_PARTITION;
  const date = new Date(millis);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  return by === 'year' ? year : `${year}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The partition an Item belongs to: from `properties.datetime`, or `properties.start_datetime` when
 * `datetime` is null (a range item sits where its range starts).
 */
export function partitionOfItem(item: StacItem, by: ParquetPartitioning): string {
  if (by === 'none') return '';
  const properties = (item as { properties?: Record<string, unknown> | null }).properties ?? {};
  const datetime = properties.datetime;
  return partitionOfDatetime(typeof datetime === 'string' ? datetime : properties.start_datetime, by);
}

/**
 * {@link partitionOfItem} read from an Item's JSON text (an NDJSON line) without parsing it; `undefined`
 * when the text does not say (no string `datetime` nor `start_datetime` found), and the caller parses it.
 */
export function partitionOfItemText(text: string, by: ParquetPartitioning): string | undefined {
  if (by === 'none') return '';
  const datetime =
    memberString(text, ['properties', 'datetime']) ?? memberString(text, ['properties', 'start_datetime']);
  return datetime === undefined ? undefined : partitionOfDatetime(datetime, by);
}

const PARTITIONED_FILE = /^items(?:-(\d{4}(?:-\d{2})?|undated))?(?:-part-\d{5,})?\.parquet$/;
const LEGACY_PART_FILE = /^part-\d{5,}\.parquet$/;

/**
 * The file of a partition (`''`: unpartitioned), or of its `part`-th file when it is cut by row count:
 * `items.parquet` (`part-00000.parquet`, … when cut), `items-2022-09.parquet`, `items-2022-09-part-00001.parquet`.
 */
export function partitionFileName(partition: string, part?: number): string {
  if (part === undefined) return partition === '' ? 'items.parquet' : `items-${partition}.parquet`;
  const index = String(part).padStart(5, '0');
  return partition === '' ? `part-${index}.parquet` : `items-${partition}-part-${index}.parquet`;
}

/** The partition a file of ours in a collection folder holds (`''`: unpartitioned), or undefined for another file. */
export function partitionOfFileName(name: string): string | undefined {
  if (LEGACY_PART_FILE.test(name)) return '';
  const match = PARTITIONED_FILE.exec(name);
  return match ? (match[1] ?? '') : undefined;
}

/** Whether `partition` (a file's, as {@link partitionOfFileName} reads it) is one that `by` makes. */
export function isPartitionOf(partition: string, by: ParquetPartitioning): boolean {
  if (by === 'none') return partition === '';
  if (partition === UNDATED_PARTITION) return true;
  // File names are checked by partitionOfFileName: a year has 4 characters, a month 7 (YYYY-MM).
  return partition.length === (by === 'year' ? 4 : 7);
}

/**
 * The layout a set of our file names shows (the files of one or more collection folders): `month` or `year`
 * when a file holds such a partition, else `none`. Used to keep a folder's layout when it is rewritten.
 */
export function partitioningOfFiles(names: Iterable<string>): ParquetPartitioning {
  let found: ParquetPartitioning = 'none';
  for (const name of names) {
    const partition = partitionOfFileName(name);
    if (partition !== undefined && isPartitionOf(partition, 'month') && partition !== UNDATED_PARTITION)
      return 'month';
    if (partition !== undefined && isPartitionOf(partition, 'year') && partition !== UNDATED_PARTITION)
      found = 'year';
  }
  return found;
}
