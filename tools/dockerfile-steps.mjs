#!/usr/bin/env node
// Replays the Dockerfile without a Docker engine: each stage gets a folder that
// stands for its filesystem, COPY copies into it (from the build context or an
// earlier stage), RUN runs in the stage's WORKDIR, and the final ENTRYPOINT is
// run as an unprivileged user on the quickstart example. It checks the steps,
// not the base image, which CI cannot pull.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';

const context = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const ignored = [
  'node_modules',
  'dist',
  '.nx',
  '.venv',
  '.git',
  'output',
  'output-logs',
  '.vitest-results.json',
];
const work = mkdtempSync(join(tmpdir(), 'scm-docker-'));
chmodSync(work, 0o755);

const lines = readFileSync(join(context, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const stages = new Map();
let stage;
const inStage = (path) => join(stage.root, isAbsolute(path) ? path : join(stage.cwd, path));

for (const line of lines) {
  const [instruction, ...rest] = line.split(/\s+/);
  const args = rest.join(' ');
  switch (instruction.toUpperCase()) {
    case 'FROM': {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
      stage = { name, root: join(work, name), cwd: '/', env: {}, user: 'root', entrypoint: [], cmd: [] };
      mkdirSync(stage.root, { recursive: true });
      stages.set(name, stage);
      console.log(`FROM ${args} -> ${stage.root}`);
      break;
    }
    case 'WORKDIR':
      stage.cwd = isAbsolute(args) ? args : join(stage.cwd, args);
      mkdirSync(join(stage.root, stage.cwd), { recursive: true });
      break;
    case 'ENV':
      for (const pair of rest) {
        const [k, ...v] = pair.split('=');
        stage.env[k] = v.join('=');
      }
      break;
    case 'COPY': {
      const from = /^--from=(\S+)/.exec(rest[0] ?? '')?.[1];
      const parts = from ? rest.slice(1) : rest;
      const dest = parts.pop();
      for (const src of parts) {
        const source = from ? join(stages.get(from).root, src) : join(context, src);
        const target =
          dest.endsWith('/') || parts.length > 1 ? join(inStage(dest), basename(src)) : inStage(dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(source, target, {
          recursive: true,
          verbatimSymlinks: true,
          filter: (p) =>
            from !== undefined ||
            !relative(context, p)
              .split('/')
              .some((seg) => ignored.includes(seg)),
        });
      }
      console.log(`COPY ${args}`);
      break;
    }
    case 'RUN': {
      console.log(`RUN ${args}`);
      execFileSync('bash', ['-c', args], {
        cwd: join(stage.root, stage.cwd),
        stdio: 'inherit',
        env: { ...process.env, ...stage.env, CI: 'true', NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      });
      break;
    }
    case 'USER':
      stage.user = args;
      break;
    case 'ENTRYPOINT':
      stage.entrypoint = JSON.parse(args);
      break;
    case 'CMD':
      stage.cmd = JSON.parse(args);
      break;
    default:
      break;
  }
}

// Run the final image's entrypoint, mapping image paths into the stage folder.
const mapArg = (a) =>
  a.startsWith('/') && existsSync(join(stage.root, a.split('/')[1] ?? '')) ? join(stage.root, a) : a;
const [program, ...entryArgs] = stage.entrypoint.map(mapArg);
const data = join(stage.root, stage.cwd);
copyQuickstart(data);
execFileSync('chmod', ['-R', 'a+rwX', data]);
const root = process.getuid?.() === 0;
// The image user stands for `nobody`: setpriv needs root, so elsewhere the replay runs as the current user.
const asUser = (groups) =>
  root
    ? ['setpriv', '--reuid=65534', '--regid=65534', groups ? `--groups=${groups}` : '--clear-groups', '--']
    : [];
const run = (cwd, extra, groups) => {
  const argv = [...asUser(groups), process.execPath, ...entryArgs, ...extra];
  console.log(
    `ENTRYPOINT (as ${root ? 'nobody' : 'current user'}, image user ${stage.user}) in ${cwd}: ${extra.join(' ')}`,
  );
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd,
    stdio: 'inherit',
    env: { PATH: process.env.PATH, ...stage.env },
  });
  if (program !== 'node') throw new Error(`unexpected entrypoint program ${program}`);
  return result.status;
};
const failures = [];
if (run(data, ['--version']) !== 0) failures.push('--version');
if (run(data, ['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full', '--quiet']) !== 0)
  failures.push('rebuild-catalog');
if (!existsSync(join(data, 'output', 'catalog.json'))) failures.push('output/catalog.json missing');
if (stage.user === 'root') failures.push('the final stage runs as root');
if (root) failures.push(...mountedVolume());
else console.log('mounted volume owned by another user: not replayed (needs root for chown and setpriv)');
rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`dockerfile steps failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('dockerfile steps: ok');

/** The quickstart example (config and data, no earlier output) copied into `dir`. */
function copyQuickstart(dir) {
  cpSync(join(context, 'examples/quickstart'), dir, {
    recursive: true,
    filter: (p) => !['output', 'output-logs'].includes(basename(p)),
  });
}

/**
 * PRD scenario 6: the input and the output live in a volume mounted from the host, owned by another user (uid
 * 1000) and shared through a group, as Kubernetes' fsGroup or a host folder with `chgrp` set it up (gid 2000,
 * setgid, group-writable). The image user is only in that group. A full rebuild, then one input item changed
 * by the host user and an incremental run: the incremental run must find exactly that change, and the host's
 * group must be able to read all the output (a folder made with mkdtemp's 0700 and renamed into place would not be).
 */
function mountedVolume() {
  const volume = join(work, 'volume');
  mkdirSync(volume);
  copyQuickstart(volume);
  execFileSync('chown', ['-R', '1000:2000', volume]);
  execFileSync('chmod', ['-R', 'u=rwX,g=rwX,o=', volume]);
  execFileSync('find', [volume, '-type', 'd', '-exec', 'chmod', 'g+s', '{}', '+']);
  const problems = [];
  const full = run(
    volume,
    ['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full', '--quiet'],
    '2000',
  );
  if (full !== 0) return [`volume: full rebuild exited ${full}`];
  changeOneItem(join(volume, 'data', 'items.ndjson'));
  const incremental = run(
    volume,
    ['rebuild-catalog', '--config', 'config.yaml', '--mode', 'incremental', '--quiet'],
    '2000',
  );
  if (incremental !== 0) problems.push(`volume: incremental rebuild exited ${incremental}`);
  const summary = JSON.parse(readFileSync(join(volume, 'output', 'summary.json'), 'utf8'));
  const totals = Object.values(summary.per_collection ?? {}).reduce(
    (sum, c) => ({
      added: sum.added + c.added,
      modified: sum.modified + c.modified,
      deleted: sum.deleted + c.deleted,
    }),
    { added: 0, modified: 0, deleted: 0 },
  );
  if (totals.modified !== 1 || totals.added !== 0 || totals.deleted !== 0)
    problems.push(`volume: the incremental run saw ${JSON.stringify(totals)}, not the one modified item`);
  const hidden = unreadableByGroup(join(volume, 'output'));
  if (hidden.length > 0)
    problems.push(`volume: output the host's group cannot read: ${hidden.slice(0, 5).join(', ')}`);
  if (problems.length === 0)
    console.log(`mounted volume owned by another user: full, then incremental ${JSON.stringify(totals)}: ok`);
  return problems;
}

/** The host user edits one item of the input: its cloud cover changes. */
function changeOneItem(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const item = JSON.parse(lines[0]);
  item.properties['eo:cloud_cover'] = (item.properties['eo:cloud_cover'] ?? 0) + 1;
  lines[0] = JSON.stringify(item);
  writeFileSync(path, lines.join('\n'));
}

/** Paths under `dir` the group cannot read (files without g+r, folders without g+rx). */
function unreadableByGroup(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const mode = statSync(path).mode;
    const needed = entry.isDirectory() ? 0o050 : 0o040;
    if ((mode & needed) !== needed) found.push(`${relative(dir, path)} (${(mode & 0o777).toString(8)})`);
  }
  const own = statSync(dir).mode;
  if ((own & 0o050) !== 0o050) found.unshift(`. (${(own & 0o777).toString(8)})`);
  return found;
}
