import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineExtension, isScmError, type ValidationIssue } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  coreSchemaUri,
  createValidator,
  summarizeReports,
  validateMany,
  validateStream,
} from '../src/index.js';
import { clone, fixture, shape } from './helpers.js';

const core = fixture('stac-spec-core-item.json');
const dgeoItem = fixture('dgeo-item.json');
const DGEO_MAIN =
  'https://raw.githubusercontent.com/DecentralizedGeo/dgeo/refs/heads/main/json-schema/schema.json';
const DEMO_URI = 'https://example.com/demo/v1.0.0/schema.json';
const demoSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `${DEMO_URI}#`,
  type: 'object',
  required: ['properties'],
  properties: {
    properties: {
      type: 'object',
      required: ['demo:level'],
      properties: { 'demo:level': { type: 'integer' } },
    },
  },
};

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-validate-test-'));
  temp.push(dir);
  return dir;
}

function withExtension(uri: string, patch: Record<string, unknown> = {}) {
  const item = clone(core) as Record<string, unknown>;
  item.stac_extensions = [uri];
  item.properties = { ...(item.properties as object), ...patch };
  return item;
}

describe('createValidator', () => {
  it('validates a real item offline and reports id and type', () => {
    const report = createValidator().validate(core);
    expect(report).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      id: '20201211_223832_CS2',
      type: 'Feature',
    });
  });

  it('answers for any JSON value without throwing', () => {
    const validator = createValidator();
    for (const value of [null, 42, 'text', [1, 2], undefined]) {
      const report = validator.validate(value);
      expect(report.valid).toBe(false);
      expect(report.errors[0]).toMatchObject({ kind: 'schema', path: '' });
    }
    const fc = validator.validate({ type: 'FeatureCollection', features: [] });
    expect(fc.errors[0]?.message).toMatch(/validate each of its features/);
  });

  it('picks the core schema by stac_version (1.1.0 items are checked against 1.1.0)', () => {
    expect(coreSchemaUri('1.1.0', 'item')).toBe(
      'https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json',
    );
    const item = fixture('cmr-stac-item-hls-s30.json');
    expect(createValidator().validate(item).valid).toBe(true);
    // 1.1.0 pins stac_version with const: the same item labelled 1.0.0 is checked against 1.0.0 and still passes
    // its core, while a 1.1.0-only rule (collection needs a rel=collection link) disappears with the version.
    const relabelled = { ...item, stac_version: '1.0.0' };
    expect(
      createValidator()
        .validate(relabelled)
        .errors.filter((e) => e.kind === 'stac_version'),
    ).toEqual([]);
  });

  it('rejects an unknown level with SCM_USAGE', () => {
    try {
      createValidator({ level: 'loose' as never });
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_USAGE');
    }
  });

  it('says whether a schema is available', () => {
    const validator = createValidator({ uriAliases: { 'https://old.example/dgeo.json': DGEO_MAIN } });
    expect(validator.hasSchema('https://stac-extensions.github.io/eo/v1.0.0/schema.json')).toBe(true);
    expect(validator.hasSchema('https://stac-extensions.github.io/eo/v1.0.0/schema.json#')).toBe(true);
    expect(validator.hasSchema('http://stac-extensions.github.io/eo/v1.0.0/schema.json')).toBe(true);
    expect(validator.hasSchema('https://old.example/dgeo.json')).toBe(true);
    expect(validator.hasSchema('https://example.com/nothing.json')).toBe(false);
  });
});

