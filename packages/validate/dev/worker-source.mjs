/**
 * Development-only worker entry, used when the pool itself runs from TypeScript sources (vitest, tsx):
 * Node 20 cannot run `.ts` in a worker, so this registers the hooks of ./ts-hooks.mjs (esbuild transpiles
 * `.ts`, `.js` specifiers fall back to `.ts`, and `@scm/*` packages resolve to their sources) and then
 * loads ../src/worker.ts. It lives outside src/ because the published package never uses it (nor esbuild,
 * a devDependency): dist/index.js starts dist/worker.js directly.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
await import('../src/worker.ts');
