import {
  createFailure,
  errorMessage,
  type Failure,
  isPlainObject,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  stacTypeOf,
} from '@scm/core';
import { contextOf, type LoadedExtension } from './load.js';

/** Outcome of {@link applyExtensions}: the extended object, or a Failure to record. */
export type ApplyResult<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** Options of {@link applyExtensions}. */
export interface ApplyExtensionsOptions {
  /** File the object came from, copied into a Failure. */
  file?: string;
  /** Line (or row) the object came from, copied into a Failure. */
  line?: number;
}

function idOf(object: unknown): string {
  return isPlainObject(object) && typeof object.id === 'string' ? object.id : '<unknown>';
}

function fail(
  object: unknown,
  message: string,
  options: ApplyExtensionsOptions,
  details?: unknown,
): ApplyResult<never> {
  return {
    ok: false,
    failure: createFailure({
      itemId: idOf(object),
      errorType: 'other',
      message,
      step: 'extend',
      sourceData: object,
      ...(options.file === undefined ? {} : { file: options.file }),
      ...(options.line === undefined ? {} : { line: options.line }),
      ...(details === undefined ? {} : { details }),
    }),
  };
}

/**
 * Applies the loaded extensions, in order, to one Item or Collection. Catalogs are returned unchanged
 * (extensions do not apply to them); an extension without `applyToCollection` leaves Collections alone.
 * A throw inside an extension, or a result that is not an object of the same type, becomes a Failure
 * (`error_type: other`, step `extend`) naming the extension; it never escapes.
 */
export function applyExtensions<T extends StacItem | StacCollection | StacCatalog>(
  object: T,
  loaded: readonly LoadedExtension[],
  options: ApplyExtensionsOptions = {},
): ApplyResult<T> {
  const type = stacTypeOf(object);
  if (type === undefined) {
    return fail(object, 'cannot apply extensions: not a STAC Item, Collection or Catalog', options);
  }
  if (type === 'Catalog') return { ok: true, value: object };
  let current: StacItem | StacCollection = object as StacItem | StacCollection;
  for (const entry of loaded) {
    const { extension } = entry;
    let next: unknown;
    try {
      if (type === 'Item') next = extension.applyToItem(current as StacItem, contextOf(entry));
      else if (extension.applyToCollection) {
        next = extension.applyToCollection(current as StacCollection, contextOf(entry));
      } else continue;
    } catch (error) {
      return fail(
        current,
        `extension "${extension.name}" failed on ${type} "${idOf(current)}": ${errorMessage(error)}`,
        options,
        { extension: extension.name },
      );
    }
    if (stacTypeOf(next) !== type) {
      return fail(
        current,
        `extension "${extension.name}" returned something that is not a ${type} for "${idOf(current)}"`,
        options,
        { extension: extension.name },
      );
    }
    current = next as StacItem | StacCollection;
  }
  return { ok: true, value: current as T };
}
