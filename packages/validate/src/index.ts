/**
 * @scm/validate: offline STAC validation with the official schemas plus the checks a schema cannot make.
 *
 * @packageDocumentation
 */

export type { StacValidator, ValidationLevel, ValidatorExtension, ValidatorOptions } from './options.js';
export type { ValidatorPool, ValidatorPoolOptions } from './pool.js';
export { createValidatorPool } from './pool.js';
export { bundledSchemasDir } from './schema-store.js';
export type { StacValidatorEngineOptions } from './stac-validator-engine.js';
export { runStacValidator } from './stac-validator-engine.js';
export type { ReportSummary, ValidatedObject } from './summary.js';
export { summarizeReports, validateMany, validateStream } from './summary.js';
export {
  coreSchemaUri,
  createValidator,
  DEFAULT_BBOX_TOLERANCE,
  DEFAULT_MAX_SELF_INTERSECTION_VERTICES,
  SUPPORTED_STAC_VERSIONS,
} from './validator.js';
