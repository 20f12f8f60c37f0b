import { Worker } from 'node:worker_threads';
import { ScmError } from '@scm/core';

/**
 * The entry file of one of this package's threads: `dist/<name>.js` next to the built file, or, when this
 * module runs from the TypeScript sources (tests), `dev/<name>-source.mjs`, which registers a TypeScript
 * loader and loads `src/<name>.ts`. dev/ is not published: a source run only happens inside the repository.
 */
export function threadEntry(name: string, dev: string): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL(`../dev/${dev}.mjs`, here) : new URL(`./${name}.js`, here);
}

/**
 * Starts one of this package's threads (see {@link threadEntry}). `onFailure` hears of the thread crashing or
 * exiting, as an `SCM_INTERNAL` error naming the thread by `role`; the owner ignores the exit it asked for.
 */
export function startThread(
  entry: { name: string; dev: string; role: string; workerData?: unknown },
  onFailure: (error: ScmError) => void,
): Worker {
  const { name, dev, role, workerData } = entry;
  const worker = new Worker(threadEntry(name, dev), workerData === undefined ? {} : { workerData });
  const what = `the stac-geoparquet ${role} thread`;
  worker.on('error', (error) => onFailure(new ScmError('SCM_INTERNAL', `${what} crashed: ${error.message}`)));
  worker.on('exit', (code) => onFailure(new ScmError('SCM_INTERNAL', `${what} exited (code ${code})`)));
  return worker;
}
