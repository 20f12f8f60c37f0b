// Writes schema/mapping.schema.json from the `mappingJsonSchema` export (run `npm run schema`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mappingJsonSchema } from '../dist/index.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'mapping.schema.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(mappingJsonSchema, null, 2)}\n`);
console.log(`wrote ${target}`);