describe('extra schemas', () => {
  it('takes schemas by URI from the schemas option', () => {
    const validator = createValidator({ schemas: { [DEMO_URI]: demoSchema }, checkDuplicateIds: false });
    expect(validator.validate(withExtension(DEMO_URI, { 'demo:level': 3 })).valid).toBe(true);
    const bad = validator.validate(withExtension(DEMO_URI, { 'demo:level': 'high' }));
    expect(bad.errors).toMatchObject([
      { kind: 'schema', path: '/properties/demo:level', schema: DEMO_URI, keyword: 'type' },
    ]);
    expect(bad.errors[0]?.message).toBe('properties.demo:level must be an integer, got string');
  });

  it('reads schemaDirs laid out by URL (no $id needed)', () => {
    const dir = tempDir();
    const { $id: _ignored, ...withoutId } = demoSchema;
    mkdirSync(join(dir, 'example.com/demo/v1.0.0'), { recursive: true });
    writeFileSync(join(dir, 'example.com/demo/v1.0.0/schema.json'), JSON.stringify(withoutId));
    const validator = createValidator({ schemaDirs: [dir], checkDuplicateIds: false });
    expect(validator.validate(withExtension(DEMO_URI, { 'demo:level': 1 })).valid).toBe(true);
    expect(validator.validate(withExtension(DEMO_URI)).errors[0]).toMatchObject({
      path: '/properties/demo:level',
    });
  });

  it('reads schemaDirs of files named anyhow, by their $id', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'demo-extension.json'), JSON.stringify(demoSchema));
    const validator = createValidator({ schemaDirs: [dir], checkDuplicateIds: false });
    expect(validator.validate(withExtension(DEMO_URI, { 'demo:level': 1 })).valid).toBe(true);
  });

  it('fails fast on a missing folder or a broken schema file', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isScmError(error) ? error.code : 'not an ScmError';
      }
      return 'no error';
    };
    expect(codeOf(() => createValidator({ schemaDirs: [join(tmpdir(), 'scm-does-not-exist-dir')] }))).toBe(
      'SCM_SCHEMA_UNRESOLVED',
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), '{ "type": ');
    expect(codeOf(() => createValidator({ schemaDirs: [dir] }))).toBe('SCM_SCHEMA_INVALID');
    expect(codeOf(() => createValidator({ schemas: { [DEMO_URI]: { type: 12 } } }))).toBe(
      'SCM_SCHEMA_INVALID',
    );
  });

  it('maps old URIs with uriAliases and satisfies the schema’s own stac_extensions check', () => {
    const old = 'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/main/json-schema/schema.json';
    const item: Record<string, unknown> = { ...clone(dgeoItem), stac_extensions: [old] };
    expect(createValidator().validate(item).errors).toMatchObject([
      { kind: 'schema_unresolved', path: '/stac_extensions/0' },
    ]);
    const aliased = createValidator({ uriAliases: { [old]: DGEO_MAIN }, checkDuplicateIds: false });
    expect(aliased.validate(item)).toMatchObject({ valid: true, errors: [] });
    const broken = clone(item) as { properties: Record<string, unknown> };
    delete broken.properties['dgeo:cids'];
    expect(aliased.validate(broken).errors).toMatchObject([
      { kind: 'schema', path: '/properties/dgeo:cids' },
    ]);
  });
});

