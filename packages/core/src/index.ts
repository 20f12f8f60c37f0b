export type {
  ExtensionContext,
  HttpClient,
  HttpRequest,
  HttpResponse,
  HttpStats,
  JsonSchema,
  LogContext,
  Logger,
  LogLevel,
  Progress,
  RecordOrigin,
  Sink,
  SinkResult,
  Source,
  SourceRecord,
  StreamOptions,
  ValidationIssue,
  ValidationReport,
  ValidationSeverity,
  Validator,
} from './contracts.js';
export { noopLogger, noopProgress } from './contracts.js';
export type { FileAction, ScmErrorCode, ScmErrorOptions, SourceLocation } from './errors.js';
export {
  errorMessage,
  fileSystemError,
  formatLocation,
  isScmError,
  ScmError,
  ScmErrorCodes,
} from './errors.js';
export type { Extension, ExtensionDefinition } from './extension.js';
export { defineExtension, EXTENSION_CONTRACT_VERSION, isExtension, withStacExtension } from './extension.js';
export type { CreateFailureInput, Failure, FailureErrorType, FailureStep } from './failure.js';
export { createFailure, isFailure, toRfc3339 } from './failure.js';
export {
  assertSafePath,
  FORBIDDEN_KEYS,
  isForbiddenKey,
  type ParsedJsonText,
  parseJsonText,
  plainCopy,
  removeForbiddenKeys,
  setOwnMember,
  stripForbiddenKeys,
} from './safe-keys.js';
export type {
  Bbox,
  Geometry,
  ItemCollectionPage,
  JsonObject,
  JsonValue,
  Position,
  StacAsset,
  StacCatalog,
  StacCollection,
  StacExtent,
  StacItem,
  StacItemProperties,
  StacLink,
  StacObject,
} from './stac.js';
export type { SchemaCheck, SchemaCheckError, SchemaCompileOptions, SchemaCompiler } from './schema-check.js';
export { provideSchemaCompiler, requireSchemaCompiler } from './schema-check.js';
export { isPlainObject, isStacCatalog, isStacCollection, isStacItem, stacTypeOf } from './stac.js';
export type {
  AnyIterable,
  Channel,
  BlockLine,
  LineBlock,
  MapConcurrentOptions,
  NumberedLine,
  ReadLinesOptions,
} from './streams.js';
export {
  batch,
  blockLineText,
  collect,
  countedChunks,
  createChannel,
  isBlankLine,
  linesOfBlock,
  mapConcurrent,
  readLineBlocks,
  readLines,
} from './streams.js';
export type { RunSummary, SummaryCounter } from './summary.js';
export { countFailure, finishSummary, formatSummary, startSummary } from './summary.js';
