export type { ExitCodeValue } from './exit-codes.js';
export { ExitCode, exitCodeFor } from './exit-codes.js';
export type { CliIo } from './io.js';
export { processIo } from './io.js';
export { type CliProgress, type CliProgressOptions, createCliProgress } from './progress.js';
export { buildProgram, describeError, runCli } from './program.js';
export { VERSION } from './version.js';
