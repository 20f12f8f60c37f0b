import type { LogContext, Logger } from '@scm/core';

/** One line kept by {@link memoryLogger}. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  module: string;
  message: string;
  context?: LogContext;
}

/** A Logger that keeps its lines in `lines` (children share them), for asserting on what was logged. */
export function memoryLogger(lines: LogLine[] = [], module = 'test'): Logger & { lines: LogLine[] } {
  const log = (level: LogLine['level']) => (message: string, context?: LogContext) => {
    lines.push({ level, module, message, ...(context ? { context } : {}) });
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (child: string) => memoryLogger(lines, child),
  };
}
