import { createFailure, type SourceRecord } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { createAudit, enrichItems, formatAudit, keyedRecords, parseMapping } from '../src/index.js';
import { csvRecords, drain, readJson, split, stream } from './helpers.js';

type Item = {
  id: string;
  collection?: string;
  properties: Record<string, unknown>;
  assets: Record<string, Record<string, unknown>>;
};

function hlsItems(): SourceRecord<Item>[] {
  const page = readJson<{ features: Item[] }>('cmr-stac', 'items-HLSS30_2.0-limit2-page1.json');
  const single = readJson<Item>('cmr-stac', 'item-HLS.S30.T13SFC.2022273T174141.v2.0.json');
  const alternate = readJson<Item>('easierdata', 'item-HLSS30_2.0-alternate-assets.json');
  const dgeo = readJson<Item>('easierdata', 'item-HLSS30_2.0-dgeo-migrated.json');
  return [
    ...page.features.map((value, index) => ({
      value,
      origin: { file: 'items-HLSS30_2.0-limit2-page1.json', index },
    })),
    { value: single, origin: { file: 'item-HLS.S30.T13SFC.2022273T174141.v2.0.json' } },
    { value: alternate, origin: { file: 'item-HLSS30_2.0-alternate-assets.json' } },
    { value: dgeo, origin: { file: 'item-HLSS30_2.0-dgeo-migrated.json' } },
  ];
}

describe('enrichment with the EasierData sidecar', () => {
  const sidecar = () =>
    keyedRecords(readJson<Record<string, unknown>>('easierdata', 'HLSS30_2.0-sidecar-cloud-cover.json'), {
      file: 'HLSS30_2.0-sidecar-cloud-cover.json',
    });
  const mapping = parseMapping({
    mappings: [
      { source_field: 'cloud_cover', target_field: 'properties["eo:cloud_cover"]', transform: 'number' },
      { source_field: 'snow_cover', target_field: 'properties.hls:snow_cover', transform: 'number' },
      { template: '{$item.collection}/{id}', target_field: 'properties.sidecar_ref' },
      { target_field: 'assets.*.roles', constant: ['data'], overwrite: false, optional: true },
    ],
  });

  it('joins by id and maps the columns into each matching item', async () => {
    const items = hlsItems();
    const before = JSON.stringify(items);
    const audit = createAudit(mapping);
    const out = await drain(enrichItems(stream(items), sidecar(), { mapping, audit }));
    const { records, failures } = split(out);
    expect(failures).toEqual([]);
    expect(
      records.map((r) => [r.value.id, (r.value.properties as Record<string, unknown>)['hls:snow_cover']]),
    ).toEqual([
      ['HLS.S30.T13SFC.2022273T174141.v2.0', 0],
      ['HLS.S30.T13SGC.2022273T174141.v2.0', undefined],
      ['HLS.S30.T13SFC.2022273T174141.v2.0', 0],
      ['HLS.S30.T13SFC.2022273T174141.v2.0', 0],
      ['HLS.S30.T13SFC.2022273T174141.v2.0', 0],
    ]);
    const enriched = records[2]!.value as Item;
    expect(enriched.properties).toMatchObject({
      datetime: '2022-09-30T17:51:36.529Z',
      'eo:cloud_cover': 0,
      'hls:snow_cover': 0,
      sidecar_ref: 'HLSS30_2.0/HLS.S30.T13SFC.2022273T174141.v2.0',
    });
    // existing asset roles are kept (overwrite: false), assets without roles get one
    expect(enriched.assets.B01!.roles).toEqual(['data']);
    expect(enriched.assets.browse!.roles).toEqual(['browse']);
    // the unmatched item is passed on unchanged, the input items are not modified
    expect(records[1]).toBe(items[1]);
    expect(JSON.stringify(items)).toBe(before);
    expect(audit.enrichment).toEqual({
      items: 5,
      matched: 4,
      unmatched: 1,
      failed: 0,
      sidecar_rows: 20,
      duplicate_keys: 0,
      rows_without_key: 0,
      unused_rows: 19,
    });
    expect(formatAudit(audit)).toContain(
      'enrichment: 5 items, 4 matched, 1 without a sidecar row, 0 failed; 20 sidecar rows, 19 unused',
    );
  });

  it('onMissing: fail turns unmatched items into failures', async () => {
    const out = await drain(
      enrichItems(stream(hlsItems()), sidecar(), { mapping, onMissing: 'fail', audit: createAudit(mapping) }),
    );
    const { failures } = split(out);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      item_id: 'HLS.S30.T13SGC.2022273T174141.v2.0',
      error_type: 'transformation_error',
      error_message: 'no sidecar row has the key "HLS.S30.T13SGC.2022273T174141.v2.0" (item key "id")',
      error_context: { step: 'transform', field: 'id', file: 'items-HLSS30_2.0-limit2-page1.json' },
    });
  });
});

