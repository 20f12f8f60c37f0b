import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { readGeoParquet } from '../../src/index.js';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'scm-parquet-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads every item of a file. */
export async function readAll(path: string): Promise<StacItem[]> {
  const out: StacItem[] = [];
  for await (const item of readGeoParquet(path)) out.push(item);
  return out;
}

/** The items as JSON text would carry them (drops `undefined`, as a JSON round trip does). */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