describe('extensions', () => {
  const cidCheck = {
    schemaUris: [DGEO_MAIN],
    checkObject(object: Record<string, unknown>): ValidationIssue[] {
      const cids = ((object.properties as Record<string, unknown>)?.['dgeo:cids'] as string[]) ?? [];
      const assets = (object.assets ?? {}) as Record<string, Record<string, unknown>>;
      return Object.entries(assets)
        .filter(([, a]) => typeof a['dgeo:cid'] === 'string' && !cids.includes(a['dgeo:cid'] as string))
        .map(([key]) => ({
          path: `/assets/${key}/dgeo:cid`,
          message: `assets.${key}.dgeo:cid is not listed in properties.dgeo:cids`,
          kind: 'dgeo',
          severity: 'error' as const,
        }));
    },
  };

  it('calls checkObject for objects declaring one of its schemaUris, and only those', () => {
    let calls = 0;
    const counting = {
      ...cidCheck,
      checkObject: (o: Record<string, unknown>) => {
        calls++;
        return cidCheck.checkObject(o);
      },
    };
    const validator = createValidator({ extensions: [counting], checkDuplicateIds: false });
    expect(validator.validate(dgeoItem).valid).toBe(true);
    validator.validate(core);
    expect(calls).toBe(1);
    const item = clone(dgeoItem) as { assets: Record<string, Record<string, unknown>> };
    item.assets.red!['dgeo:cid'] = 'bafybeihpjhkeuiq3k6nqa3fkgeigeri7iebtrsuyuey5y6vy36n345xmbi';
    expect(shape(validator.validate(item).errors)).toEqual(['dgeo /assets/red/dgeo:cid']);
  });

  it('accepts an Extension from @scm/core as it is', () => {
    const ext = defineExtension({
      name: 'demo',
      prefix: 'demo',
      schemaUris: [DEMO_URI],
      schemas: { [DEMO_URI]: demoSchema },
      configSchema: { type: 'object' },
      applyToItem: (item) => item,
      checkObject: (object) =>
        (object as { properties?: Record<string, unknown> }).properties?.['demo:level'] === 0
          ? [
              {
                path: '/properties/demo:level',
                message: 'demo:level 0 is reserved',
                kind: 'demo',
                severity: 'warning',
              },
            ]
          : [],
    });
    const report = createValidator({ extensions: [ext] }).validate(
      withExtension(DEMO_URI, { 'demo:level': 0 }),
    );
    expect(report.valid).toBe(true);
    expect(shape(report.warnings)).toEqual(['demo /properties/demo:level']);
  });

  it('adds an extension’s schemas, and turns a throwing check into an issue', () => {
    const ext = {
      schemaUris: [DEMO_URI],
      schemas: { [DEMO_URI]: demoSchema },
      checkObject(): ValidationIssue[] {
        throw new Error('boom');
      },
    };
    const report = createValidator({ extensions: [ext] }).validate(
      withExtension(DEMO_URI, { 'demo:level': 2 }),
    );
    expect(report.errors).toMatchObject([{ kind: 'extension', message: expect.stringContaining('boom') }]);
  });
});

describe('error reporting', () => {
  it('reports only the Item branch of a oneOf over Item/Collection/Catalog (dgeo)', () => {
    const item = clone(dgeoItem) as { properties: Record<string, unknown> };
    delete item.properties['dgeo:cids'];
    const report = createValidator().validate(item);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({
      kind: 'schema',
      keyword: 'required',
      path: '/properties/dgeo:cids',
      schema: DGEO_MAIN,
      message: 'properties.dgeo:cids is required but missing',
    });
    expect(JSON.stringify(report)).not.toMatch(/Collection|Catalog|oneOf/);
  });

  it('names the allowed geometry types instead of listing every GeoJSON branch', () => {
    const item = clone(core) as { geometry: { type: string } };
    item.geometry.type = 'Polygonn';
    const report = createValidator().validate(item);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toMatch(/"Polygon".*got "Polygonn"/);
  });

  it('keeps the one failing branch inside a geometry oneOf', () => {
    const item = clone(core) as Record<string, unknown>;
    item.geometry = { type: 'Point', coordinates: [172.9, 'north'] };
    item.bbox = [172.9, 1, 172.9, 1];
    const errors = createValidator().validate(item).errors;
    expect(shape(errors)).toEqual(['geometry /geometry/coordinates/1']);
    expect(errors[0]?.message).toMatch(/finite number/);
  });

  it('explains if/then rules and drops the bare "must match then schema" error', () => {
    const item = fixture('cmr-stac-items-page-feature.json');
    const [error, ...rest] = createValidator().validate(item).errors;
    expect(rest).toEqual([]);
    expect(error?.message).toBe(
      'collection is not allowed here (rule: unless links contains an entry where rel is "collection")',
    );
  });

  it('summarises a oneOf whose alternatives fail equally (bbox of 4 or 6 numbers)', () => {
    const collection = clone(fixture('stac-spec-collection.json')) as {
      extent: { spatial: { bbox: number[][] } };
    };
    collection.extent.spatial.bbox[0] = [1, 2, 3];
    const errors = createValidator().validate(collection).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '/extent/spatial/bbox/0', keyword: 'oneOf' });
    expect(errors[0]?.message).toMatch(/at least 4 item\(s\).*at least 6 item\(s\)/);
  });

  it('says once what alternatives that fail for the same reason need (item without datetime)', () => {
    const item = clone(core) as { properties: Record<string, unknown> };
    delete item.properties.datetime;
    const messages = createValidator()
      .validate(item)
      .errors.map((e) => e.message);
    expect(messages.join('\n')).not.toMatch(/\(1\)|alternatives/);
    expect(messages).toEqual([
      'properties.datetime is required; use null together with start_datetime and end_datetime for a time range',
    ]);
  });

  it('collapses duplicate messages and keeps the dedicated check over the schema keyword', () => {
    const item = clone(core) as { properties: Record<string, unknown> };
    item.properties.datetime = 'not a date';
    const errors = createValidator().validate(item).errors;
    // datetime.json has both a format and a pattern for it; one actionable datetime issue remains.
    expect(shape(errors)).toEqual(['datetime /properties/datetime']);
  });
});

