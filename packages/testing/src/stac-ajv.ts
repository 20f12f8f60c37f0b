import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAjv } from '@scm/validate';
import type { Ajv, ValidateFunction } from 'ajv';

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return jsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

/** Options of {@link createStacAjv}. */
export interface StacAjvOptions {
  /** Folders whose `*.json` files (at any depth) are schemas with an `$id`. */
  schemaDirs: string[];
  /** More schema documents. */
  extra?: Record<string, unknown>[];
}

/**
 * An ajv from `createAjv` of `@scm/validate` (draft-07, `allErrors`,
 * `strictTypes` off, ajv-formats plus `iri` / `iri-reference`), holding every
 * schema of `schemaDirs`. For tests that check objects against a schema
 * directly, without the validator's own checks.
 */
export function createStacAjv(options: StacAjvOptions): Ajv {
  // The repository's one Ajv set-up (draft-07, formats with iri / iri-reference), with every error.
  const ajv = createAjv({ allErrors: true });
  const docs = [
    ...options.schemaDirs
      .flatMap((dir) => jsonFiles(dir))
      .map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>),
    ...(options.extra ?? []),
  ];
  const seen = new Set<string>();
  for (const doc of docs) {
    const id = String(doc.$id ?? '').replace(/#$/, '');
    if (!id || seen.has(id)) continue;
    seen.add(id);
    ajv.addSchema(doc);
    // STAC 1.1.0 publishes common.json with the $id ".../commonjson"; siblings $ref it as common.json.
    if (id.endsWith('/commonjson')) ajv.addSchema({ ...doc, $id: id.replace(/commonjson$/, 'common.json') });
  }
  return ajv;
}

const CORE_PATHS: Record<string, string> = {
  Feature: 'item-spec/json-schema/item.json',
  Collection: 'collection-spec/json-schema/collection.json',
  Catalog: 'catalog-spec/json-schema/catalog.json',
};

function errorsOf(validate: ValidateFunction, object: unknown): string[] {
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Errors of `object` against its STAC core schema (picked by `type` and `stac_version`), as short strings. */
export function coreErrors(ajv: Ajv, object: Record<string, unknown>): string[] {
  const id = `https://schemas.stacspec.org/v${String(object.stac_version)}/${CORE_PATHS[String(object.type)]}`;
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`no core schema ${id}`);
  return errorsOf(validate, object);
}

/** Errors of `object` against the schema registered as `uri`, as short strings. */
export function schemaErrors(ajv: Ajv, uri: string, object: unknown): string[] {
  const validate = ajv.getSchema(uri.replace(/#$/, ''));
  if (!validate) throw new Error(`no schema ${uri}`);
  return errorsOf(validate, object);
}
