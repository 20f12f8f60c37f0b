import type { Failure, Source, SourceRecord, StacItem, StreamOptions } from '@scm/core';
import { harvest, type HarvestOptions } from './harvest.js';

/** Options of {@link fetchItems}: a harvest of one or more collections, without checkpoints. */
export interface FetchItemsOptions extends Omit<HarvestOptions, 'collections' | 'resume'> {
  /** One collection id (PRD FR-11 `collection_id`). */
  collectionId?: string;
  /** Several collection ids. */
  collections?: string[];
  /** Stop after this many items. */
  maxItems?: number;
}

function collectionsOf(options: FetchItemsOptions): string[] {
  return [...(options.collectionId ? [options.collectionId] : []), ...(options.collections ?? [])];
}

/**
 * Streams the items of STAC API collections, partitioned and in parallel, as
 * PRD FR-11's `fetch_items` does. A page that fails after retries, or a
 * collection that cannot be read, is yielded as a {@link Failure}
 * (`api_error`) and the harvest goes on. Use {@link harvest} for checkpoints.
 */
export async function* fetchItems(options: FetchItemsOptions): AsyncGenerator<StacItem | Failure> {
  for await (const record of stacApiSource(options).records(
    options.signal ? { signal: options.signal } : {},
  )) {
    yield 'value' in record ? record.value : record;
  }
}

/**
 * A `Source` (the core contract) over STAC API collections: each item comes
 * with the URL of its page as its origin; failures are yielded as values.
 */
export function stacApiSource(options: FetchItemsOptions): Source<StacItem> {
  const collections = collectionsOf(options);
  return {
    name: `stac-api:${options.catalogUrl} ${collections.join(',')}`,
    async *records(stream: StreamOptions = {}): AsyncGenerator<SourceRecord<StacItem> | Failure> {
      const signal = stream.signal ?? options.signal;
      const run = harvest({ ...options, collections, ...(signal ? { signal } : {}) });
      let count = 0;
      for await (const event of run) {
        if (event.type === 'failure') yield event.failure;
        if (event.type !== 'page') continue;
        for (const [index, item] of event.items.entries()) {
          if (options.maxItems !== undefined && count >= options.maxItems) return;
          count += 1;
          yield { value: item, origin: { url: event.url, index } };
        }
      }
    },
  };
}
