/**
 * `@scm/object-store`: publishes a finished catalog folder to S3 or an
 * S3-compatible server (MinIO, moto, Ceph…), and reads a prefix back.
 *
 * @packageDocumentation
 */
export { createS3Client, type Env } from './client.js';
export { contentTypeOf, expectedEtag, type LocalFile, listLocalFiles } from './files.js';
export {
  assertSafeRelativePath,
  isS3Url,
  objectKey,
  parseS3Url,
  type S3Location,
  s3Url,
} from './location.js';
export {
  assertPublishable,
  DEFAULT_PART_SIZE,
  OUTPUT_MARKER,
  type PublishOptions,
  type PublishResult,
  type PublishTargetOptions,
  publishFolder,
} from './publish.js';
export {
  deleteObjects,
  downloadPrefix,
  listObjects,
  objectStoreError,
  putFile,
  type RemoteObject,
} from './store.js';
export { publishSnapshot, RUNS_DIR, rootOfSnapshot, type SnapshotResult } from './snapshot.js';
