/**
 * Imported by the validator worker threads of a run (see batch-validator.ts), which cannot receive functions:
 * the built-in extensions, whose schemas and checks every validator of this toolkit runs. Built to
 * dist/worker-extensions.js beside dist/index.js.
 */
import { builtinExtensions } from './builtins.js';

/** The built-in extensions, as the pool's workers expect them (a named `extensions` export). */
export const extensions = builtinExtensions();
