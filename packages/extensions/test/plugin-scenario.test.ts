// PRD scenario 5: a custom extension written outside the repository is discovered, loaded, applied from
// config, and validated with its own schema, without any change to the toolkit.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defineExtension,
  EXTENSION_CONTRACT_VERSION,
  isScmError,
  type ScmError,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { testExtension } from '@scm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyExtensions,
  discoverExtensions,
  type LoadExtensionsOptions,
  loadExtensions,
} from '../src/index.js';
import { memoryLogger } from './helpers/logger.js';
import { coreErrors, createStacAjv, readJson, schemaErrors } from './helpers/stac-ajv.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const exampleDir = path.resolve(here, '../../../examples/plugin-extension');
const coreDir = path.resolve(here, '../../core');
const DEMO_URI = 'https://example.com/stac-extensions/demo/v1.0.0/schema.json';
const items = readJson<{ features: StacItem[] }>('items/earth-search-search-post-page1.json').features;
const demoSchema = JSON.parse(readFileSync(path.join(exampleDir, 'schema.json'), 'utf8'));

const builtin = defineExtension({
  name: 'builtin-one',
  prefix: 'b1',
  schemaUris: ['https://example.com/b1/v1.0.0/schema.json'],
  configSchema: true,
  applyToItem: (item) => ({
    ...item,
    stac_extensions: withStacExtension(item.stac_extensions, 'https://example.com/b1/v1.0.0/schema.json'),
    properties: { ...item.properties, 'b1:on': true },
  }),
});

let tmp: string;

/** Copies the example plugin into `dir`, optionally with another package.json name and entry. */
function installDemo(dir: string, patch: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const file of ['definition.mjs', 'index.mjs', 'with-core.mjs', 'schema.json']) {
    cpSync(path.join(exampleDir, file), path.join(dir, file));
  }
  const pkg = { ...JSON.parse(readFileSync(path.join(exampleDir, 'package.json'), 'utf8')), ...patch };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

/**
 * Makes `@scm/core` importable from `nodeModules` the way an installed copy would be: its built `dist/`
 * (symlinked from this repository) behind a plain `exports` map. Symlinking the whole package would not do
 * under vitest, which runs Node with the `@scm/source` condition and would resolve to TypeScript sources.
 */
