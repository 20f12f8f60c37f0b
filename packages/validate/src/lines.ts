import { type BlockLine, isBlankLine, type LineBlock, linesOfBlock, type ValidationReport } from '@scm/core';
import type { StacValidator } from './options.js';
import { parseValidationText } from './validator.js';

/** The report of one line of a block of NDJSON lines, and where the line is. */
export interface LineVerdict {
  /** 1-based line number in its file. */
  line: number;
  /** Offset of the line's first byte in the block. */
  start: number;
  /** Offset just past the line's text in the block (its terminator left out). */
  end: number;
  /**
   * The line's validation report. A line that is not JSON has one error of kind `json`; one that is JSON
   * but not an object is reported as any value that is not a STAC object.
   */
  report: ValidationReport;
  /** The line's text, when the report is invalid (to report it, or read it again). */
  text?: string;
  /**
   * JSON Pointers of the members the parse dropped (named `__proto__`, `constructor` or `prototype`), when
   * there were any: the object was validated without them.
   */
  dropped?: readonly string[];
}

/**
 * Calls `each` for every non-blank line of `block` with the line and its parsed value (undefined when
 * the text is not JSON, with the report that says so), so that a worker thread and this thread read
 * lines alike.
 */
export function forEachBlockObject(
  block: LineBlock,
  each: (line: BlockLine, parsed: ReturnType<typeof parseValidationText>) => void,
): void {
  for (const line of linesOfBlock(block)) {
    if (isBlankLine(line.text)) continue;
    each(line, parseValidationText(line.text));
  }
}

/**
 * Validates each non-blank line of a block of NDJSON lines (see `readLineBlocks` in `@scm/core`) as one
 * object, in this thread, in order: the same verdicts as {@link ValidatorPool.validateLines}.
 */
export function validateLineBlock(validator: StacValidator, block: LineBlock): LineVerdict[] {
  const verdicts: LineVerdict[] = [];
  forEachBlockObject(block, ({ text, line, start, end }, parsed) => {
    const report = 'report' in parsed ? parsed.report : validator.validate(parsed.object);
    const verdict: LineVerdict = report.valid
      ? { line, start, end, report }
      : { line, start, end, report, text };
    const dropped = 'object' in parsed ? parsed.dropped : undefined;
    if (dropped && dropped.length > 0) verdict.dropped = dropped;
    verdicts.push(verdict);
  });
  return verdicts;
}
