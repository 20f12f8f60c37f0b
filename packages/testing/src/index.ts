export type { LogLine } from './memory-logger.js';
export { memoryLogger } from './memory-logger.js';
export type { StacAjvOptions } from './stac-ajv.js';
export { coreErrors, createStacAjv, schemaErrors } from './stac-ajv.js';
// A fake STAC API (CMR-STAC, Earth Search, Planetary Computer styles) with fault injection, and HLS item generation.
export type {
  FakeCollectionSpec,
  FakeFaultOptions,
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
