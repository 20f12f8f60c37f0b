/**
 * @scm/testing: what an author of an `@scm` package or of a third-party plugin needs to test it: the
 * conformance suites for extensions, sources and sinks, the bundled STAC schemas, the integration-test gate,
 * schema checks with ajv, an in-memory logger and a fake STAC API. The vitest blocks are in
 * `@scm/testing/vitest`; `@scm/testing/gate` and `@scm/testing/schemas` are small entries of their own.
 *
 * @packageDocumentation
 */

export type { ContractProblem } from './conformance/contract.js';
export type { ConformanceCheck, ConformanceProblem, TestExtensionOptions } from './conformance/extension.js';
/** The runner-independent extension conformance suite. */
export { testExtension } from './conformance/extension.js';
/** The JSON comparisons the extension suite uses. */
export { foreignChanges, jsonEqual } from './conformance/json-diff.js';
export type { SinkCheck, SinkProblem, TestSinkOptions } from './conformance/sink.js';
/** The `Sink` contract suite. */
export { testSink } from './conformance/sink.js';
export type { SourceCheck, SourceProblem, TestSourceOptions } from './conformance/source.js';
/** The `Source` contract suite. */
export { testSource } from './conformance/source.js';
export type { IntegrationGate, IntegrationGateOptions, IntegrationProbe } from './gate.js';
/** The integration-test gate. */
export { integrationGate, REQUIRE_INTEGRATION_ENV } from './gate.js';
export type { LogLine } from './memory-logger.js';
/** A `Logger` that keeps its lines. */
export { memoryLogger } from './memory-logger.js';
/** Where `@scm/validate`'s bundled STAC schemas are. */
export { stacSchemasDir } from './schemas.js';
export type { StacAjvOptions } from './stac-ajv.js';
/** Plain ajv checks against STAC schemas. */
export { coreErrors, createStacAjv, schemaErrors } from './stac-ajv.js';
// A fake STAC API (CMR-STAC, Earth Search, Planetary Computer styles) with fault injection, and HLS item generation.
export type {
  FakeCollectionSpec,
  FakeFaultOptions,
  FaultRequest,
  FaultRule,
  FakeStacApi,
  FakeStacApiOptions,
  FakeStacStyle,
  HlsItemMeta,
  HlsItemSpec,
  PageLimits,
  PagingQuirks,
  RequestLog,
  TransientFault,
} from './fake-stac-api/index.js';
export {
  generateHlsItems,
  hlsItem,
  hlsItemMeta,
  hlsItemText,
  startFakeStacApi,
  TRANSIENT_FAULTS,
} from './fake-stac-api/index.js';
