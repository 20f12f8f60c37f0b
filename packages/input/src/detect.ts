import { access, open } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ScmError } from '@scm/core';
import { fileError, statInput } from './file-access.js';

/** A concrete input format a reader exists for. */
export type InputFormat = 'stac' | 'ndjson' | 'json' | 'csv' | 'parquet';

/** What {@link detectFormat} reports: an {@link InputFormat}, or `folder` for a directory of data files. */
export type DetectedFormat = InputFormat | 'folder';

/** File name extensions (lower case, with the dot) of each format, used for folders and auto-detection. */
export const FORMAT_EXTENSIONS: Readonly<Record<Exclude<InputFormat, 'stac'>, readonly string[]>> = {
  csv: ['.csv', '.tsv'],
  ndjson: ['.ndjson', '.jsonl', '.geojsonl'],
  json: ['.json', '.geojson'],
  parquet: ['.parquet', '.geoparquet', '.pq'],
};

/** Names looked for, in this order, when a folder is a static catalog. */
export const CATALOG_ROOT_NAMES = ['catalog.json', 'collection.json'] as const;

const HEAD_BYTES = 64 * 1024;

/** What the first bytes of a file say about it. */
export interface FileSniff {
  /** `parquet` (PAR1 magic), `array`/`object` (JSON), `ndjson` (one object per line), `empty` or `other`. */
  kind: 'parquet' | 'array' | 'object' | 'ndjson' | 'empty' | 'other';
  /** Value of the top-level `type` member of a JSON object, when it is a string found in the first 64 KiB. */
  type?: string;
}

/** Reads the first 64 KiB of a file and classifies it. */
export async function sniffFile(path: string): Promise<FileSniff> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(error, path);
  }
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') return { kind: 'parquet' };
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('[')) return { kind: 'array' };
  if (!trimmed.startsWith('{')) return { kind: 'other' };
  if (looksLikeNdjson(trimmed)) return { kind: 'ndjson' };
  const type = topLevelType(trimmed);
  return type === undefined ? { kind: 'object' } : { kind: 'object', type };
}

/** True when the first line is a whole JSON object and the next non-blank line starts another one. */
function looksLikeNdjson(text: string): boolean {
  const newline = text.indexOf('\n');
  if (newline === -1) return false;
  const rest = text.slice(newline + 1).trimStart();
  if (!rest.startsWith('{')) return false;
  try {
    const first: unknown = JSON.parse(text.slice(0, newline));
    return typeof first === 'object' && first !== null && !Array.isArray(first);
  } catch {
    return false;
  }
}

/** Finds the string value of the top-level `type` member in (the start of) a JSON object's text. */
export function topLevelType(text: string): string | undefined {
  let depth = 0;
  let i = 0;
  let expectKey = false;
  let pendingType = false;
  const readString = (from: number): { value: string; end: number } | undefined => {
    let j = from + 1;
    while (j < text.length) {
      const c = text[j];
      if (c === '\\') j += 2;
      else if (c === '"') {
        try {
          return { value: JSON.parse(text.slice(from, j + 1)) as string, end: j + 1 };
        } catch {
          return undefined;
        }
      } else j += 1;
    }
    return undefined;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const str = readString(i);
      if (!str) return undefined;
      if (depth === 1 && expectKey) {
        expectKey = false;
        pendingType = str.value === 'type';
      } else if (depth === 1 && pendingType) {
        return str.value;
      }
      i = str.end;
      continue;
    }
    if (c === '{' || c === '[') {
      depth += 1;
      if (depth === 1) expectKey = true;
      pendingType = false;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth <= 0) return undefined;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
      pendingType = false;
    } else if (c !== ':' && c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t' && depth === 1) {
      pendingType = false;
    }
    i += 1;
  }
  return undefined;
}

/** The format a file name's extension implies, if any. */
export function formatFromExtension(path: string): Exclude<InputFormat, 'stac'> | undefined {
  const ext = extname(path).toLowerCase();
  for (const [format, extensions] of Object.entries(FORMAT_EXTENSIONS)) {
    if (extensions.includes(ext)) return format as Exclude<InputFormat, 'stac'>;
  }
  return undefined;
}

/** The catalog root file inside `folder` (`catalog.json`, else `collection.json`), if there is one. */
export async function findCatalogRoot(folder: string): Promise<string | undefined> {
  for (const name of CATALOG_ROOT_NAMES) {
    const candidate = join(folder, name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there; try the next name
    }
  }
  return undefined;
}

/**
 * Works out how to read `path`, by extension first and content second.
 *
 * - A folder with `catalog.json` or `collection.json` is `stac`; any other folder is `folder`.
 * - `.parquet` `.geoparquet` `.pq` → `parquet`; `.csv` `.tsv` → `csv`; `.ndjson` `.jsonl` `.geojsonl` → `ndjson`.
 * - `.json` `.geojson` (or an unknown extension with JSON content): an object whose `type` is `Catalog` or
 *   `Collection` is `stac`; one object per line is `ndjson`; anything else (array, FeatureCollection,
 *   single object) is `json`.
 * - An unknown extension whose content starts with `PAR1` is `parquet`.
 *
 * @param path - File or folder.
 * @throws `SCM_INPUT_NOT_FOUND` when `path` does not exist; `SCM_INPUT_UNSUPPORTED` when the format cannot be told.
 */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  const info = await statInput(path);
  if (info.isDirectory()) return (await findCatalogRoot(path)) ? 'stac' : 'folder';
  const byExtension = formatFromExtension(path);
  if (byExtension && byExtension !== 'json') return byExtension;
  const sniff = await sniffFile(path);
  switch (sniff.kind) {
    case 'parquet':
      return 'parquet';
    case 'ndjson':
      return 'ndjson';
    case 'array':
      return 'json';
    case 'object':
      return sniff.type === 'Catalog' || sniff.type === 'Collection' ? 'stac' : 'json';
    case 'empty':
      if (byExtension) return byExtension;
      break;
    default:
      if (byExtension) return byExtension;
  }
  throw new ScmError(
    'SCM_INPUT_UNSUPPORTED',
    `cannot tell the format of ${path}: use a .csv, .json, .ndjson or .parquet file, or set the format`,
    { location: { file: path } },
  );
}
