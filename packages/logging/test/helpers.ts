import { expect } from 'vitest';
import type { LogStream } from '../src/index.js';

/** One parsed log line. */
export interface LogLine {
  timestamp: string;
  level: string;
  module: string;
  message: string;
  context: Record<string, unknown>;
}

/** A stream that keeps what it receives. */
export function memoryStream(): LogStream & { chunks: string[]; text(): string; lines(): LogLine[] } {
  const chunks: string[] = [];
  return {
    chunks,
    write(line: string) {
      chunks.push(line);
    },
    text() {
      return chunks.join('');
    },
    lines() {
      return parseLines(chunks.join(''));
    },
  };
}

/** Parses JSON lines, checking each one ends with a newline. */
export function parseLines(text: string): LogLine[] {
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
}
