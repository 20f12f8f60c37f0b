import { isPlainObject, type StacLink } from '@scm/core';

/** Relations the tree writer sets itself; a source's links with these relations are replaced. */
export const STRUCTURAL_RELS: ReadonlySet<string> = new Set([
  'self',
  'root',
  'parent',
  'child',
  'item',
  'collection',
]);

/** Paging relations, meaningless in a static catalog; dropped. */
export const PAGING_RELS: ReadonlySet<string> = new Set(['next', 'prev', 'previous', 'first', 'last']);

/** Media type of a catalog or collection document. */
export const JSON_TYPE = 'application/json';
/** Media type of an item document. */
export const GEOJSON_TYPE = 'application/geo+json';

/**
 * The links of a source object that the writer keeps unchanged (license,
 * via, alternate, cite-as, preview…): every link object whose `rel` is not
 * structural and not paging. Entries that are not objects are dropped.
 */
export function keptLinks(links: unknown): StacLink[] {
  if (!Array.isArray(links)) return [];
  const out: StacLink[] = [];
  for (const link of links) {
    if (!isPlainObject(link)) continue;
    const rel = typeof link.rel === 'string' ? link.rel.toLowerCase() : '';
    if (STRUCTURAL_RELS.has(rel) || PAGING_RELS.has(rel)) continue;
    out.push(link as StacLink);
  }
  return out;
}

/** A link object with the members in the usual order; `title` only when given. */
export function makeLink(rel: string, href: string, type: string, title?: string): StacLink {
  const link: StacLink = { rel, href, type };
  if (title !== undefined) link.title = title;
  return link;
}
