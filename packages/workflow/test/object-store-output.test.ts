/** What an `s3://` output path changes before anything is written (the publish itself: @scm/object-store, shards-s3 test). */
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const config = parseConfig(
  `workflow: { name: s3 }
source: { type: local_files, paths: [${join(repoRoot, 'examples/quickstart/data')}] }
output: { format: [json], path: s3://bucket/catalogs/hls }
`,
  '/somewhere/config.yaml',
  { env: {} },
);

describe('rebuildCatalog with an s3:// output', () => {
  it('keeps the URL as given (not a path beside the config file)', () => {
    expect(config.output.path).toBe('s3://bucket/catalogs/hls');
  });

  it.each(['incremental', 'targeted'] as const)(
    'refuses --mode %s, which needs the catalog on disk',
    async (mode) => {
      await expect(rebuildCatalog(config, { mode, env: {} })).rejects.toMatchObject({
        code: 'SCM_USAGE',
        message: expect.stringContaining('s3://bucket/catalogs/hls'),
      });
    },
  );
});
