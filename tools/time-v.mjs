// What `/usr/bin/time -v` says of a finished command, for the bench and scenario scripts.
import { spawnSync } from 'node:child_process';

/** Wall seconds, CPU seconds (user + system) and peak RSS in MB, read from `/usr/bin/time -v`'s report. */
export function parseTimeV(report) {
  const field = (re) => re.exec(report)?.[1];
  const wall = (field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/) ?? '0')
    .split(':')
    .reduce((acc, part) => acc * 60 + Number(part), 0);
  const cpu =
    Number(field(/User time \(seconds\): ([\d.]+)/) ?? 0) +
    Number(field(/System time \(seconds\): ([\d.]+)/) ?? 0);
  const rssMb = Number(field(/Maximum resident set size \(kbytes\): (\d+)/) ?? 0) / 1024;
  return { wall, cpu, rssMb };
}

/** Runs `command args` under `/usr/bin/time -v` and waits: the spawnSync result with {@link parseTimeV}'s figures. */
export function timedSync(command, args, options = {}) {
  const run = spawnSync('/usr/bin/time', ['-v', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    ...options,
  });
  return { run, ...parseTimeV(run.stderr) };
}