describe('checks beyond JSON Schema', () => {
  const validator = () => createValidator({ checkDuplicateIds: false });

  it('reports a malformed href one map deep in an asset (an alternate location), whatever declares it', () => {
    const item = clone(fixture('easierdata-item-alternate-assets.json')) as {
      assets: Record<string, { alternate: Record<string, { href: string }> }>;
    };
    const [first] = Object.keys(item.assets);
    const alternates = item.assets[first!]!.alternate;
    const [name] = Object.keys(alternates);
    alternates[name!]!.href = 'C:\\data\\B02.tif';
    const report = validator().validate(item);
    expect(shape(report.errors)).toEqual([`asset_href /assets/${first}/alternate/${name}/href`]);
    expect(report.errors[0]!.message).toMatch(/looks like a Windows file path/);
  });

  it('accepts an antimeridian-crossing bbox (west > east) for a geometry that crosses', () => {
    const item = clone(core) as Record<string, unknown>;
    item.geometry = {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [179, 10],
            [180, 10],
            [180, 12],
            [179, 12],
            [179, 10],
          ],
        ],
        [
          [
            [-180, 10],
            [-179, 10],
            [-179, 12],
            [-180, 12],
            [-180, 10],
          ],
        ],
      ],
    };
    item.bbox = [179, 10, -179, 12];
    expect(validator().validate(item)).toMatchObject({ valid: true, warnings: [] });
    item.bbox = [-180, 10, 180, 12];
    expect(validator().validate(item)).toMatchObject({ valid: true, warnings: [] });
    item.bbox = [178, 10, -179, 12];
    expect(validator().validate(item).warnings).toMatchObject([{ kind: 'bbox', path: '/bbox' }]);
    item.bbox = [179.5, 10, -179, 12];
    expect(validator().validate(item).errors).toMatchObject([{ kind: 'bbox', path: '/bbox' }]);
  });

  it('checks 3D bboxes against elevations', () => {
    const item = clone(core) as Record<string, unknown>;
    item.geometry = { type: 'Point', coordinates: [10, 20, 100] };
    item.bbox = [10, 20, 50, 10, 20, 150];
    expect(validator().validate(item).valid).toBe(true);
    item.bbox = [10, 20, 0, 10, 20, 50];
    expect(shape(validator().validate(item).errors)).toEqual(['bbox /bbox']);
  });

  it('allows null geometry without bbox', () => {
    const item = clone(core) as Record<string, unknown>;
    item.geometry = null;
    delete item.bbox;
    expect(validator().validate(item).valid).toBe(true);
  });

  it('checks self-intersection on polygons of any size (no vertex limit, the old option is ignored)', () => {
    const ring = Array.from({ length: 6000 }, (_, i) => [
      10 + Math.cos((i / 6000) * 2 * Math.PI),
      10 + Math.sin((i / 6000) * 2 * Math.PI),
    ]);
    ring.push(ring[0]!);
    const item = clone(core) as Record<string, unknown>;
    item.geometry = { type: 'Polygon', coordinates: [ring] };
    item.bbox = [9, 9, 11, 11];
    const simple = createValidator({ maxSelfIntersectionVertices: 10 }).validate(item);
    expect(simple.valid).toBe(true);
    expect(simple.warnings.map((w) => w.kind)).not.toContain('geometry');
    const crossed = ring.map((p) => p.slice());
    crossed[3000] = [10.5, 10.5]; // pulled inside, past the centre: its edges cut through the ring
    crossed[1500] = [9.5, 9.5];
    item.geometry = { type: 'Polygon', coordinates: [crossed] };
    const report = createValidator({ maxSelfIntersectionVertices: 10 }).validate(item);
    expect(report.errors.map((e) => e.kind)).toContain('geometry');
  });

  it('respects bboxTolerance', () => {
    const item = clone(core) as { bbox: number[] };
    item.bbox[0] = (item.bbox[0] as number) + 0.001;
    expect(validator().validate(item).valid).toBe(false);
    expect(createValidator({ bboxTolerance: 0.01 }).validate(item).valid).toBe(true);
  });

  it('tracks duplicate ids per validator instance (id + collection), and can forget or skip them', () => {
    const a = createValidator();
    expect(a.validate(core).valid).toBe(true);
    expect(shape(a.validate(core).errors)).toEqual(['duplicate_id /id']);
    expect(a.validate({ ...clone(core), collection: 'other' }).valid).toBe(true); // same id, other collection
    a.resetDuplicateIds();
    expect(a.validate(core).valid).toBe(true);
    expect(createValidator().validate(core).valid).toBe(true); // another instance is another run
    const off = createValidator({ checkDuplicateIds: false });
    off.validate(core);
    expect(off.validate(core).valid).toBe(true);
  });

  it('checks Collection and asset datetimes', () => {
    const collection = clone(fixture('stac-spec-collection.json')) as Record<string, unknown>;
    collection.created = '2021-02-30T00:00:00Z';
    expect(shape(validator().validate(collection).errors)).toEqual(['datetime /created']);
  });
});

