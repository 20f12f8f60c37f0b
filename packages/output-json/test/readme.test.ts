import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { readJson, tempDir } from './helpers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function block(after: string, language: string): string {
  const start = readme.indexOf(after);
  const open = readme.indexOf(`\`\`\`${language}\n`, start);
  const close = readme.indexOf('\n```', open + 1);
  return readme.slice(open + language.length + 4, close + 1);
}

type Runner = (
  createJsonTreeWriter: typeof api.createJsonTreeWriter,
  console: { log: (line: string) => void },
) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => Runner;

describe('README', () => {
  it('example prints the output the README shows', async () => {
    const root = join(await tempDir(), 'out');
    const code = block('## Example', 'ts');
    expect(code).toContain("from '@scm/output-json'");
    const body = code
      .replace(/^import .*\n/m, '')
      .replace("root: 'out'", `root: ${JSON.stringify(root)}`)
      .replaceAll(' as const', ''); // the only TypeScript syntax in the example
    const printed: string[] = [];
    await new AsyncFunction('createJsonTreeWriter', 'console', body)(api.createJsonTreeWriter, {
      log: (line) => printed.push(line),
    });
    expect(`${printed.join('\n')}\n`).toBe(block('Output (', 'text'));
    const links = readJson<{ links: unknown[] }>(join(root, 'demo/scene~2F2/scene~2F2.json')).links;
    const shown = JSON.parse(`[${block('starts its links with', 'json')}]`) as unknown[];
    expect(shown).toEqual(links.slice(0, shown.length));
  });
});
