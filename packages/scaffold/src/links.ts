import type { StacLink } from '@scm/core';
import type { ItemLinkOptions } from './options.js';

/** Relations that place an Item in a catalog; they are generated rather than copied when link options are given. */
const STRUCTURAL = new Set(['self', 'root', 'parent', 'collection']);

/** Default href of an Item's collection link: the best-practice layout `collection/item/item.json`. */
export const DEFAULT_COLLECTION_HREF = '../collection.json';

/**
 * The links of an Item: generated structural links first (self, root,
 * parent, collection), then the record's other links in their order.
 */
export function buildLinks(
  recordLinks: StacLink[],
  id: string,
  collection: string | undefined,
  options: ItemLinkOptions | undefined,
  warnings: string[],
): StacLink[] {
  const out: StacLink[] = [];
  let kept = recordLinks;
  if (options) {
    kept = recordLinks.filter((link) => !STRUCTURAL.has(link.rel));
    const base =
      options.base === undefined ? undefined : options.base.endsWith('/') ? options.base : `${options.base}/`;
    const encodedId = encodeURIComponent(id);
    const encodedCollection = collection === undefined ? undefined : encodeURIComponent(collection);
    const root = options.root ?? (base === undefined ? undefined : `${base}catalog.json`);
    const collectionHref =
      encodedCollection === undefined
        ? undefined
        : (options.collection ??
          (base === undefined ? DEFAULT_COLLECTION_HREF : `${base}${encodedCollection}/collection.json`));
    const parent = options.parent ?? collectionHref ?? root;
    let self: string | undefined;
    if (options.self !== undefined) {
      self = options.self.replaceAll('{id}', encodedId).replaceAll('{collection}', encodedCollection ?? '');
    } else if (base !== undefined) {
      self = `${base}${encodedCollection === undefined ? '' : `${encodedCollection}/`}${encodedId}/${encodedId}.json`;
    }
    if (self !== undefined) out.push({ rel: 'self', href: self, type: 'application/geo+json' });
    if (root !== undefined) out.push({ rel: 'root', href: root, type: 'application/json' });
    if (parent !== undefined) out.push({ rel: 'parent', href: parent, type: 'application/json' });
    if (collectionHref !== undefined)
      out.push({ rel: 'collection', href: collectionHref, type: 'application/json' });
  } else if (collection !== undefined && !recordLinks.some((link) => link.rel === 'collection')) {
    // The STAC 1.0.0 Item schema requires a collection link whenever `collection` is set.
    out.push({ rel: 'collection', href: DEFAULT_COLLECTION_HREF, type: 'application/json' });
  }
  if (collection === undefined && kept.some((link) => link.rel === 'collection')) {
    warnings.push(
      'links: dropped the "collection" link; the Item has no collection id (STAC 1.0.0 requires both or neither)',
    );
    kept = kept.filter((link) => link.rel !== 'collection');
  }
  return out.length === 0 ? kept : out.concat(kept);
}