describe('summaries and streams', () => {
  it('summarizeReports counts valid, invalid, warnings and errors by kind', () => {
    const validator = createValidator({ checkDuplicateIds: false, level: 'lenient' });
    const bad = clone(core) as Record<string, unknown>;
    delete bad.bbox;
    const unknown = { ...clone(core), stac_extensions: ['https://example.com/x/v1/schema.json'] };
    const reports = validateMany([core, bad, unknown, 'nonsense'], validator);
    expect(summarizeReports(reports)).toEqual({
      total: 4,
      valid: 2,
      invalid: 2,
      warnings: 1,
      byKind: { bbox: 1, schema: 1 },
    });
  });

  it('validateStream yields each object with its report, in order, pulling lazily', async () => {
    let pulled = 0;
    async function* source() {
      for (const id of ['a', 'b', 'a']) {
        pulled++;
        yield { ...clone(core), id };
      }
    }
    const seen: Array<[string, boolean]> = [];
    const stream = validateStream(source(), createValidator());
    const first = await stream.next();
    expect(pulled).toBe(1);
    seen.push([(first.value as { object: { id: string } }).object.id, first.value!.report.valid]);
    for await (const { object, report } of stream) seen.push([(object as { id: string }).id, report.valid]);
    expect(seen).toEqual([
      ['a', true],
      ['b', true],
      ['a', false],
    ]);
  });

  it('validateStream stops with SCM_ABORTED when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(async () => {
      for await (const _ of validateStream([core], createValidator(), { signal: controller.signal })) {
        // never reached
      }
    }).rejects.toMatchObject({ code: 'SCM_ABORTED' });
  });
});
