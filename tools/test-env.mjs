#!/usr/bin/env node
// Prints what the integration tests can find on this machine, one fact a line.
// nx.json names this script as a `runtime` input of the `test` target, so a
// cached result computed without the Python oracles or PostgreSQL is never
// replayed once they appear (or the other way round).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** The Python packages the integration tests call; their versions go into the key. */
const ORACLES = [
  'stac_validator',
  'pypgstac',
  'pystac',
  'pystac_client',
  'stac_geoparquet',
  'rustac',
  'jsonschema',
  'moto',
];
/** The manifest checks of examples/scale-out, in their own venv (SCM_SCALE_OUT_VENV). */
const SCALE_OUT = [
  'kubernetes_validate',
  'hera',
  'apache_airflow',
  'apache_airflow_providers_cncf_kubernetes',
];

/** `name-version` of each oracle installed in the venv, read from dist-info folders (no Python start-up). */
function oracleVersions(venv, names = ORACLES) {
  const lib = join(venv, 'lib');
  if (!existsSync(join(venv, 'bin', 'python'))) return ['python: none'];
  const found = [];
  for (const python of existsSync(lib) ? readdirSync(lib) : []) {
    const site = join(lib, python, 'site-packages');
    if (!existsSync(site)) continue;
    for (const entry of readdirSync(site)) {
      const match = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (match && names.includes(match[1].toLowerCase())) found.push(`${match[1]} ${match[2]}`);
    }
  }
  return [`python: ${venv}`, ...found.sort()];
}

/** Whether a PostgreSQL `initdb` exists where tools/ci/start-postgres.sh looks, or on PATH. */
function initdbFound() {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  if (versions.some((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')))) return true;
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, 'initdb')));
}

/** Whether the Chromium the report's browser test drives is there. */
const chromium = process.env.SCM_CHROMIUM || '/usr/bin/chromium';

const venv = process.env.SCM_PYTHON_VENV || join(root, '.venv');
const scaleOut = process.env.SCM_SCALE_OUT_VENV || join(root, '.venv-scale-out');
const lines = [
  `node ${process.version}`,
  ...oracleVersions(venv),
  ...oracleVersions(scaleOut, SCALE_OUT).map((line) => `scale-out ${line}`),
  `initdb: ${initdbFound() ? 'yes' : 'no'}`,
  `chromium: ${existsSync(chromium) ? chromium : 'no'}`,
  // The local S3 server of tools/ci/start-s3.sh (the s3:// output tests).
  `s3 endpoint: ${process.env.SCM_S3_ENDPOINT || 'none'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
