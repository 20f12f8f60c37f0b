// The extension as a plain ExtensionDefinition object: no import of @scm/core is needed.
// stac-catalog-manager passes it through defineExtension() when it loads the plugin.
import { readFileSync } from 'node:fs';

export const SCHEMA_URI = 'https://example.com/stac-extensions/demo/v1.0.0/schema.json';

const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8'));

/** Returns `list` with `uri` present once, at the end (the same rule as withStacExtension in @scm/core). */
function declare(list, uri) {
  return [...(list ?? []).filter((u) => u !== uri), uri];
}

export const definition = {
  name: 'demo',
  prefix: 'demo',
  description: 'Adds demo:label and demo:asset_count (an example plugin).',
  schemaUris: [SCHEMA_URI],
  schemas: { [SCHEMA_URI]: schema },
  configSchema: {
    type: 'object',
    required: ['label'],
    additionalProperties: false,
    properties: {
      label: { type: 'string', minLength: 1, description: 'Written to demo:label.' },
      tag_assets: { type: 'boolean', default: false, description: 'Also write demo:key on each asset.' },
    },
  },

  // Pure: builds a new object and never changes `item`. Idempotent: every value is recomputed from
  // the input, so a second run writes the same values.
  applyToItem(item, { config }) {
    const assets = item.assets ?? {};
    const nextAssets = {};
    for (const [key, asset] of Object.entries(assets)) {
      nextAssets[key] = config.tag_assets ? { ...asset, 'demo:key': key } : asset;
    }
    return {
      ...item,
      stac_extensions: declare(item.stac_extensions, SCHEMA_URI),
      properties: {
        ...item.properties,
        'demo:label': config.label,
        'demo:asset_count': Object.keys(assets).length,
      },
      assets: nextAssets,
    };
  },

  applyToCollection(collection, { config }) {
    return {
      ...collection,
      stac_extensions: declare(collection.stac_extensions, SCHEMA_URI),
      'demo:label': config.label,
    };
  },

  // A rule the JSON Schema cannot express: the count must match the assets.
  checkObject(object) {
    const count = object?.properties?.['demo:asset_count'];
    if (object?.type !== 'Feature' || count === undefined) return [];
    const actual = Object.keys(object.assets ?? {}).length;
    return count === actual
      ? []
      : [
          {
            path: '/properties/demo:asset_count',
            message: `demo:asset_count is ${count} but the Item has ${actual} assets`,
            kind: 'demo',
            severity: 'error',
          },
        ];
  },
};
