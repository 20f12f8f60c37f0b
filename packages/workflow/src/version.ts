import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Version of @scm/workflow, recorded in the output marker. */
export const WORKFLOW_VERSION: string = (require('../package.json') as { version: string }).version;