function linkCore(nodeModules: string): void {
  const target = path.join(nodeModules, '@scm', 'core');
  const dist = path.join(coreDir, 'dist', 'index.js');
  if (!existsSync(dist))
    throw new Error(`${dist} is missing: build @scm/core first (nx builds it before tests)`);
  mkdirSync(target, { recursive: true });
  symlinkSync(path.join(coreDir, 'dist'), path.join(target, 'dist'), 'dir');
  writeFileSync(
    path.join(target, 'package.json'),
    JSON.stringify({ name: '@scm/core', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
  );
}

function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Options that search only what a test sets up (no home folder, no walk from the real cwd). */
function isolated(extra: LoadExtensionsOptions): LoadExtensionsOptions {
  return { extensionsDir: null, nodeModulesDirs: [], builtins: [builtin], ...extra };
}

async function loadError(options: LoadExtensionsOptions): Promise<ScmError> {
  try {
    await loadExtensions(options);
  } catch (error) {
    if (isScmError(error)) return error;
    throw error;
  }
  throw new Error('loadExtensions did not throw');
}

function expectDemoApplied(loaded: Awaited<ReturnType<typeof loadExtensions>>, label: string) {
  const ajv = createStacAjv([demoSchema]);
  for (const item of items) {
    const result = applyExtensions(item, loaded);
    expect(result.ok).toBe(true);
    if (!result.ok) continue;
    const out = result.value;
    expect(out.properties['demo:label']).toBe(label);
    expect(out.properties['demo:asset_count']).toBe(Object.keys(item.assets).length);
    expect(out.stac_extensions?.filter((u) => u === DEMO_URI)).toHaveLength(1);
    expect(schemaErrors(ajv, DEMO_URI, out)).toEqual([]);
    expect(coreErrors(ajv, out)).toEqual([]);
  }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'scm-plugin-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('scenario 5: (a) an npm package installed in node_modules', () => {
  it('finds scm-extension-demo (plain definition, no imports) and applies it from config', async () => {
    const nm = path.join(tmp, 'a1', 'node_modules');
    installDemo(path.join(nm, 'scm-extension-demo'));
    const loaded = await loadExtensions(
      isolated({ nodeModulesDirs: [nm], extensions: [{ name: 'demo', config: { label: 'from npm' } }] }),
    );
    expect(loaded.map((l) => l.extension.name)).toEqual(['demo']);
    expect(loaded[0]!.origin).toEqual({
      kind: 'node_modules',
      file: path.join(nm, 'scm-extension-demo', 'index.mjs'),
      packageName: 'scm-extension-demo',
    });
    expect(loaded[0]!.extension.contractVersion).toBe(EXTENSION_CONTRACT_VERSION);
    expectDemoApplied(loaded, 'from npm');
  });

  it('finds a scoped package built with defineExtension from @scm/core (core symlinked)', async () => {
    const nm = path.join(tmp, 'a2', 'node_modules');
    installDemo(path.join(nm, '@acme', 'scm-extension-demo'), {
      name: '@acme/scm-extension-demo',
      exports: { '.': { import: './with-core.mjs' } },
    });
    linkCore(nm);
    const loaded = await loadExtensions(
      isolated({ nodeModulesDirs: [nm], extensions: [{ name: 'demo', config: { label: 'scoped' } }] }),
    );
    expect(loaded[0]!.origin.file).toBe(path.join(nm, '@acme', 'scm-extension-demo', 'with-core.mjs'));
    expect(loaded[0]!.origin.packageName).toBe('@acme/scm-extension-demo');
    expectDemoApplied(loaded, 'scoped');
  });

  it('finds a package by its keyword when its name does not follow the pattern', async () => {
    const nm = path.join(tmp, 'a3', 'node_modules');
    installDemo(path.join(nm, 'acme-stac-tools'), { name: 'acme-stac-tools' });
    write(path.join(nm, 'left-pad', 'package.json'), JSON.stringify({ name: 'left-pad', main: 'index.js' }));
    write(path.join(nm, 'left-pad', 'index.js'), 'throw new Error("must never be imported");\n');
    expect(
      discoverExtensions({ nodeModulesDirs: [nm], extensionsDir: null }).map((c) => c.packageName),
    ).toEqual(['acme-stac-tools']);
    const loaded = await loadExtensions(
      isolated({ nodeModulesDirs: [nm], extensions: [{ name: 'demo', config: { label: 'kw' } }] }),
    );
    expect(loaded[0]!.origin.packageName).toBe('acme-stac-tools');
  });

  it('walks up from the working folder by default', async () => {
    const root = path.join(tmp, 'a4');
    installDemo(path.join(root, 'node_modules', 'scm-extension-demo'));
    const cwd = path.join(root, 'project', 'deep');
    mkdirSync(cwd, { recursive: true });
    const loaded = await loadExtensions({
      cwd,
      cliDir: path.join(tmp, 'no-cli-here'),
      extensionsDir: null,
      extensions: [{ name: 'demo', config: { label: 'walked' } }],
    });
    expect(loaded[0]!.origin.file).toBe(path.join(root, 'node_modules', 'scm-extension-demo', 'index.mjs'));
  });
});

describe('scenario 5: (b) the extensions folder', () => {
  it('uses ~/.stac-catalog-manager/extensions by default: a folder with package.json', async () => {
    const home = path.join(tmp, 'b1-home');
    installDemo(path.join(home, '.stac-catalog-manager', 'extensions', 'demo'));
    const loaded = await loadExtensions({
      homeDir: home,
      nodeModulesDirs: [],
      extensions: [{ name: 'demo', config: { label: 'home' } }],
    });
    expect(loaded[0]!.origin.kind).toBe('extensions_dir');
    expectDemoApplied(loaded, 'home');
  });

  it('uses the config extensions_dir, with single-file plugins named after the file', async () => {
    const dir = path.join(tmp, 'b2-extensions');
    write(
      path.join(dir, 'stamp.mjs'),
      [
        "const URI = 'https://example.com/stamp/v1.0.0/schema.json';",
        'export default {',
        "  name: 'stamp', prefix: 'stamp', schemaUris: [URI],",
        "  configSchema: { type: 'object', properties: { by: { type: 'string' } } },",
        '  applyToItem(item, { config }) {',
        '    const exts = [...(item.stac_extensions ?? []).filter((u) => u !== URI), URI];',
        "    return { ...item, stac_extensions: exts, properties: { ...item.properties, 'stamp:by': config.by ?? 'scm' } };",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    installDemo(path.join(dir, 'demo'));
    const loaded = await loadExtensions(
      isolated({
        extensionsDir: dir,
        extensions: [
          { name: 'builtin-one' },
          { name: 'stamp', config: { by: 'me' } },
          { name: 'demo', config: { label: 'dir' } },
        ],
      }),
    );
    expect(loaded.map((l) => `${l.extension.name}:${l.origin.kind}`)).toEqual([
      'builtin-one:builtin',
      'stamp:extensions_dir',
      'demo:extensions_dir',
    ]);
    const result = applyExtensions(items[0]!, loaded);
    expect(result.ok && result.value.properties).toMatchObject({
      'b1:on': true,
      'stamp:by': 'me',
      'demo:label': 'dir',
    });
    expect(testExtension(loaded[1]!.extension, { items, config: { by: 'x' } })).toEqual([]);
  });

  it('does not look anywhere else: a plugin outside the three places is not found', async () => {
    installDemo(path.join(tmp, 'b3-elsewhere', 'demo'));
    const error = await loadError(
      isolated({ cwd: path.join(tmp, 'b3-elsewhere'), extensions: [{ name: 'demo' }] }),
    );
    expect(error.code).toBe('SCM_EXTENSION_NOT_FOUND');
    expect(error.message).toMatch(/no extension named "demo"; available: builtin-one\./);
  });
});

describe('scenario 5: (c) an explicit module path in the config', () => {
  it('loads a file or a package folder relative to the config folder', async () => {
    const project = path.join(tmp, 'c1-project');
    installDemo(path.join(project, 'plugins', 'demo'));
    for (const module of ['./plugins/demo/index.mjs', './plugins/demo', 'plugins/demo/index']) {
      const loaded = await loadExtensions(
        isolated({ baseDir: project, extensions: [{ name: 'demo', module, config: { label: 'explicit' } }] }),
      );
      expect(loaded[0]!.origin).toEqual({
        kind: 'module',
        file: path.join(project, 'plugins', 'demo', 'index.mjs'),
      });
      expectDemoApplied(loaded, 'explicit');
    }
  });

  it('loads the defineExtension variant from a module path, with @scm/core next to it', async () => {
    const project = path.join(tmp, 'c1b-project');
    installDemo(path.join(project, 'plugins', 'demo'));
    linkCore(path.join(project, 'node_modules'));
    const loaded = await loadExtensions(
      isolated({
        baseDir: project,
        extensions: [{ name: 'demo', module: 'plugins/demo/with-core.mjs', config: { label: 'core' } }],
      }),
    );
    expect(Object.isFrozen(loaded[0]!.extension)).toBe(true);
    expectDemoApplied(loaded, 'core');
  });

  it('checks the plugin config with its configSchema before anything runs', async () => {
    const project = path.join(tmp, 'c2-project');
    installDemo(path.join(project, 'demo'));
    const error = await loadError(
      isolated({
        baseDir: project,
        extensions: [{ name: 'demo', module: './demo', config: { label: '', colour: 1 } }],
      }),
    );
    expect(error.code).toBe('SCM_EXTENSION_CONFIG');
    expect(error.message).toMatch(/extension "demo": invalid config at extensions\[0\]\.config\.colour/);
    expect(error.details?.problems).toEqual([
      { path: 'extensions[0].config.colour', message: 'is not a known option', severity: 'error' },
      {
        path: 'extensions[0].config.label',
        message: 'must NOT have fewer than 1 characters',
        severity: 'error',
      },
    ]);
  });

  it('refuses a plugin that takes the name of a built-in', async () => {
    const file = write(
      path.join(tmp, 'c3', 'impostor.mjs'),
      "export default { name: 'builtin-one', prefix: 'b1', schemaUris: ['https://example.com/x.json'], configSchema: true, applyToItem: (i) => i };\n",
    );
    const error = await loadError(isolated({ extensions: [{ name: 'builtin-one', module: file }] }));
    expect(error.code).toBe('SCM_EXTENSION_LOAD');
    expect(error.message).toMatch(/already registered/);
    expect(error.details).toEqual({ name: 'builtin-one', file });
  });
});

describe('scenario 5: broken plugins', () => {
  const broken: [string, string, RegExp][] = [
    [
      'syntax',
      'export default {\n  name: "syntax",,\n};\n',
      /could not be imported: .*(Unexpected|SyntaxError|Parse)/i,
    ],
    [
      'throws',
      'throw new Error("cannot start: missing credentials");\n',
      /could not be imported: cannot start: missing credentials/,
    ],
    [
      'bad-def',
      "export default { name: 'bad-def', prefix: 'bad', schemaUris: ['https://example.com/s.json'], configSchema: true };\n",
      /is not a valid extension: .*applyToItem must be a function/,
    ],
    [
      'future',
      "export default { name: 'future', prefix: 'f', schemaUris: ['https://example.com/s.json'], configSchema: true, applyToItem: (i) => i, contractVersion: 99 };\n",
      /built for extension contract 99/,
    ],
    ['empty', 'export const unrelated = 1;\n', /exports no extension/],
    [
      'renamed',
      "export default { name: 'other-name', prefix: 'o', schemaUris: ['https://example.com/s.json'], configSchema: true, applyToItem: (i) => i };\n",
      /declares the name "other-name", not "renamed"/,
    ],
  ];

  it.each(broken)(
    'a %s plugin gives SCM_EXTENSION_LOAD naming the plugin and its file',
    async (name, source, message) => {
      const dir = path.join(tmp, `broken-${name}`);
      const file = write(path.join(dir, `${name}.mjs`), source);
      const error = await loadError(isolated({ extensionsDir: dir, extensions: [{ name }] }));
      expect(error.code).toBe('SCM_EXTENSION_LOAD');
      expect(error.message).toContain(`extension plugin "${name}" (${file})`);
      expect(error.message).toMatch(message);
      expect(error.details).toEqual({ name, file });
    },
  );

  it('with optional: true the run goes on without the plugin, with a warning', async () => {
    const dir = path.join(tmp, 'optional');
    write(path.join(dir, 'flaky.mjs'), 'throw new Error("boom at import");\n');
    installDemo(path.join(dir, 'demo'));
    const logger = memoryLogger();
    const loaded = await loadExtensions(
      isolated({
        extensionsDir: dir,
        logger,
        extensions: [
          { name: 'flaky', optional: true },
          { name: 'missing', optional: true },
          { name: 'demo', config: { label: 'still here' } },
        ],
      }),
    );
    expect(loaded.map((l) => l.extension.name)).toEqual(['demo']);
    expectDemoApplied(loaded, 'still here');
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `optional extension "flaky" skipped: .*${path.join(dir, 'flaky.mjs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*boom at import`,
        ),
      ),
      expect.stringMatching(/optional extension "missing" skipped: .*no extension named "missing"/),
    ]);
  });

  it('the optional option makes every entry optional; without it the error is fatal', async () => {
    const dir = path.join(tmp, 'optional-all');
    write(path.join(dir, 'flaky.mjs'), 'throw new Error("boom");\n');
    const options = isolated({
      extensionsDir: dir,
      extensions: [{ name: 'flaky' }, { name: 'builtin-one' }],
    });
    await expect(loadExtensions(options)).rejects.toMatchObject({ code: 'SCM_EXTENSION_LOAD' });
    const loaded = await loadExtensions({ ...options, optional: true });
    expect(loaded.map((l) => l.extension.name)).toEqual(['builtin-one']);
  });

  it('an unrequested broken plugin does not stop the search for another name', async () => {
    const dir = path.join(tmp, 'search');
    write(path.join(dir, 'aa-broken.mjs'), 'export default {;\n');
    installDemo(path.join(dir, 'not-named-demo'), { name: 'acme-things' });
    const logger = memoryLogger();
    const loaded = await loadExtensions(
      isolated({ extensionsDir: dir, logger, extensions: [{ name: 'demo', config: { label: 'x' } }] }),
    );
    expect(loaded[0]!.origin.packageName).toBe('acme-things');
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('aa-broken.mjs'))).toBe(true);
  });
});

describe('loadExtensions entries', () => {
  it('lists what is available when a name is unknown', async () => {
    const dir = path.join(tmp, 'available');
    installDemo(path.join(dir, 'demo'));
    const error = await loadError(isolated({ extensionsDir: dir, extensions: [{ name: 'custom-ext' }] }));
    expect(error.code).toBe('SCM_EXTENSION_NOT_FOUND');
    expect(error.details).toEqual({ name: 'custom-ext', available: ['builtin-one', 'demo'] });
    expect(error.location?.path).toBe('extensions[0]');
  });

  it('refuses entries without a name and names listed twice', async () => {
    await expect(loadExtensions(isolated({ extensions: [{} as never] }))).rejects.toMatchObject({
      code: 'SCM_EXTENSION_CONFIG',
      message: 'extensions[0]: an extension entry needs a "name"',
    });
    await expect(
      loadExtensions(isolated({ extensions: [{ name: 'builtin-one' }, { name: 'builtin-one' }] })),
    ).rejects.toMatchObject({ code: 'SCM_EXTENSION_CONFIG', message: expect.stringMatching(/listed twice/) });
  });
});
