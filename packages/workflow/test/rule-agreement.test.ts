/**
 * The packages a run chains (transform → scaffold → validate) must
 * give one verdict on the same value: each rule below has one home in
 * `@scm/core`, and these tests hold the call sites to it. The Item is the
 * STAC spec's `simple-item.json` (from shared/samples).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Position, StacItem } from '@scm/core';
import { scaffoldItem } from '@scm/scaffold';
import { applyMapping, parseMapping } from '@scm/transform';
import { createValidator } from '@scm/validate';
import { describe, expect, it } from 'vitest';
import { MAPPING_READERS } from '../src/readers.js';

const sample = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'simple-item.json'), 'utf8'),
) as StacItem;

/** The sample as a flat mapped record, the shape scaffold-items reads. */
function record(overrides: Record<string, unknown>): Record<string, unknown> {
  const { datetime, ...rest } = sample.properties as Record<string, unknown>;
  return { id: sample.id, geometry: sample.geometry, datetime, ...rest, ...overrides };
}

function scaffoldAccepts(overrides: Record<string, unknown>): boolean {
  return scaffoldItem(record(overrides)).ok;
}

function validateAccepts(item: StacItem): boolean {
  return createValidator({ checkDuplicateIds: false }).validate(item).valid;
}

const mapping = parseMapping(
  `
mappings:
  - source_field: when
    target_field: properties.datetime
    transform: { type: datetime, formats: [iso] }
  - source_field: shape
    target_field: geometry
    transform: geojson_geometry
`,
  undefined,
  MAPPING_READERS,
);

describe('a leap second', () => {
  const leap = '2016-12-31T23:59:60Z';

  it('is accepted by scaffold-items, validate and transform alike, as the next second', () => {
    const scaffolded = scaffoldItem(record({ datetime: leap }));
    expect(scaffolded.ok).toBe(true);
    if (scaffolded.ok) expect(scaffolded.item.properties.datetime).toBe('2017-01-01T00:00:00Z');
    expect(validateAccepts({ ...sample, properties: { ...sample.properties, datetime: leap } })).toBe(true);
    const mapped = applyMapping({ when: leap, shape: sample.geometry }, mapping);
    expect(mapped.ok).toBe(true);
    if (mapped.ok) expect((mapped.value as StacItem).properties.datetime).toBe('2017-01-01T00:00:00Z');
  });

  it('is refused by all of them at :61', () => {
    const bad = '2016-12-31T23:59:61Z';
    expect(scaffoldAccepts({ datetime: bad })).toBe(false);
    expect(validateAccepts({ ...sample, properties: { ...sample.properties, datetime: bad } })).toBe(false);
    expect(applyMapping({ when: bad, shape: sample.geometry }, mapping).ok).toBe(false);
  });
});

/** A closed ring of `n` vertices around (lon, lat), alternating radii so it is simple but not convex. */
function star(n: number, lon: number, lat: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (i / n) * 2 * Math.PI;
    const r = i % 2 === 0 ? 0.01 : 0.008;
    ring.push([lon + r * Math.cos(angle), lat + r * Math.sin(angle)]);
  }
  ring.push(ring[0]!);
  return ring;
}

/** The verdicts of scaffold, validate and transform → scaffold on one polygon: true when it is refused. */
function verdicts(ring: Position[]): boolean[] {
  const geometry = { type: 'Polygon' as const, coordinates: [ring] };
  const scaffolded = scaffoldItem(record({ geometry }));
  const item = { ...sample, geometry, bbox: bboxOf(ring) };
  const issues = createValidator({ checkDuplicateIds: false })
    .validate(item)
    .errors.filter((e) => e.kind === 'geometry');
  const mapped = applyMapping({ when: '2020-12-11T22:38:32Z', shape: geometry }, mapping);
  const throughTransform = mapped.ok
    ? scaffoldItem(record({ geometry: (mapped.value as StacItem).geometry })).ok
    : false;
  return [!scaffolded.ok, issues.length > 0, !throughTransform];
}

function bboxOf(ring: Position[]): number[] {
  const xs = ring.map((p) => p[0]!);
  const ys = ring.map((p) => p[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

describe('the self-intersection verdict', () => {
  const [lon, lat] = (sample.geometry as { coordinates: Position[][] }).coordinates[0]![0]!;

  it('is the same in scaffold, validate and transform → scaffold on a bow-tie', () => {
    const bowTie: Position[] = [
      [lon!, lat!],
      [lon! + 0.01, lat! + 0.01],
      [lon! + 0.01, lat!],
      [lon!, lat! + 0.01],
      [lon!, lat!],
    ];
    expect(verdicts(bowTie)).toEqual([true, true, true]);
  });

  it('is the same on rings above 5,000 vertices, simple or not (validate no longer skips them)', () => {
    const simple = star(6000, lon!, lat!);
    expect(verdicts(simple)).toEqual([false, false, false]);
    const crossed = simple.slice();
    crossed[3000] = [lon! + 0.02, lat!]; // pulled across the ring's far side
    expect(verdicts(crossed)).toEqual([true, true, true]);
  });
});
