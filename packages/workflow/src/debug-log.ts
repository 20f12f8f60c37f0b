import type { Logger } from '@scm/core';

/** An `onFileOpened` callback for `openSource` that writes a debug line per input file. */
export function logOpenedFiles(logger: Logger): (file: string, format: string) => void {
  return (file, format) => logger.debug('file opened', { file, format });
}
