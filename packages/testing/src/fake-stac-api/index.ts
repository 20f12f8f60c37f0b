export type { FakeFaultOptions, FaultRequest, FaultRule, TransientFault } from './faults.js';
export { TRANSIENT_FAULTS } from './faults.js';
export type { HlsItemMeta, HlsItemSpec } from './hls-items.js';
export { generateHlsItems, hlsItem, hlsItemMeta, hlsItemText } from './hls-items.js';
export type { PageLimits, PagingQuirks } from './pages.js';
export type { FakeStacApi, FakeStacApiOptions, RequestLog } from './server.js';
export { startFakeStacApi } from './server.js';
export type { FakeCollectionSpec } from './store.js';
export type { FakeStacStyle } from './styles.js';
