// Writes schema/config.schema.json from the TypeScript source (via the build in dist/).
// Run with `npm run schema`; test/schema.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../dist/schema.js';

const target = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(configJsonSchema, null, 2)}\n`);
console.log(`wrote ${target}`);
