import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('error messages say a thing once', () => {
  it('names the config location and key path once', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      'workflow: { name: x }\nsource:\n  type: local_files\n  paths: [a.json]\noutput:\n  format: [json]\n  path: 7\n',
    );
    const run = await cli(['config', 'validate', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `error [SCM_CONFIG_INVALID]: ${config}:7:9 output.path: must be string (found a number)`,
    );
    expect(occurrences(run.stderr, 'output.path')).toBe(1);
  });

  it('lists several config problems under one heading, each location once', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      'workflow: { name: x }\nsource:\n  type: local_files\n  paths: [a.json]\noutput:\n  format: [json]\n  path: 7\nvalidation: { level: loose }\n',
    );
    const run = await cli(['config', 'validate', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error \[SCM_CONFIG_INVALID\]: \S+config\.yaml is not a valid/);
    expect(occurrences(run.stderr, ':7:9')).toBe(1);
    expect(occurrences(run.stderr, 'output.path')).toBe(1);
  });
});
