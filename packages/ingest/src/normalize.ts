import { isPlainObject, removeForbiddenKeys, type StacItem, type StacLink } from '@scm/core';

/** What {@link normalizeItem} repaired, by kind; the harvest counts them for the summary. */
export type ItemFix =
  | 'collection_field_added'
  | 'collection_link_added'
  | 'parent_link_added'
  | 'root_link_added'
  | 'links_array_added'
  /** Members named `__proto__`, `constructor` or `prototype` were dropped: they are never read. */
  | 'forbidden_members_dropped';

/** Where an item was fetched from, so missing links can be restored. */
export interface ItemContext {
  /** Id of the collection the item was fetched for. */
  collectionId: string;
  /** Absolute URL of that collection. */
  collectionUrl: string;
  /** Absolute URL of the API root. */
  rootUrl: string;
}

function hasRel(links: StacLink[], rel: string): boolean {
  return links.some((l) => isPlainObject(l) && l.rel === rel);
}

/**
 * Repairs what real servers get wrong in the items they serve, and says what
 * it changed. CMR-STAC's `/collections/{id}/items` pages replace each item's
 * links with a lone `self` link although the item names its `collection`,
 * which fails the STAC item schema; the `collection`, `parent` and `root`
 * links are restored from where the item was fetched. Keys that could reach a
 * prototype (`__proto__`, `constructor`, `prototype`) are dropped, and that is
 * said as a fix too, so no data goes unread silently. The item is changed in
 * place (it is fresh from a page): a copy of every item would cost more CPU
 * than the rest of the harvest.
 */
export function normalizeItem(raw: StacItem, context: ItemContext): { item: StacItem; fixes: ItemFix[] } {
  let dropped = false;
  const item = removeForbiddenKeys(raw, () => {
    dropped = true;
  });
  const fixes: ItemFix[] = dropped ? ['forbidden_members_dropped'] : [];
  if (!Array.isArray(item.links)) {
    item.links = [];
    fixes.push('links_array_added');
  }
  if (item.collection === undefined) {
    item.collection = context.collectionId;
    fixes.push('collection_field_added');
  }
  if (item.collection !== context.collectionId) return { item, fixes };
  const restored: [rel: string, href: string, fix: ItemFix][] = [
    ['collection', context.collectionUrl, 'collection_link_added'],
    ['parent', context.collectionUrl, 'parent_link_added'],
    ['root', context.rootUrl, 'root_link_added'],
  ];
  for (const [rel, href, fix] of restored) {
    if (hasRel(item.links, rel)) continue;
    item.links.push({ rel, href, type: 'application/json' });
    fixes.push(fix);
  }
  return { item, fixes };
}
