import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createValidator } from '../src/index.js';
import { invalidDir, invalidManifest, readJson, shape, validDir, validManifest } from './helpers.js';

describe('real fixtures (shared/samples) validate offline', () => {
  const manifest = validManifest();

  it('covers every source the brief names', () => {
    const sources = manifest.map((f) => f.source).join(' ');
    for (const s of [
      'cmr-stac',
      'earth-search',
      'planetary-computer',
      'stac-spec-v1.0.0',
      'dgeo',
      'easierdata',
    ]) {
      expect(sources).toContain(`samples/${s}/`);
    }
    expect(manifest.filter((f) => f.strict.valid).length).toBeGreaterThanOrEqual(25);
  });

  for (const level of ['strict', 'lenient'] as const) {
    describe(level, () => {
      // One validator per level, as in a run; the stac-spec examples share ids, so duplicates are off here.
      const validator = createValidator({ level, checkDuplicateIds: false });
      it.each(manifest.map((f) => [f.file, f] as const))('%s', (_name, entry) => {
        const report = validator.validate(readJson(join(validDir, entry.file)));
        const expected = entry[level];
        expect(report.valid, JSON.stringify(report.errors, null, 1)).toBe(expected.valid);
        expect(shape(report.errors)).toEqual(shape(expected.errors));
        expect(shape(report.warnings)).toEqual(shape(expected.warnings));
        for (const issue of [...report.errors, ...report.warnings]) {
          expect(issue.message.length).toBeGreaterThan(10);
        }
      });
    });
  }
});

describe('broken-item corpus: each case reports the expected kind at the expected path', () => {
  // Cases of an extension's rule are asserted where the extension is composed (workflow's validate-files test).
  const cases = invalidManifest().filter((c) => c.checkedBy === undefined);

  it('has at least 30 deliberately broken objects', () => {
    expect(cases.filter((c) => !c.valid).length).toBeGreaterThanOrEqual(30);
  });

  const shared = {
    strict: createValidator({ level: 'strict', checkDuplicateIds: false }),
    lenient: createValidator({ level: 'lenient', checkDuplicateIds: false }),
  };

  it.each(cases.map((c) => [c.file, c] as const))('%s', (_name, entry) => {
    // A sequence needs a fresh validator of its own: its point is what one run remembers.
    const validator = entry.sequence ? createValidator({ level: entry.level }) : shared[entry.level];
    const data = readJson(join(invalidDir, entry.file));
    const objects = entry.sequence ? (data as unknown[]) : [data];
    let report = validator.validate(objects[0]);
    for (const object of objects.slice(1)) report = validator.validate(object);
    expect(report.valid, entry.description).toBe(entry.valid);
    expect(shape(report.errors), entry.description).toEqual(shape(entry.errors));
    expect(shape(report.warnings), entry.description).toEqual(shape(entry.warnings));
    for (const issue of report.errors) {
      expect(issue.severity).toBe('error');
      expect(issue.path === '' || issue.path.startsWith('/')).toBe(true);
    }
  });
});

describe('extension rules stay with the extension', () => {
  const byExtension = invalidManifest().filter((c) => c.checkedBy !== undefined);

  it.each(byExtension.map((c) => [c.file, c] as const))(
    '%s passes validate without the extension',
    (_n, entry) => {
      // validate knows no extension by name: without the extension's checkObject nothing reports the case.
      const report = createValidator({ level: entry.level }).validate(readJson(join(invalidDir, entry.file)));
      expect(report.errors).toEqual([]);
    },
  );

  it('passes each case to the checkObject of an extension declaring its schema', () => {
    const seen: string[] = [];
    const validator = createValidator({
      checkDuplicateIds: false,
      extensions: [
        {
          schemaUris: ['https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json'],
          checkObject: (object) => {
            seen.push(String(object.id));
            return [
              {
                path: '/assets',
                message: 'assets checked by the extension',
                kind: 'probe',
                severity: 'error',
              },
            ];
          },
        },
      ],
    });
    for (const entry of byExtension) {
      const report = validator.validate(readJson(join(invalidDir, entry.file)));
      expect(shape(report.errors)).toEqual(['probe /assets']);
    }
    expect(seen).toHaveLength(byExtension.length);
  });
});
