// Reusable vitest wrapper around testExtension(): one test per conformance rule, so a failure names
// the rule (idempotence, owned fields, schema URI once, …). Import it in any extension's tests.
import { describe, expect, it } from 'vitest';
import { type ConformanceCheck, type TestExtensionOptions, testExtension } from '../../src/index.js';

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

/** Declares one `describe` with a test per conformance rule for `extension` on the given samples. */
export function describeConformance(title: string, extension: unknown, options: TestExtensionOptions): void {
  describe(`conformance: ${title}`, () => {
    let problems: ReturnType<typeof testExtension> | undefined;
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
