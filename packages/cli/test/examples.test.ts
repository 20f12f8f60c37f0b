import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/index.js';

const repo = new URL('../../../', import.meta.url).pathname;
const examples = join(repo, 'examples');

/** One command of a README and, for the last of its block, the exit code and lines it must print. */
interface ReadmeCommand {
  command: string;
  exitCode: number;
  expected: string[];
}

/**
 * The commands of the README's ```sh run blocks (a trailing `\` continues a
 * line). When the next fenced block is ```text exit=N, it holds the exit code
 * and output lines of that block's last command; every other command must
 * exit 0.
 */
function readmeCommands(markdown: string): ReadmeCommand[] {
  const blocks = [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: m[1]!.trim(),
    body: m[2]!,
  }));
  const commands: ReadmeCommand[] = [];
  blocks.forEach((block, i) => {
    if (block.info !== 'sh run') return;
    const lines = block.body
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .filter(Boolean);
    const next = blocks[i + 1];
    const expectation = next && /^text exit=(\d+)$/.exec(next.info);
    lines.forEach((command, j) => {
      const last = j === lines.length - 1 && expectation;
      commands.push({
        command,
        exitCode: last ? Number(expectation[1]) : 0,
        expected: last ? next.body.split('\n').filter(Boolean) : [],
      });
    });
  });
  return commands;
}

const readmes = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('example READMEs', () => {
  it('every example folder has a README with commands to run', () => {
    for (const name of readmes) {
      const file = join(examples, name, 'README.md');
      expect(existsSync(file), `${name}/README.md`).toBe(true);
      expect(readmeCommands(readFileSync(file, 'utf8')).length, name).toBeGreaterThan(0);
    }
  });

  it('npx stac-catalog-manager is linked to the built CLI', () => {
    const run = spawnSync('npx', ['stac-catalog-manager', '--version'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, npm_config_offline: 'true' },
    });
    expect(run.stdout.trim()).toBe(VERSION);
  });

  for (const name of readmes) {
    const file = join(examples, name, 'README.md');
    if (!existsSync(file)) continue;
    it(`${name}: each command runs from the repository root as documented`, { timeout: 300_000 }, () => {
      for (const { command, exitCode, expected } of readmeCommands(readFileSync(file, 'utf8'))) {
        expect(command, 'commands start with npx stac-catalog-manager').toMatch(/^npx stac-catalog-manager /);
        // Offline: npx must find the workspace's own command, never fetch one.
        const run = spawnSync('sh', ['-c', command], {
          cwd: repo,
          encoding: 'utf8',
          env: { ...process.env, npm_config_offline: 'true' },
        });
        expect(run.status, `${command}\n${run.stdout}\n${run.stderr}`).toBe(exitCode);
        const printed = run.stdout.split('\n').map((line) => line.trim());
        for (const line of expected) expect(printed, command).toContain(line.trim());
      }
    });
  }
});
