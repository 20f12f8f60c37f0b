import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('./fixtures/readme-example.ts', import.meta.url), 'utf8');

/** The first fenced block of `language` after `heading`. */
function block(heading: string, language: string): string {
  const start = readme.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf(`\`\`\`${language}\n`, start);
  const close = readme.indexOf('\n```', open + 4 + language.length);
  return readme.slice(open + 4 + language.length, close + 1);
}

describe('README', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the example that test/fixtures/readme-example.ts runs', () => {
    expect(block('## Example', 'ts')).toBe(example.replace("'../../src/index.js'", "'@scm/scaffold'"));
  });

  it('shows the output the example prints', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    await import('./fixtures/readme-example.js');
    expect(`${lines.join('\n')}\n`).toBe(block('Output:', 'text'));
  });
});
