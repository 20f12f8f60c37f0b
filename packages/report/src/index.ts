/**
 * @scm/report: turns what a run left (its summary, failures file and run
 * record) into one self-contained `report.html`.
 *
 * @packageDocumentation
 */
export type { Bar } from './bars.js';
export { barChart } from './bars.js';
export type { FailureDigest, FailureDigester, FailureExample, FailureGroup } from './failures.js';
export { createFailureDigester, digestFailuresFile, emptyFailureDigest } from './failures.js';
export { renderReportHtml } from './html.js';
export type { CollectionInfo, ReportData, RunFiles } from './load.js';
export { collectionInfo, loadReportData, locateRunFiles } from './load.js';
export type {
  FootprintSample,
  GeoJsonGeometry,
  RunRecord,
  RunRecorder,
  RunRecorderOptions,
  StageRecord,
} from './record.js';
export { createRunRecorder, lightenGeometry, RUN_RECORD_FILE } from './record.js';
export { loadValidationReportData } from './validation.js';
export type { WriteRunReportOptions } from './write.js';
export { writeRunRecord, writeRunReport } from './write.js';
