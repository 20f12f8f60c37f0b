import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledSchemasDir, createValidator } from '../src/index.js';
import { clone, fixture } from './helpers.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(packageDir, 'scripts', 'vendor-schemas.mjs');
const sharedSchemas = join(packageDir, '../../../shared/schemas');

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('bundled schemas', () => {
  const dir = bundledSchemasDir();
  const files = listFiles(dir);

  it('live in the package folder, resolved from the module URL', () => {
    expect(dir).toBe(`${join(packageDir, 'schemas')}${sep}`);
    expect(files).toContain('SOURCES.md');
    expect(files.some((f) => f.startsWith('LICENSES/'))).toBe(true);
    expect(files.some((f) => f.startsWith('examples/'))).toBe(false);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(60);
  });

  it('are laid out by URL: each $id is https:// + its path (one published quirk aside)', () => {
    // STAC 1.1.0's published common.json says "$id": ".../commonjson" (sic); siblings $ref "common.json".
    const quirks: Record<string, string> = {
      'schemas.stacspec.org/v1.1.0/item-spec/json-schema/common.json':
        'https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/commonjson',
    };
    const validator = createValidator();
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $id?: string };
      expect(schema.$id?.replace(/#$/, ''), file).toBe(quirks[file] ?? `https://${file}`);
      expect(validator.hasSchema(`https://${file}`), file).toBe(true);
    }
  });

  it('every bundled extension schema compiles offline (all $refs resolve)', () => {
    const validator = createValidator({ checkDuplicateIds: false });
    const item = fixture('stac-spec-core-item.json');
    const extensions = files
      .filter((f) => f.endsWith('/schema.json') && !f.startsWith('schemas.stacspec.org/'))
      .map((f) => `https://${f}`);
    expect(extensions.length).toBeGreaterThanOrEqual(35);
    for (const uri of extensions) {
      const report = validator.validate({ ...clone(item), stac_extensions: [uri] });
      expect(
        report.errors.filter((e) => e.kind === 'schema_unresolved'),
        uri,
      ).toEqual([]);
    }
  });
});

describe('npm run vendor-schemas', () => {
  function fakeSource(): string {
    const root = mkdtempSync(join(tmpdir(), 'scm-vendor-src-'));
    temp.push(root);
    const schema = '{"$id":"https://example.com/ext/v1.0.0/schema.json#","type":"object"}\n';
    const sha = createHash('sha256').update(schema).digest('hex');
    mkdirSync(join(root, 'example.com/ext/v1.0.0'), { recursive: true });
    mkdirSync(join(root, 'examples'), { recursive: true });
    mkdirSync(join(root, 'LICENSES'), { recursive: true });
    writeFileSync(join(root, 'example.com/ext/v1.0.0/schema.json'), schema);
    writeFileSync(join(root, 'examples/item.json'), '{}');
    writeFileSync(join(root, 'LICENSES/example.LICENSE'), 'licence text');
    writeFileSync(
      join(root, 'SOURCES.md'),
      `| File | SHA-256 |\n| --- | --- |\n| \`example.com/ext/v1.0.0/schema.json\` | \`${sha}\` |\n`,
    );
    return root;
  }

  it('copies schemas, LICENSES and SOURCES.md keeping the layout, without examples/', () => {
    const source = fakeSource();
    const target = join(mkdtempSync(join(tmpdir(), 'scm-vendor-dst-')), 'schemas');
    temp.push(dirname(target));
    execFileSync(process.execPath, [script, '--from', source, '--to', target], { stdio: 'pipe' });
    expect(listFiles(target)).toEqual([
      'LICENSES/example.LICENSE',
      'SOURCES.md',
      'example.com/ext/v1.0.0/schema.json',
    ]);
  });

  it('refuses a file whose SHA-256 differs from SOURCES.md', () => {
    const source = fakeSource();
    writeFileSync(join(source, 'example.com/ext/v1.0.0/schema.json'), '{"type":"string"}\n');
    const target = join(mkdtempSync(join(tmpdir(), 'scm-vendor-dst-')), 'schemas');
    temp.push(dirname(target));
    const run = spawnSync(process.execPath, [script, '--from', source, '--to', target], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SHA-256 differs/);
    expect(existsSync(target)).toBe(false);
  });

  it.skipIf(!existsSync(sharedSchemas))(
    'the committed copy matches shared/schemas (skipped in a clone without ../shared)',
    () => {
      const target = join(mkdtempSync(join(tmpdir(), 'scm-vendor-dst-')), 'schemas');
      temp.push(dirname(target));
      execFileSync(process.execPath, [script, '--to', target], { stdio: 'pipe' });
      const committed = bundledSchemasDir();
      const files = listFiles(target);
      expect(listFiles(committed)).toEqual(files);
      for (const file of files) {
        expect(readFileSync(join(committed, file)).equals(readFileSync(join(target, file))), file).toBe(true);
      }
    },
  );
});
