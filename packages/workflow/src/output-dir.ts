import type { Stats } from 'node:fs';
import { access, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileSystemError, ScmError } from '@scm/core';

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

/** Whether a command may replace what is already at its output paths. */
export interface OverwriteOptions {
  /** Replace a file, or a non-empty folder, that this tool did not write (CLI `--overwrite`). Default false. */
  overwrite?: boolean | undefined;
}

/** `lstat`, or undefined when nothing is there; other errors name `path` (see `fileSystemError`). */
async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw fileSystemError(error, path, 'write');
  }
}

/**
 * Refuses to replace a folder that holds files but no marker: a full rebuild
 * swaps the whole output folder, and a mistyped `output.path` must never
 * delete a user's data. `overwrite` lifts the refusal. A file where the
 * folder should be is refused even then: no command turns a file into a folder.
 */
export async function assertReplaceable(dir: string, options: OverwriteOptions = {}): Promise<void> {
  const info = await statIfExists(dir);
  if (!info) return;
  if (!info.isDirectory()) {
    throw new ScmError(
      'SCM_OUTPUT_PATH',
      `output path ${dir} is an existing file, not a folder; choose a new or empty folder`,
      { location: { file: dir } },
    );
  }
  const entries = await readdir(dir).catch((error: unknown) => {
    throw fileSystemError(error, dir, 'write');
  });
  if (entries.length === 0 || entries.includes(OUTPUT_MARKER) || options.overwrite) return;
  throw new ScmError(
    'SCM_OUTPUT_EXISTS',
    `output folder ${dir} is not empty and was not written by stac-catalog-manager (no ${OUTPUT_MARKER}); choose an empty or new folder, or pass --overwrite to replace it`,
    { location: { file: dir } },
  );
}

/**
 * Refuses to write over existing files unless `overwrite`: a single-file
 * output and its side files (failures, audit) must be new. A folder at one
 * of the paths is refused in any case; a path under an existing file is an
 * `SCM_OUTPUT_PATH` error naming that path.
 */
export async function assertNewFiles(
  paths: readonly string[],
  options: OverwriteOptions = {},
): Promise<void> {
  for (const path of paths) {
    const info = await statIfExists(path);
    if (!info) continue;
    if (info.isDirectory()) {
      throw new ScmError('SCM_OUTPUT_PATH', `${path} is a folder; give a file path`, {
        location: { file: path },
      });
    }
    if (!options.overwrite) {
      throw new ScmError(
        'SCM_OUTPUT_EXISTS',
        `${path} already exists; choose another path, or pass --overwrite to replace it`,
        { location: { file: path } },
      );
    }
  }
}

/**
 * Where a single-file output's side file goes: beside it, named after the
 * output's stem (`items.json` + `failed_items.ndjson` → `items.failed_items.ndjson`),
 * so that two outputs in one folder never share a failures or audit file.
 */
export function sideFilePath(outputPath: string, name: string): string {
  const file = basename(outputPath);
  const stem = file.slice(0, file.length - extname(file).length) || file;
  return join(dirname(outputPath), `${stem}.${name}`);
}

/** A fresh sibling folder where a run writes before it replaces the output folder. */
export async function createStagingDir(finalDir: string): Promise<string> {
  const staging = join(dirname(finalDir), `.${basename(finalDir)}.staging-${process.pid}-${Date.now()}`);
  try {
    await mkdir(staging, { recursive: true });
  } catch (error) {
    // The staging name is ours; the user knows the folder they asked for.
    throw fileSystemError(error, finalDir, 'write');
  }
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
    await rename(finalDir, previous).catch((error: unknown) => {
      throw fileSystemError(error, finalDir, 'write');
    });
  }
  try {
    await rename(stagingDir, finalDir);
  } catch (error) {
    if (previous) await rename(previous, finalDir);
    throw fileSystemError(error, finalDir, 'write');
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
