/**
 * Development-only entry of the helper thread, used when the writer runs from TypeScript sources (vitest):
 * it registers @scm/validate's development hooks (esbuild strips the types, `.js` specifiers fall back to
 * `.ts`, `@scm/*` packages resolve to their sources) and loads ../src/shred-helper-worker.ts. The published
 * package starts dist/shred-helper-worker.js directly.
 */
import { register } from 'node:module';

register('../../validate/dev/ts-hooks.mjs', import.meta.url);
await import('../src/shred-helper-worker.ts');
