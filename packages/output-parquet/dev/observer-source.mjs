/**
 * Development-only entry of the observer thread, used when the writer runs from TypeScript sources (vitest):
 * it registers @scm/validate's development hooks (esbuild strips the types, `.js` specifiers fall back to
 * `.ts`, `@scm/*` packages resolve to their sources) and loads ../src/observer-worker.ts. The published
 * package starts dist/observer-worker.js directly.
 */
import { register } from 'node:module';

register('../../validate/dev/ts-hooks.mjs', import.meta.url);
await import('../src/observer-worker.ts');
