import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const repo = new URL('../../../', import.meta.url).pathname;
const packageDirs = readdirSync(join(repo, 'packages')).filter((dir) =>
  existsSync(join(repo, 'packages', dir, 'package.json')),
);
/** npm runs two hook processes per package; on a loaded machine that takes a while. */
const PACKING_TIMEOUT_MS = 300_000;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The environment without the npm_* settings of an npm that may be running these tests. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

/**
 * A copy of the monorepo's shape (root LICENSE, the pack hook script, every
 * package's manifest and docs) in a temp folder, so that packing runs the real
 * hooks without touching the repository's package.json files while other
 * tests read them.
 */
function copyOfTheRepository(): string {
  const root = tempDir('scm-publish-');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/*'] }));
  cpSync(join(repo, 'LICENSE'), join(root, 'LICENSE'));
  cpSync(join(repo, 'tools/publish-manifest.mjs'), join(root, 'tools/publish-manifest.mjs'));
  for (const dir of packageDirs) {
    mkdirSync(join(root, 'packages', dir), { recursive: true });
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md']) {
      const from = join(repo, 'packages', dir, file);
      if (existsSync(from)) cpSync(from, join(root, 'packages', dir, file));
    }
  }
  return root;
}

function tarEntry(tarball: string, entry: string): string {
  return execFileSync('tar', ['-xOzf', tarball, `package/${entry}`], { encoding: 'utf8' });
}

describe('the packages as npm packs them', () => {
  let root = '';
  let destination = '';
  let packed: Array<{ name: string; filename: string; files: Array<{ path: string }> }> = [];
  beforeAll(() => {
    root = copyOfTheRepository();
    destination = join(root, 'tarballs');
    mkdirSync(destination);
    const json = execFileSync(npm, ['pack', '--workspaces', '--json', '--pack-destination', destination], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: cleanEnv,
    });
    packed = JSON.parse(json);
  }, PACKING_TIMEOUT_MS);

  it('packs every package under packages/', () => {
    const names = packageDirs.map(
      (dir) => JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')).name,
    );
    expect(packed.map((p) => p.name).sort()).toEqual(names.sort());
  });

  it.each(packageDirs)('%s: the tarball ships the Apache-2.0 LICENSE', (dir) => {
    const tarball = packed.find((p) => p.name.endsWith(`/${dir}`));
    expect(tarball?.files.map((f) => f.path)).toContain('LICENSE');
    const license = tarEntry(join(destination, tarball?.filename ?? ''), 'LICENSE');
    expect(license).toBe(readFileSync(join(repo, 'LICENSE'), 'utf8'));
    expect(license).toMatch(/Apache License\s+Version 2\.0/);
  });

  it.each(packageDirs)('%s: the published manifest has no @scm/source condition and no pack hooks', (dir) => {
    const tarball = packed.find((p) => p.name.endsWith(`/${dir}`));
    const manifest = JSON.parse(tarEntry(join(destination, tarball?.filename ?? ''), 'package.json'));
    const inRepo = JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8'));
    expect(JSON.stringify(manifest.exports)).not.toContain('@scm/source');
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(manifest.scripts?.prepack).toBeUndefined();
    expect(manifest.dependencies).toEqual(inRepo.dependencies);
    expect(manifest.version).toBe(inRepo.version);
  });

  it('leaves every package folder as it was: same package.json, no LICENSE copy', () => {
    for (const dir of packageDirs) {
      const folder = join(root, 'packages', dir);
      expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe(
        readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8'),
      );
      expect(readdirSync(folder).sort()).toEqual(
        ['CHANGELOG.md', 'README.md', 'package.json'].filter((f) => existsSync(join(folder, f))),
      );
    }
  });

  it(
    'a prepack after an interrupted pack restores the repository manifest first',
    () => {
      const folder = join(root, 'packages', 'core');
      const hook = join(root, 'tools/publish-manifest.mjs');
      execFileSync(process.execPath, [hook, 'prepack'], { cwd: folder, env: cleanEnv });
      execFileSync(process.execPath, [hook, 'prepack'], { cwd: folder, env: cleanEnv });
      execFileSync(process.execPath, [hook, 'postpack'], { cwd: folder, env: cleanEnv });
      expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe(
        readFileSync(join(repo, 'packages/core/package.json'), 'utf8'),
      );
      expect(existsSync(join(folder, 'LICENSE'))).toBe(false);
    },
    PACKING_TIMEOUT_MS,
  );
});

describe('npm publish', () => {
  it(
    'sends the registry the manifest it packs, then restores the package folder',
    () => {
      const root = copyOfTheRepository();
      const folder = join(root, 'packages', 'core');
      const manifestFile = join(folder, 'package.json');
      // The `publish` lifecycle runs after npm has read package.json for the
      // registry: a copy taken then is what the registry's metadata holds.
      const pkg = JSON.parse(readFileSync(manifestFile, 'utf8'));
      pkg.scripts.publish = `node -e "require('fs').copyFileSync('package.json', '../sent.json')"`;
      writeFileSync(manifestFile, `${JSON.stringify(pkg, null, 2)}\n`);
      const before = readFileSync(manifestFile, 'utf8');
      const registry = 'http://127.0.0.1:9/'; // never reached: --dry-run --offline
      execFileSync(npm, ['publish', '--dry-run', '--offline', '--force', '--registry', registry], {
        cwd: folder,
        stdio: 'ignore',
        env: cleanEnv,
      });
      const sent = JSON.parse(readFileSync(join(root, 'packages', 'sent.json'), 'utf8'));
      expect(JSON.stringify(sent.exports)).not.toContain('@scm/source');
      expect(sent.scripts.postpublish).toBe('node ../../tools/publish-manifest.mjs postpublish');
      expect(readFileSync(manifestFile, 'utf8')).toBe(before);
      expect(existsSync(join(folder, 'LICENSE'))).toBe(false);
    },
    PACKING_TIMEOUT_MS,
  );
});

/** Packages named in the front matter of the changesets not applied yet. */
function packagesWithPendingChangesets(): Set<string> {
  const names = new Set<string>();
  const dir = join(repo, '.changeset');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const frontMatter = readFileSync(join(dir, file), 'utf8').split(/^---$/m)[1] ?? '';
    for (const match of frontMatter.matchAll(/^\s*["']?(@?[^"':\s]+)["']?\s*:/gm)) names.add(match[1]);
  }
  return names;
}

describe('the CHANGELOG each package publishes', () => {
  const pending = packagesWithPendingChangesets();

  it.each(packageDirs)(
    '%s: has entries for its current version, or a changeset that will write them',
    (dir) => {
      const { name, version } = JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8'));
      const changelog = readFileSync(join(repo, 'packages', dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${name}\n`)).toBe(true);
      if (pending.has(name)) return;
      const section = changelog.split(`\n## ${version}\n`)[1]?.split(/\n## /)[0] ?? '';
      expect(
        section,
        `${dir}/CHANGELOG.md has no "## ${version}" entries and no changeset names ${name}`,
      ).toMatch(/^- \S.{20,}/m);
    },
  );
});
