export { builtinExtensions } from './builtins.js';
export type { CatalogFormat, ConvertCatalogOptions, ConvertCatalogResult } from './convert.js';
export { convertCatalog } from './convert.js';
export { validateWithStacValidator } from './engine-validate.js';
export type { FailuresFile } from './failures-file.js';
export type { FetchItemsToFileOptions, FetchItemsToFileResult } from './fetch-items.js';
export { fetchItemsToFile } from './fetch-items.js';
export { AUDIT_FILE, FAILURES_FILE, openFailuresFile } from './failures-file.js';
export type { FileOutput, FileOutputFormat } from './file-output.js';
export { flattenRecord, formatFromPath, openFileOutput } from './file-output.js';
export type { ApiClientSettings, HarvestReport } from './harvest-run.js';
export { createApiClient } from './harvest-run.js';
export type { OverwriteOptions } from './output-dir.js';
export { assertNewFiles, OUTPUT_MARKER, sideFilePath } from './output-dir.js';
export type { ChangeCounts } from './rebuild-incremental.js';
export { formatChangeTable, targetSelection } from './rebuild-incremental.js';
export type { CatalogState, StateRecord } from './rebuild-state.js';
export { contentHash, loadState, STATE_DIR, STATE_VERSION } from './rebuild-state.js';
export type { RebuildOptions, RebuildResult, RebuildSummary } from './rebuild.js';
export { describeReport, rebuildCatalog } from './rebuild.js';
export type {
  ExtendFilesOptions,
  RecordCommandOptions,
  RecordCommandResult,
  ScaffoldFilesOptions,
  TransformFilesOptions,
} from './record-commands.js';
export { extendFiles, scaffoldFiles, transformFiles } from './record-commands.js';
export { MAPPING_READERS, readSafeYaml } from './readers.js';
export type { ValidateFilesOptions, ValidateFilesResult } from './validate-files.js';
export { validateFiles, validationRecordPath } from './validate-files.js';
export type { UpdateCounts, UpdateMetadataOptions, UpdateMetadataResult } from './update-metadata.js';
export { PREVIEW_CHANGES, updateMetadata } from './update-metadata.js';
export type { MergeShardsOptions, MergeShardsResult } from './merge-shards.js';
export { mergeShards } from './merge-shards.js';
export type { RebuildShardOptions, RebuildShardResult, ShardManifest } from './rebuild-shard.js';
export { rebuildShard, SHARD_MANIFEST, SHARDS_DIR, shardDir } from './rebuild-shard.js';
export type { ShardSources, ShardSpec } from './shard-plan.js';
export {
  parseShardSpec,
  planCollectionWindows,
  resolveShardSpec,
  SHARD_WINDOWS_PER_SHARD,
  shardOfFile,
  shardOfWindow,
} from './shard-plan.js';
export type { ShardPlanRecord } from './shard-source.js';
