/**
 * The sharding flags of rebuild-catalog and the merge-shards command, on the
 * quickstart's real items (a local source: file groups). The real-server
 * acceptance is in shards-real-server.test.ts.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot, tempDir } from './helpers.js';

function quickstartCopy(): string {
  const dir = tempDir('scm-shards-cli-');
  cpSync(join(repoRoot, 'examples/quickstart/data'), join(dir, 'data'), { recursive: true });
  cpSync(join(repoRoot, 'examples/quickstart/config.yaml'), join(dir, 'config.yaml'));
  return dir;
}

describe('rebuild-catalog --shard and merge-shards', () => {
  it('rejects a shard that does not exist, before anything is written (exit 2)', async () => {
    const dir = quickstartCopy();
    const run = await cli(['rebuild-catalog', '--config', 'config.yaml', '--shard', '2/2'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--shard: shard 2 does not exist among 2 \(0 to 1\)/);
    const index = await cli(['rebuild-catalog', '--config', 'config.yaml', '--shard-count', '2'], {
      cwd: dir,
    });
    expect(index.code).toBe(2);
    expect(index.stderr).toMatch(/JOB_COMPLETION_INDEX/);
    expect(existsSync(join(dir, 'output'))).toBe(false);
  });

  it('runs the shards named by SCM_SHARD and JOB_COMPLETION_INDEX, then merges them', async () => {
    const dir = quickstartCopy();
    const first = await cli(['rebuild-catalog', '--config', 'config.yaml'], {
      cwd: dir,
      env: { SCM_SHARD: '0/2' },
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^shard 0\/2: rebuild-catalog \(full\)/);
    const early = await cli(['merge-shards', '--output-path', 'output'], { cwd: dir });
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/missing \(not finished\): 1 of 2 shards/);
    const second = await cli(['rebuild-catalog', '--config', 'config.yaml', '--shard-count', '2'], {
      cwd: dir,
      env: { JOB_COMPLETION_INDEX: '1' },
    });
    expect(second.code, second.stderr).toBe(0);
    const merged = await cli(['merge-shards', '--output-path', 'output'], { cwd: dir });
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merge-shards \(full\): processed 24, succeeded 24, failed 0/);
    expect(merged.stdout).toMatch(/merged shards 0, 1 of 2/);
    const summary = JSON.parse(readFileSync(join(dir, 'output', 'summary.json'), 'utf8'));
    expect(summary.succeeded).toBe(24);
    expect(existsSync(join(dir, 'output', 'catalog.json'))).toBe(true);
    expect(existsSync(join(dir, 'output', 'shards', '1', 'shard.json'))).toBe(true);
  });
});
