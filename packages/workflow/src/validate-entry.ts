/**
 * `@scm/workflow/validate`: what the `validate` command needs, without the rest of the workflow. Importing
 * the package's root loads every writer (hyparquet-writer, zstd); this entry loads only the modules
 * validation reads with (the Parquet ones on the first Parquet input), so a CLI that validates starts sooner.
 *
 * @packageDocumentation
 */
export type { OverwriteOptions } from './output-dir.js';
export { assertNewFiles } from './output-dir.js';
export type { ValidateFilesOptions, ValidateFilesResult } from './validate-files.js';
export { validateFiles, validationRecordPath } from './validate-files.js';
