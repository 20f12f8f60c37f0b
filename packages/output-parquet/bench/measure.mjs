// Measuring helpers shared by the benchmarks: a command's wall time, CPU time and peak resident memory.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';

const hasGnuTime = existsSync('/usr/bin/time');

/** Runs a command, sampling /proc/<pid>/status for the peak resident set; stops it past the cap. */
export function run(command, args, capMb = Number.POSITIVE_INFINITY) {
  return new Promise((resolvePromise) => {
    const started = process.hrtime.bigint();
    const argv = hasGnuTime ? ['/usr/bin/time', ['-v', command, ...args]] : [command, args];
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let peakKb = 0;
    let killed = false;
    const timer = setInterval(() => {
      for (const pid of descendants(child.pid)) {
        try {
          const status = readFileSync(`/proc/${pid}/status`, 'utf8');
          const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
          const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          peakKb = Math.max(peakKb, hwm, rss);
          if (rss / 1024 > capMb && !killed) {
            killed = true;
            process.kill(pid, 'SIGKILL');
          }
        } catch {
          // the process ended between listing and reading
        }
      }
    }, 100);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const timeKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
      const user = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN);
      const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN);
      resolvePromise({
        code,
        seconds,
        peakMb: Math.max(peakKb, timeKb) / 1024,
        user,
        sys,
        killed,
        stdout,
        stderr,
      });
    });
  });
}

/** The process and its children (GNU time forks the measured command). */
function descendants(pid) {
  const out = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const c of children) out.push(...descendants(Number(c)));
  } catch {
    // no /proc children listing
  }
  return out;
}

export async function codecOf(path) {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  const codecs = new Set();
  for (const group of metadata.row_groups) for (const c of group.columns) codecs.add(c.meta_data?.codec);
  return {
    codec: [...codecs].join('/'),
    rowGroups: metadata.row_groups.length,
    rows: Number(metadata.num_rows),
  };
}
