export type { LogLine } from './memory-logger.js';
export { memoryLogger } from './memory-logger.js';
export type { StacAjvOptions } from './stac-ajv.js';
export { coreErrors, createStacAjv, schemaErrors } from './stac-ajv.js';
