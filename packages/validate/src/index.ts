/**
 * @scm/validate: offline STAC validation with the official schemas plus the checks a schema cannot make.
 *
 * @packageDocumentation
 */

import { provideSchemaCompiler } from '@scm/core';
import { compileSchema } from './ajv.js';

// The one side effect of this package: importing it provides the JSON Schema compiler of the core contract to
// the packages that check their own schemas (config, transform, extensions), so each composer gets it at once.
provideSchemaCompiler(compileSchema);

export type { AjvSetup } from './ajv.js';
export { compileSchema, createAjv } from './ajv.js';
export type { StacValidator, ValidationLevel, ValidatorExtension, ValidatorOptions } from './options.js';
export type { LineVerdict } from './lines.js';
export { validateLineBlock } from './lines.js';
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
  parseValidationText,
  SUPPORTED_STAC_VERSIONS,
} from './validator.js';
