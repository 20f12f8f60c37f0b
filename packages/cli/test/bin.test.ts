import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/index.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;

describe('the built binary', () => {
  it('exists (the test target builds it first)', () => {
    expect(existsSync(bin)).toBe(true);
  });
  it('runs as an executable with a shebang and maps errors to exit codes', () => {
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
    const missing = spawnSync(
      process.execPath,
      [bin, 'rebuild-catalog', '--config', '/nonexistent/config.yaml'],
      { encoding: 'utf8' },
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/SCM_CONFIG_NOT_FOUND/);
  });

  it('treats a reader that closes stdout early (`| head -1`) as no error', async () => {
    const config = resolve(bin, '../../../../examples/quickstart/config.yaml');
    const child = spawn(process.execPath, [bin, 'rebuild-catalog', '--config', config, '--dry-run', '-q'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reading end is gone before the CLI prints anything: every stdout write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
