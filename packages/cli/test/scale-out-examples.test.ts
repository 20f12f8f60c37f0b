/**
 * examples/scale-out runs on real engines only if its manifests are what the
 * engines accept: the Kubernetes manifests are validated against the
 * Kubernetes JSON schemas (kubernetes-validate, strict), the Argo template
 * against Argo's workflow schema (hera's models, closed to unknown fields),
 * and the Airflow DAG is imported by Airflow itself (apache-airflow with the
 * cncf.kubernetes provider); all three from tools/python/requirements-scale-out.txt,
 * in the venv SCM_SCALE_OUT_VENV names (default .venv-scale-out; .ci/run makes it).
 * Each check is also shown a spoiled copy (a misspelt container field), which
 * it must reject, so a check that accepts anything cannot pass.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { integrationGate } from '@scm/testing/gate';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from './helpers.js';

const example = join(repoRoot, 'examples/scale-out');
const script = join(repoRoot, 'tools/python/validate_scale_out.py');
const TIMEOUT_MS = 300_000;
/** Airflow pins a FastAPI the oracles' venv cannot share, so these checks have a venv of their own. */
const venv = process.env.SCM_SCALE_OUT_VENV ?? join(repoRoot, '.venv-scale-out');
const venvPython = join(venv, 'bin/python');

const gate = integrationGate('scale-out manifest validators', () => {
  try {
    execFileSync(venvPython, ['-c', 'import kubernetes_validate, hera, airflow.providers.cncf.kubernetes'], {
      stdio: 'ignore',
    });
    return undefined;
  } catch {
    return `kubernetes-validate, hera or apache-airflow is missing in ${venvPython} (python3 -m venv ${venv} && ${venv}/bin/pip install -r tools/python/requirements-scale-out.txt, or set SCM_SCALE_OUT_VENV)`;
  }
});

interface Checked {
  file: string;
  kind: string;
  ok: boolean;
  error?: string;
  details?: unknown;
}

function validate(...flags: string[]): Checked[] {
  const out = execFileSync(venvPython, [script, example, ...flags], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 24,
  });
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Checked);
}

describe('examples/scale-out', () => {
  it('has a config that loads, and the ConfigMap holds the same config', async () => {
    const checked = await cli(['config', 'validate', '--config', join(example, 'config.yaml')]);
    expect(checked.code, checked.stderr).toBe(0);
    const mapText = readFileSync(join(example, 'kubernetes/configmap.yaml'), 'utf8');
    const embedded = /config\.yaml: \|\n((?: {4}.*\n?)+)/.exec(mapText)?.[1]?.replace(/^ {4}/gm, '');
    expect(embedded).toBeDefined();
    const parse = (text: string) => parseConfig(text, join(example, 'config.yaml'), { env: {} });
    expect(parse(embedded!)).toEqual(parse(readFileSync(join(example, 'config.yaml'), 'utf8')));
  });

  describe.skipIf(gate.skip)(gate.title('validated by their engines'), () => {
    it(
      'passes the Kubernetes schemas, the Argo workflow schema and an Airflow import',
      () => {
        const results = validate();
        expect(results.map((r) => r.kind).sort()).toEqual(
          ['airflow', 'argo', 'kubernetes', 'kubernetes', 'kubernetes', 'kubernetes'].sort(),
        );
        for (const result of results) expect(result.ok, `${result.file}: ${result.error}`).toBe(true);
        const dag = results.find((r) => r.kind === 'airflow')?.details;
        expect(dag).toEqual({ scm_sharded_rebuild: { shard: ['merge'], merge: [] } });
      },
      TIMEOUT_MS,
    );

    it(
      'rejects each manifest once a field is misspelt',
      () => {
        const results = validate('--broken');
        expect(results).toHaveLength(6);
        for (const result of results) expect(result.ok, result.file).toBe(false);
        const argo = results.find((r) => r.kind === 'argo');
        expect(argo?.error).toMatch(/'argz' was unexpected/);
      },
      TIMEOUT_MS,
    );
  });
});
