export { builtinExtensions } from './builtins.js';
export type { FailuresFile } from './failures-file.js';
export { openFailuresFile } from './failures-file.js';
export { OUTPUT_MARKER } from './output-dir.js';
export type { RebuildOptions, RebuildResult } from './rebuild.js';
export { describeReport, rebuildCatalog } from './rebuild.js';
export type { ValidateFilesOptions, ValidateFilesResult } from './validate-files.js';
export { validateFiles } from './validate-files.js';
