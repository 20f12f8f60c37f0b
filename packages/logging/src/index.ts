/**
 * `@scm/logging`: structured JSON-lines logging (pino) in the PRD format,
 * with secrets redacted before anything is written.
 *
 * @packageDocumentation
 */

// Level names and parsing.
export type { LogLevelLabel } from './levels.js';
export { LEVEL_LABELS, parseLogLevel } from './levels.js';
// The logger factory and its types.
export type { LoggerOptions, LogStream, ScmLogger } from './logger.js';
export { createLogger } from './logger.js';
// Secret redaction, reusable outside logging (failure records, error details).
export type { RedactOptions, Redactor } from './redact.js';
export { createRedactor, DEFAULT_REDACT_KEYS, REDACTED, redactSecrets } from './redact.js';
