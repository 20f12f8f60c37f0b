import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

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

  it('marks the rebuild modes that are not built yet', async () => {
    const help = (await cli(['rebuild-catalog', '--help'])).stdout;
    expect(help).toMatch(/rebuild mode \(incremental, targeted: not yet\s+available\)/);
    expect(help).toMatch(/targeted mode, not yet available/);
    expect(help).toMatch(/\$ stac-catalog-manager rebuild-catalog .* --mode full/);
  });

  it('says so on one line and exits 2 when a marked mode runs', async () => {
    const mode = await cli(['rebuild-catalog', '--config', 'c.yaml', '--mode', 'incremental']);
    expect(mode.code).toBe(2);
    expect(mode.stderr.trim().split('\n')).toHaveLength(1);
  });
});
