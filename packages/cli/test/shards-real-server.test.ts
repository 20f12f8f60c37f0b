/**
 * Issue 13's acceptance against the real STAC API (stac-fastapi-pgstac, see
 * tools/stac-server/): four `rebuild-catalog` processes started the way a
 * Kubernetes Indexed Job starts its pods (`JOB_COMPLETION_INDEX=0..3` with
 * `--shard-count 4`), then `merge-shards`: the catalog equals a
 * single-process rebuild item for item in every format (JSON tree, NDJSON,
 * stac-geoparquet read back by pyarrow). A shard killed with SIGKILL and run
 * again, then merged again, gives the same catalog.
 *
 * To keep the suite to a few minutes on a loaded machine, the harvest is
 * limited to half a year of the synthetic HLS collection (about 1,400 items).
 * Runs the built CLI (dist/bin.js); without the server the suite is skipped
 * with its reason, and under SCM_REQUIRE_INTEGRATION=1 that is a failure.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { integrationGate } from '@scm/testing/gate';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import {
  catalogItems,
  run,
  serverUrl,
  stacServerUnavailable,
  writeConfig as configFile,
} from './shards-helpers.js';

const TIMEOUT_MS = 900_000;
const COUNT = 4;

const gate = integrationGate('real STAC API sharding suite', stacServerUnavailable);

function writeConfig(dir: string, out: string): string {
  return configFile(dir, out, out, '2020-01-01', '2020-06-30');
}

/** Bytes the shard's checkpointed harvest has written so far. */
function harvested(out: string, index: number): number {
  const file = join(out, 'shards', `.${index}.harvest`, 'items.ndjson');
  return existsSync(file) ? statSync(file).size : 0;
}

describe('sharded rebuild against a real STAC API', () => {
  describe.skipIf(gate.skip)(gate.title(`at ${serverUrl}`), () => {
    it(
      'four Indexed-Job shards merge into the single-process catalog; a killed shard re-run merges the same',
      async () => {
        const dir = tempDir('scm-shards-real-');
        const single = await run(['rebuild-catalog', '--config', writeConfig(dir, 'single')], dir);
        expect(single.code, single.stderr).toBe(0);
        const config = writeConfig(dir, 'sharded');
        const shards = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            run(['rebuild-catalog', '--config', config, '--shard-count', String(COUNT)], dir, {
              JOB_COMPLETION_INDEX: String(k),
            }),
          ),
        );
        for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
        const merged = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(merged.code, merged.stderr).toBe(0);

        const expected = catalogItems(join(dir, 'single'));
        expect(expected.ndjson.length).toBeGreaterThan(1000);
        const first = catalogItems(join(dir, 'sharded'));
        expect(first).toEqual(expected);
        const summary = JSON.parse(readFileSync(join(dir, 'sharded', 'summary.json'), 'utf8'));
        expect(summary.succeeded).toBe(expected.ndjson.length);

        // Shard 2 again, killed once its harvest has written some items, then run to the end with --resume.
        const out = join(dir, 'sharded');
        rmSync(join(out, 'shards', '2', 'shard.json'));
        const killed = await run(
          ['rebuild-catalog', '--config', config, '--shard', `2/${COUNT}`],
          dir,
          {},
          () => harvested(out, 2) > 0,
        );
        expect(killed.signal, killed.stderr).toBe('SIGKILL');
        const leftovers = () => readdirSync(join(out, 'shards')).filter((n) => n.startsWith('.2.staging-'));
        expect(leftovers()).not.toEqual([]);
        const refused = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/missing \(not finished\): 2 of 4 shards/);
        const resumed = await run(
          ['rebuild-catalog', '--config', config, '--shard', `2/${COUNT}`, '--resume'],
          dir,
        );
        expect(resumed.code, resumed.stderr).toBe(0);
        // The rerun cleared the staging folder the killed run left.
        expect(leftovers()).toEqual([]);
        const again = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(again.code, again.stderr).toBe(0);
        expect(catalogItems(out)).toEqual(expected);
      },
      TIMEOUT_MS,
    );
  });
});
