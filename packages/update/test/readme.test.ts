import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));

describe('README example', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs and prints what its comments say', async () => {
    const start = readme.indexOf('```js\n') + 6;
    const code = readme.slice(start, readme.indexOf('\n```', start));
    const file = join(mkdtempSync(join(tmpdir(), 'scm-update-readme-')), 'example.ts');
    writeFileSync(file, code.replace("'@scm/update'", JSON.stringify(source)));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import(/* @vite-ignore */ file);
    const promised = [...code.matchAll(/\/\/ (.+)$/gm)].map((m) => m[1]);
    expect(lines.map((l) => l.replace(/\s+/g, ' '))).toEqual(promised.map((l) => l?.replace(/\s+/g, ' ')));
  });
});
