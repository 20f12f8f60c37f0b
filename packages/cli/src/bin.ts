#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './program.js';

const controller = new AbortController();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping after the writes in progress (press again to quit now)\n`);
    controller.abort(new Error(signal));
  });
}

process.exitCode = await runCli(process.argv.slice(2), processIo(controller.signal));
