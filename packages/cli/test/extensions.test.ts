import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, stacValidatorOracle, tempDir } from './helpers.js';

const repo = resolve(new URL('.', import.meta.url).pathname, '../../..');
const example = join(repo, 'examples/extensions');
const oracle = stacValidatorOracle();

const DGEO =
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/refs/heads/pgstac-variant/json-schema/schema.json';
const ALTERNATE = 'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json';

async function extend(
  input: string,
): Promise<{ code: number; out: string; features: Record<string, unknown>[]; stdout: string }> {
  const dir = tempDir('scm-extend-');
  const out = join(dir, 'items.json');
  const run = await cli([
    'apply-extensions',
    '--input',
    join(example, input),
    '--extension',
    'dgeo',
    'alternate-assets',
    '--extension-config',
    join(example, 'extensions.yaml'),
    '--output-path',
    out,
  ]);
  const features = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).features : [];
  return { code: run.code, out, features, stdout: run.stdout + run.stderr };
}

describe('apply-extensions on real items', () => {
  it('adds dgeo from the IPFS alternates and an S3 alternate, each URI once, and the result validates', async () => {
    const { code, features, out, stdout } = await extend('easierdata-item.json');
    expect(stdout).toMatch(/processed 1, succeeded 1, failed 0/);
    expect(code).toBe(0);
    const item = features[0] as {
      stac_extensions: string[];
      properties: Record<string, unknown>;
      assets: Record<string, Record<string, unknown>>;
    };
    expect(item.stac_extensions.filter((u) => u === DGEO)).toHaveLength(1);
    expect(item.stac_extensions.filter((u) => u === ALTERNATE)).toHaveLength(1);
    expect(item.properties['dgeo:cids']).toContain(
      'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
    );
    expect(item.properties['dgeo:piece_cids']).toContain(
      'baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq',
    );
    expect(item.assets.B02!['dgeo:cid']).toBe('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi');
    const validate = await cli(['validate', '--input', out]);
    expect(validate.stdout).toMatch(/1 object\(s\): 1 valid, 0 invalid/);
  });

  it('is idempotent: extending the output again changes nothing', async () => {
    const first = await extend('easierdata-item.json');
    const dir = tempDir('scm-extend-again-');
    const again = join(dir, 'items.json');
    await cli([
      'apply-extensions',
      '--input',
      first.out,
      '--extension',
      'dgeo',
      'alternate-assets',
      '--extension-config',
      join(example, 'extensions.yaml'),
      '--output-path',
      again,
      '--quiet',
    ]);
    expect(JSON.parse(readFileSync(again, 'utf8')).features).toEqual(first.features);
  });

  it('leaves dgeo off CMR items that carry no content identifier, and still adds the S3 alternates', async () => {
    const { features, stdout } = await extend('cmr-items.ndjson');
    expect(stdout).toMatch(/processed 2, succeeded 2, failed 0/);
    for (const item of features as {
      stac_extensions: string[];
      assets: Record<string, { alternate?: Record<string, { href: string }> }>;
    }[]) {
      expect(item.stac_extensions).toContain(ALTERNATE);
      expect(item.stac_extensions).not.toContain(DGEO);
      expect(item.assets.B02!.alternate!.s3!.href).toMatch(/^s3:\/\/lp-prod-protected\//);
    }
  });

  it.skipIf(oracle.skip)(
    'the Python stac-validator agrees the extended items are valid (skipped without the .venv oracle)',
    async () => {
      const { out } = await extend('easierdata-item.json');
      const run = await cli(['validate', '--engine', 'stac-validator', '--input', out], {
        env: { SCM_PYTHON_VENV: process.env.SCM_PYTHON_VENV },
      });
      expect(run.stderr).not.toMatch(/error|warn/i);
      expect(run.stdout).toMatch(/1 object\(s\): 1 valid, 0 invalid \(engine: stac-validator\)/);
    },
  );
});
