/**
 * `@scm/testing/vitest`: the conformance suites as vitest `describe`/`it` blocks, one test per rule, so a
 * failure names the rule it breaks. vitest is a peer dependency: this entry is the only one that imports it.
 *
 * @packageDocumentation
 */
import { describe, expect, it } from 'vitest';
import {
  type ConformanceCheck,
  type ConformanceProblem,
  type TestExtensionOptions,
  testExtension,
} from './conformance/extension.js';

/** One set of samples and config to run the extension conformance suite on. */
export interface ExtensionConformanceCase extends TestExtensionOptions {
  /** Title of the case's `describe` block, e.g. `default config`. */
  name: string;
}

const RULES: Record<ConformanceCheck, string> = {
  definition: 'is a valid extension definition',
  config: 'accepts the sample config',
  apply: 'applies without throwing and returns the same kind of object',
  pure: 'does not change its input',
  idempotent: 'gives the same result when applied twice',
  'owned-fields': 'writes only its own prefixed fields and stac_extensions',
  'schema-uri': 'adds its schema URI exactly once',
  'check-object': 'passes its own checkObject',
  schema: 'validates against its bundled schema',
};

function titleOf(extension: unknown): string {
  const name = (extension as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'extension';
}

/**
 * Registers `describe('conformance: <name>')` with, for each case, a `describe(case.name)` holding one `it`
 * per conformance rule of {@link testExtension}. Call it at the top level of a test file (or inside a
 * `describe`); the suite runs once per case, when its first test runs.
 */
export function describeExtensionConformance(
  extension: unknown,
  cases: readonly ExtensionConformanceCase[],
): void {
  describe(`conformance: ${titleOf(extension)}`, () => {
    for (const { name, ...options } of cases) {
      describe(name, () => {
        let problems: ConformanceProblem[] | undefined;
        const run = () => {
          problems ??= testExtension(extension, options);
          return problems;
        };
        for (const [check, rule] of Object.entries(RULES)) {
          it(rule, () => {
            expect(run().filter((p) => p.check === check)).toEqual([]);
          });
        }
      });
    }
  });
}
