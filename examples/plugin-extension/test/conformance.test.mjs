// The conformance suite of stac-catalog-manager, run the way any plugin author runs it: @scm/testing and
// vitest installed as dev dependencies, `npm test`. One vitest test per rule of the extension contract.
import { readFileSync } from 'node:fs';
import { testExtension } from '@scm/testing';
import { describeExtensionConformance } from '@scm/testing/vitest';
import { describe, expect, it } from 'vitest';
import { definition } from '../definition.mjs';
import plugin from '../index.mjs';

const fixture = (name) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const items = [fixture('easierdata-item.json'), fixture('stac-spec-core-item.json')];
const collections = [fixture('stac-spec-collection.json')];

describeExtensionConformance(plugin, [
  { name: 'label only', items, collections, config: { label: 'reviewed by the data team' } },
  { name: 'assets tagged', items, collections, config: { label: 'x', tag_assets: true } },
]);

describe('the suite catches a broken variant of this plugin', () => {
  it('reports an apply function that writes outside demo:*', () => {
    const broken = {
      ...definition,
      applyToItem: (item, context) => {
        const out = definition.applyToItem(item, context);
        return { ...out, properties: { ...out.properties, platform: 'demo' } };
      },
    };
    const problems = testExtension(broken, { items, config: { label: 'x' } });
    expect(problems.map((p) => p.check)).toContain('owned-fields');
  });
});
