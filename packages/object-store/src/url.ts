/**
 * `@scm/object-store/url`: tells an `s3://` output path from a local one
 * without loading the AWS SDK (the publisher is imported only when needed).
 *
 * @packageDocumentation
 */
export { isS3Url, parseS3Url, type S3Location, s3Url } from './location.js';
