import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';

/** The subcommand lines of the top-level help: name and description. */
async function listedCommands(): Promise<{ name: string; line: string }[]> {
  const help = (await cli(['--help'])).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return section
    .split('\n')
    .slice(1)
    .filter((line) => /^ {2}[a-z]/.test(line))
    .map((line) => ({ name: line.trim().split(/\s+/)[0]!, line }));
}

describe('help marks what is not built yet', () => {
  it('lists update-metadata as available, with an example and its side files', async () => {
    const listed = await listedCommands();
    expect(listed.find((c) => c.name === 'update-metadata')?.line).not.toMatch(/not yet available/);
    const help = await cli(['update-metadata', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\$ stac-catalog-manager update-metadata --input .* --updates /);
    expect(help.stdout).toMatch(/transformation_audit\.json/);
  });

  it('gives every other command an example and no marker', async () => {
    for (const { name, line } of await listedCommands()) {
      if (name === 'help' || name === 'config' || /not yet available/.test(line)) continue;
      const help = await cli([name, '--help']);
      expect(help.stdout, name).toMatch(/Example:\n {2}\$ stac-catalog-manager /);
      expect(help.stdout, name).not.toMatch(/Not available in this version yet/);
    }
  });

  it('offers every rebuild mode without a marker, with examples', async () => {
    const help = (await cli(['rebuild-catalog', '--help'])).stdout;
    expect(help).not.toMatch(/not yet\s+available/);
    expect(help).toMatch(/--ids <ids>\s+targeted mode/);
    expect(help).toMatch(/\$ stac-catalog-manager rebuild-catalog .* --mode full/);
    expect(help).toMatch(/\$ stac-catalog-manager rebuild-catalog .* --mode incremental/);
  });

  it('says so on one line and exits 2 when targeted mode has no selection', async () => {
    const dir = tempDir();
    const config = join(dir, 'c.yaml');
    writeFileSync(
      config,
      `workflow: { name: t }\nsource: { type: local_files, paths: [${join(dir, 'none.ndjson')}] }\noutput: { format: [json], path: ${join(dir, 'out')} }\n`,
    );
    const mode = await cli(['rebuild-catalog', '--config', config, '--mode', 'targeted']);
    expect(mode.code).toBe(2);
    expect(mode.stderr.trim().split('\n')).toHaveLength(1);
    expect(mode.stderr).toMatch(/targeted mode needs a selection/);
  });

  it('refuses a malformed --bbox with exit 2 and the option named', async () => {
    const run = await cli(['rebuild-catalog', '--config', 'c.yaml', '--mode', 'targeted', '--bbox', '1,2,x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bbox: must be \[west, south, east, north\]/);
  });
});
