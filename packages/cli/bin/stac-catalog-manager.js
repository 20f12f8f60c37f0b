#!/usr/bin/env node
// The command npm links at install time. It is committed (dist/ is built later),
// so `npx stac-catalog-manager` works in a fresh clone as soon as it is built.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('stac-catalog-manager is not built yet: run `npm run build` first\n');
  process.exitCode = 3;
}
