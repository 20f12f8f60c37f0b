#!/usr/bin/env node
// Replays the Dockerfile without a Docker engine: each stage gets a folder that
// stands for its filesystem, COPY copies into it (from the build context or an
// earlier stage), RUN runs in the stage's WORKDIR, and the final ENTRYPOINT is
// run as an unprivileged user on the quickstart example. It checks the steps,
// not the base image, which CI cannot pull.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
cpSync(join(context, 'examples/quickstart'), data, {
  recursive: true,
  filter: (p) => !['output', 'output-logs'].includes(basename(p)),
});
execFileSync('chmod', ['-R', 'a+rwX', data]);
const asUser =
  process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
const run = (extra) => {
  const argv = [...asUser, process.execPath, ...entryArgs, ...extra];
  console.log(
    `ENTRYPOINT (as ${asUser.length ? 'nobody' : 'current user'}, image user ${stage.user}): ${extra.join(' ')}`,
  );
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: data,
    stdio: 'inherit',
    env: { PATH: process.env.PATH, ...stage.env },
  });
  if (program !== 'node') throw new Error(`unexpected entrypoint program ${program}`);
  return result.status;
};
const failures = [];
if (run(['--version']) !== 0) failures.push('--version');
if (run(['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full', '--quiet']) !== 0)
  failures.push('rebuild-catalog');
if (!existsSync(join(data, 'output', 'catalog.json'))) failures.push('output/catalog.json missing');
if (stage.user === 'root') failures.push('the final stage runs as root');
rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`dockerfile steps failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('dockerfile steps: ok');
