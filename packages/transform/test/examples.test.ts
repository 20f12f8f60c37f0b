import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SourceRecord } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { createAudit, formatAudit, loadMapping, transformRecords } from '../src/index.js';
import { csvRecords, drain, expectGolden, fixture, readers, readJson, split, stream } from './helpers.js';

const examples = (...parts: string[]) =>
  fileURLToPath(new URL(`../../../examples/${parts.join('/')}`, import.meta.url));

describe('examples/astral: location proofs to STAC fields', () => {
  it('examples/astral/records.json is the sample page', () => {
    expect(readFileSync(examples('astral', 'records.json'), 'utf8')).toBe(
      readFileSync(fixture('astral', 'v0-location-proofs-page1.json'), 'utf8'),
    );
  });

  it('maps every record of the sample pages', async () => {
    const mapping = await loadMapping(examples('astral', 'mapping.yaml'), readers);
    const pages: [string, { data: unknown[] }][] = [
      ['records.json', JSON.parse(readFileSync(examples('astral', 'records.json'), 'utf8'))],
      ['v0-location-proofs-last-page.json', readJson('astral', 'v0-location-proofs-last-page.json')],
      ['v0-location-proof.json', { data: [readJson('astral', 'v0-location-proof.json')] }],
    ];
    const input: SourceRecord[] = pages.flatMap(([file, page]) =>
      page.data.map((value, index) => ({ value, origin: { file, index } })),
    );
    const audit = createAudit(mapping);
    const { records, failures } = split(await drain(transformRecords(stream(input), mapping, { audit })));
    expect(failures).toEqual([]);
    expect(records).toHaveLength(input.length);
    expect(audit.records).toMatchObject({ total: 4, mapped: 4, failed: 0 });
    const items = records.map((r) => r.value);
    expect(items[0]).toEqual({
      id: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
      collection: 'astral-location-proofs',
      properties: {
        datetime: '2023-09-15T12:34:56Z',
        created: '2023-09-15T12:35:00Z',
        updated: '2023-09-15T12:35:00Z',
        title: 'San Francisco city center',
        'astral:chain': 'sepolia',
        'astral:prover': '0xabcdef1234567890abcdef1234567890abcdef12',
        'astral:subject': '0xabcdef1234567890abcdef1234567890abcdef12',
        'astral:srs': 'WGS84',
        'astral:location_type': 'point',
        'astral:revoked': false,
        'astral:recipe_types': ['gps', 'ip'],
      },
      geometry: { type: 'Point', coordinates: [-122.4194, 37.7749] },
      assets: { 'media-0': { href: 'ipfs://base64_encoded_data...', type: 'image/jpeg', roles: ['data'] } },
    });
    // the second record has no subject and a "lat,lng" location; the columns give the point
    expect(items[1]).toMatchObject({
      geometry: { type: 'Point', coordinates: [-76.9426, 38.9869] },
      properties: { 'astral:revoked': true, 'astral:recipe_types': [] },
      assets: { 'media-0': { href: 'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi' } },
    });
    expect(items[1]!.properties).not.toHaveProperty('astral:subject');
    expect(formatAudit(audit)).toMatch(/#6 geometry <- location\s+0\s+0\s+4\s+0/);
    expectGolden(items, 'astral-items.json');
  });

  it('falls back to the GeoJSON `location` when the coordinate columns are missing', async () => {
    const mapping = await loadMapping(examples('astral', 'mapping.yaml'), readers);
    const record = readJson<Record<string, unknown>>('astral', 'v0-location-proof.json');
    delete record.longitude;
    delete record.latitude;
    const { records } = split(
      await drain(transformRecords(stream([{ value: record, origin: {} }]), mapping)),
    );
    expect(records[0]!.value.geometry).toEqual({ type: 'Point', coordinates: [-122.4194, 37.7749] });
  });
});

describe('PRD scenario 4: CSV columns to STAC fields', () => {
  it('maps the CSV, keeps custom fields in properties, and reports bad rows with their line', async () => {
    const mapping = await loadMapping(fixture('scenario4', 'mapping.yaml'), readers);
    const audit = createAudit(mapping);
    const { records, failures } = split(
      await drain(transformRecords(stream(csvRecords('scenario4', 'records.csv')), mapping, { audit })),
    );
    expect(records).toHaveLength(3);
    expect(records[0]!.value).toEqual({
      id: 'field-survey-2024-ds001',
      collection: 'field survey 2024',
      properties: {
        datetime: '2024-01-12T10:30:00Z',
        platform: 'sentinel-2a',
        'eo:cloud_cover': 12.5,
        instruments: ['msi'],
        notes: 'first pass, clear sky',
      },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [-105.1, 39.2],
            [-104.9, 39.2],
            [-104.9, 39.4],
            [-105.1, 39.4],
            [-105.1, 39.2],
          ],
        ],
      },
      assets: {
        data: {
          href: 'https://data.example.com/survey/DS001.tif',
          type: 'image/tiff; application=geotiff; profile=cloud-optimized',
          roles: ['data'],
        },
      },
    });
    expect(records[2]!.value.geometry).toEqual({ type: 'Point', coordinates: [-76.9426, 38.9869, 12.5] });
    expect(
      failures.map((f) => [f.item_id, f.error_context.line, f.error_context.field, f.error_message]),
    ).toEqual([
      [
        'field-survey-2024-ds004',
        5,
        'acquisition_date',
        'rule 1 -> properties.datetime from acquisition_date: day 31 does not exist in 2024-02',
      ],
      [
        'field-survey-2024-ds005',
        6,
        'geometry_wkt',
        'rule 2 -> geometry from geometry_wkt: a polygon ring needs at least 4 positions (and 1 more)',
      ],
    ]);
    expect((failures[1]!.error_context.details as { errors: { message: string }[] }).errors[1]!.message).toBe(
      '"XX9" is not a key of lookup table "platforms"',
    );
    expectGolden(
      records.map((r) => r.value),
      'scenario4-items.json',
    );
    expectGolden(audit.toJSON().rules, 'scenario4-audit-rules.json');
  });
});
