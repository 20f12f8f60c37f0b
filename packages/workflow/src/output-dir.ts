import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ScmError } from '@scm/core';

/** File that marks a folder as written by this tool, so a full rebuild may replace it. */
export const OUTPUT_MARKER = '.stac-catalog-manager.json';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses to replace a folder that holds files but no marker: a full rebuild
 * swaps the whole output folder, and a mistyped `output.path` must never
 * delete a user's data.
 */
export async function assertReplaceable(dir: string): Promise<void> {
  if (!(await exists(dir))) return;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (cause) {
    throw new ScmError('SCM_OUTPUT_PATH', `output path ${dir} exists and is not a folder`, { cause });
  }
  if (entries.length === 0 || entries.includes(OUTPUT_MARKER)) return;
  throw new ScmError(
    'SCM_OUTPUT_PATH',
    `output folder ${dir} is not empty and was not written by stac-catalog-manager (no ${OUTPUT_MARKER}); choose an empty or new folder`,
  );
}

/** A fresh sibling folder where a run writes before it replaces the output folder. */
export async function createStagingDir(finalDir: string): Promise<string> {
  const staging = join(dirname(finalDir), `.${basename(finalDir)}.staging-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  return staging;
}

/** Writes the marker file into a staging folder. */
export async function writeMarker(dir: string, version: string, mode: string): Promise<void> {
  const marker = { tool: 'stac-catalog-manager', version, mode, written_at: new Date().toISOString() };
  await writeFile(join(dir, OUTPUT_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

/**
 * Replaces `finalDir` with `stagingDir`: the old folder is moved aside, the
 * new one renamed into place, then the old one removed. Readers see either the
 * old catalog or the new one, never a half-written mix.
 */
export async function promoteStagingDir(stagingDir: string, finalDir: string): Promise<void> {
  let previous: string | undefined;
  if (await exists(finalDir)) {
    previous = join(dirname(finalDir), `.${basename(finalDir)}.previous-${process.pid}-${Date.now()}`);
    await rename(finalDir, previous);
  }
  try {
    await rename(stagingDir, finalDir);
  } catch (cause) {
    if (previous) await rename(previous, finalDir);
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot move the new catalog into ${finalDir}`, { cause });
  }
  if (previous) await rm(previous, { recursive: true, force: true });
}

/** Reads a JSON file if it exists. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