describe('enrichment with a CSV sidecar', () => {
  const mapping = parseMapping({
    passthrough: true,
    mappings: [
      { source_field: 'cloud', target_field: 'properties.eo:cloud_cover', transform: 'number' },
      { source_field: 'checksum_{$key}', target_field: 'assets.*.file:checksum', optional: true },
    ],
  });
  const items = (): SourceRecord[] =>
    [123, 124, 125, 126].map((granule, i) => ({
      value: {
        id: `item-${granule}`,
        properties: { granule },
        assets: {
          B01: { href: `s3://b/${granule}/B01.tif` },
          B02: { href: `s3://b/${granule}/B02.tif` },
          thumbnail: { href: 't.png' },
        },
      },
      origin: { file: 'items.ndjson', line: i + 1 },
    }));
  const rows = () => csvRecords('sidecar', 'checksums.csv');

  it('matches numeric item keys with text sidecar keys, and fills wildcard assets', async () => {
    const audit = createAudit(mapping);
    const out = await drain(
      enrichItems(stream(items()), stream(rows()), {
        mapping,
        itemKey: 'properties.granule',
        sidecarKey: 'granule',
        onDuplicateKey: 'first',
        audit,
      }),
    );
    const { records, failures } = split(out);
    expect(failures).toEqual([]);
    expect(records.map((r) => r.value)).toEqual([
      {
        id: 'item-123',
        properties: { granule: 123, 'eo:cloud_cover': 7.5, quality: 'good' },
        assets: {
          B01: { href: 's3://b/123/B01.tif', 'file:checksum': '1220aa01' },
          B02: { href: 's3://b/123/B02.tif', 'file:checksum': '1220aa02' },
          thumbnail: { href: 't.png' },
        },
      },
      {
        id: 'item-124',
        properties: { granule: 124, 'eo:cloud_cover': 0, quality: 'fair' },
        assets: {
          B01: { href: 's3://b/124/B01.tif', 'file:checksum': '1220bb01' },
          B02: { href: 's3://b/124/B02.tif' },
          thumbnail: { href: 't.png' },
        },
      },
      expect.objectContaining({
        id: 'item-125',
        properties: expect.objectContaining({ granule: 125, 'eo:cloud_cover': 100 }),
      }),
      expect.objectContaining({ id: 'item-126', properties: { granule: 126 } }),
    ]);
    expect(audit.enrichment).toMatchObject({
      items: 4,
      matched: 3,
      unmatched: 1,
      duplicate_keys: 1,
      unused_rows: 0,
    });
    expect(audit.rules.map((r) => [r.rule, r.mapped, r.skipped])).toEqual([
      [0, 3, 0],
      [1, 5, 4],
    ]);
  });

  it('onDuplicateKey: last keeps the last row', async () => {
    const out = await drain(
      enrichItems(stream(items()), rows(), {
        mapping,
        itemKey: 'properties.granule',
        sidecarKey: 'granule',
        onDuplicateKey: 'last',
        audit: createAudit(mapping),
      }),
    );
    expect(split(out).records[0]!.value).toMatchObject({
      properties: { 'eo:cloud_cover': 9, quality: 'duplicate' },
    });
  });

  it('onDuplicateKey: error (the default) fails the repeated row and every item with that key', async () => {
    const out = await drain(
      enrichItems(stream(items()), rows(), {
        mapping,
        itemKey: 'properties.granule',
        sidecarKey: 'granule',
        audit: createAudit(mapping),
      }),
    );
    const { records, failures } = split(out);
    expect(failures.map((f) => f.error_message)).toEqual([
      'sidecar key "123" at sidecar/checksums.csv:5 was already seen at sidecar/checksums.csv:2; set onDuplicateKey to "first" or "last" to pick one',
      'the sidecar has 2 rows with the key "123" (sidecar/checksums.csv:2, sidecar/checksums.csv:5)',
    ]);
    expect(failures[0]).toMatchObject({ error_context: { file: 'sidecar/checksums.csv', line: 5 } });
    expect(failures[1]).toMatchObject({
      item_id: 'item-123',
      error_context: { file: 'items.ndjson', line: 1 },
    });
    expect(records.map((r) => (r.value as Item).id)).toEqual(['item-124', 'item-125', 'item-126']);
  });

  it('mapping errors name the item and the sidecar row; failures from either input pass through', async () => {
    const strict = parseMapping([
      { source_field: 'quality', target_field: 'properties.q', transform: 'number' },
    ]);
    const upstream = createFailure({ itemId: 'x', errorType: 'other', message: 'unreadable', step: 'read' });
    const out = await drain(
      enrichItems(stream([...items().slice(1, 2), upstream]), [...rows().slice(1, 2), upstream], {
        mapping: strict,
        itemKey: 'properties.granule',
        sidecarKey: 'granule',
      }),
    );
    expect(out[0]).toBe(upstream);
    expect(out[1]).toMatchObject({
      item_id: 'item-124',
      error_message: 'rule 0 -> properties.q from quality: "fair" is not a number',
      error_context: {
        file: 'items.ndjson',
        line: 2,
        details: { key: '124', sidecar: { file: 'sidecar/checksums.csv', line: 3 } },
      },
    });
    expect(out[2]).toBe(upstream);
  });

  it('rows without a key become failures; bad key paths are usage errors', async () => {
    const out = await drain(
      enrichItems(stream([]), [{ other: 1 }, { granule: '' }], { mapping, sidecarKey: 'granule' }),
    );
    expect(out.map((f) => ('error_message' in f ? f.error_message : ''))).toEqual([
      'sidecar row at row 0 has no usable key at "granule"',
      'sidecar row at row 1 has no usable key at "granule"',
    ]);
    await expect(
      drain(enrichItems(stream([]), [], { mapping, itemKey: 'assets.*.href' })),
    ).rejects.toMatchObject({ code: 'SCM_USAGE' });
  });

  it('accepts a custom key normaliser', async () => {
    const upper = parseMapping([{ source_field: 'v', target_field: 'properties.v' }]);
    const out = await drain(
      enrichItems(stream([{ value: { id: 'abc', properties: {} }, origin: {} }]), [{ id: 'ABC', v: 1 }], {
        mapping: upper,
        normalizeKey: (value) => (typeof value === 'string' ? value.toLowerCase() : undefined),
      }),
    );
    expect(split(out).records[0]!.value).toEqual({ id: 'abc', properties: { v: 1 } });
  });
});
