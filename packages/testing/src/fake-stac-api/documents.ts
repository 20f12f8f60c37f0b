import type { StacLink } from '@scm/core';
import collectionTemplate from './hls-collection-template.json' with { type: 'json' };
import type { StoredCollection } from './store.js';

/** Conformance classes every style claims. */
export const CONFORMS_TO = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/item-search',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'https://api.stacspec.org/v1.0.0/collections',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];

/** Conformance classes of item search with a CQL2 filter (`searchExtensions.filter`). */
export const FILTER_CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0-rc.2/item-search#filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
];

/** Conformance class of item search with the fields extension (`searchExtensions.fields`). */
export const FIELDS_CONFORMANCE = ['https://api.stacspec.org/v1.0.0/item-search#fields'];

/** A collection's URL below an API base, the id encoded (CMR ids hold `/` and spaces). */
export function collectionHref(apiBase: string, id: string): string {
  return `${apiBase}/collections/${encodeURIComponent(id)}`;
}

/**
 * A collection document: CMR-STAC's HLSS30 collection as template, with
 * this collection's id, title and temporal extent (the range of its items).
 */
export function collectionDocument(stored: StoredCollection, apiBase: string, rootHref: string): unknown {
  const { id } = stored.spec;
  const href = collectionHref(apiBase, id);
  return {
    ...structuredClone(collectionTemplate),
    id,
    title: stored.spec.title ?? id,
    description: `Fake collection ${id} with ${stored.entries.length} items`,
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: {
        interval: [[new Date(stored.range[0]).toISOString(), new Date(stored.range[1]).toISOString()]],
      },
    },
    links: [
      { rel: 'self', href, type: 'application/json' },
      { rel: 'root', href: rootHref, type: 'application/json' },
      { rel: 'parent', href: apiBase, type: 'application/json' },
      { rel: 'items', href: `${href}/items`, type: 'application/geo+json' },
    ],
  };
}

/** Links of a searchable landing page or CMR provider catalog. */
export function apiLinks(apiBase: string, rootHref: string, searchable: boolean): StacLink[] {
  const links: StacLink[] = [
    { rel: 'self', href: apiBase, type: 'application/json' },
    { rel: 'root', href: rootHref, type: 'application/json' },
    { rel: 'data', href: `${apiBase}/collections`, type: 'application/json', method: 'GET' },
    { rel: 'conformance', href: `${apiBase}/conformance`, type: 'application/json' },
  ];
  if (searchable) {
    links.push(
      { rel: 'search', href: `${apiBase}/search`, type: 'application/geo+json', method: 'GET' },
      { rel: 'search', href: `${apiBase}/search`, type: 'application/geo+json', method: 'POST' },
    );
  }
  return links;
}

/** `child` links to collections, under the API base of each (CMR's ALL points at the real provider). */
export function childLinks(children: Array<{ apiBase: string; stored: StoredCollection }>): StacLink[] {
  return children.map(({ apiBase, stored }) => ({
    rel: 'child',
    href: collectionHref(apiBase, stored.spec.id),
    type: 'application/json',
    title: stored.spec.title ?? stored.spec.id,
  }));
}
