import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Python venv with the test oracles (stac-validator, pystac, pypgstac). */
export const venv = process.env.SCM_PYTHON_VENV ?? join(repoRoot, '.venv');
/** Its interpreter. */
export const python = join(venv, 'bin', 'python');

/** Admin connection string of the PostgreSQL server for pgstac tests. */
export const pgDsn = process.env.SCM_PG_DSN ?? 'postgresql://postgres@127.0.0.1:54329/postgres';

function pythonHas(modules: string[]): boolean {
  if (!existsSync(python)) return false;
  try {
    execFileSync(python, ['-W', 'ignore', '-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function postgresReachable(): boolean {
  if (!pythonHas(['psycopg'])) return false;
  try {
    execFileSync(
      python,
      ['-c', `import psycopg; psycopg.connect(${JSON.stringify(pgDsn)}, connect_timeout=3).close()`],
      {
        stdio: 'ignore',
      },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Why an integration suite cannot run here, or undefined when it can: the
 * probe of an `integrationGate` from `@scm/testing/gate`.
 */
export function missingPrerequisite(needs: { python?: string[]; postgres?: boolean }): string | undefined {
  if (needs.python && !pythonHas(needs.python)) {
    return `needs Python modules ${needs.python.join(', ')} in ${venv} (python3 -m venv .venv && .venv/bin/pip install -r tools/python/requirements.txt)`;
  }
  if (needs.postgres && !postgresReachable()) {
    return `needs PostgreSQL with PostGIS at ${pgDsn} (bash tools/ci/start-postgres.sh)`;
  }
  return undefined;
}
