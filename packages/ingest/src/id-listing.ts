import { DigestSet } from '@scm/core/id-set';
import { type HarvestOptions, harvest } from './harvest.js';

/** What {@link listItemIds} found. */
export interface IdListing {
  /** Per collection id, the ids the server lists (64-bit digests: a collision only ever keeps an item). */
  ids: Map<string, DigestSet>;
  /** False when a window or a collection failed: then an id missing from the listing may still exist. */
  complete: boolean;
  /** Ids listed, over every collection. */
  count: number;
}

/**
 * Lists the ids of the items of STAC API collections, cheaply: the same
 * partitioned harvest, asking by the `fields` extension for the id, the
 * collection and the datetime only. Pair it with an `updatedSince` harvest to
 * learn what was deleted.
 */
export async function listItemIds(options: Omit<HarvestOptions, 'idsOnly' | 'resume'>): Promise<IdListing> {
  const run = harvest({ ...options, idsOnly: true });
  const listing: IdListing = { ids: new Map(), complete: true, count: 0 };
  for (const id of options.collections) listing.ids.set(id, new DigestSet());
  for await (const event of run) {
    run.state.apply(event);
    if (event.type === 'failure') listing.complete = false;
    if (event.type !== 'page') continue;
    const set = listing.ids.get(event.collection) as DigestSet;
    for (const item of event.items) if (set.add(String(item.id))) listing.count += 1;
  }
  if (run.state.incomplete().length > 0) listing.complete = false;
  return listing;
}
