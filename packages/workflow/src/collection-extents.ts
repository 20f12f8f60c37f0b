import type { StacCollection, StacItem } from '@scm/core';
import { buildCollection, createExtentAccumulator, type ExtentAccumulator } from '@scm/scaffold';

/**
 * The extents of the collections that items name, so that a command can
 * scaffold the collections its input lacks (pypgstac and stac-geoparquet need
 * one per collection id). `rebuild-catalog` and `output` share it.
 */
export interface CollectionExtents {
  /** Adds an item to the extent of its `collection`; an item without one is ignored. */
  add(item: StacItem): void;
  /** The collection ids the added items named, in the order they first came. */
  ids(): string[];
  /** A Collection for `id` built from its items' bbox and datetimes, or undefined when no item named it. */
  scaffold(id: string): StacCollection | undefined;
}

/** Creates an empty {@link CollectionExtents}. */
export function createCollectionExtents(): CollectionExtents {
  const extents = new Map<string, ExtentAccumulator>();
  return {
    add(item) {
      const id = item.collection;
      if (typeof id !== 'string' || id === '') return;
      let extent = extents.get(id);
      if (!extent) {
        extent = createExtentAccumulator();
        extents.set(id, extent);
      }
      extent.add(item);
    },
    ids: () => [...extents.keys()],
    scaffold(id) {
      const extent = extents.get(id);
      return extent && buildCollection({ id, description: `Items of collection ${id}` }, extent.extent());
    },
  };
}

/** The line that tells the user a collection was scaffolded (summary note, log, printed output). */
export function scaffoldedCollectionNote(id: string, source = 'the source'): string {
  return `collection "${id}" was not in ${source}; it was scaffolded from its items' extent`;
}
