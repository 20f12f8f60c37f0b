// Test-only STAC validation with ajv used directly (the full validator lives in another package).
// Setup as in shared/reference/schemas.md §2: draft-07 Ajv, allErrors, strictTypes off, ajv-formats,
// plus iri / iri-reference formats of our own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const here = path.dirname(fileURLToPath(import.meta.url));
export const fixturesDir = path.resolve(here, '../fixtures');

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(path.resolve(fixturesDir, file), 'utf8')) as T;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsonFiles(full);
    return name.endsWith('.json') ? [full] : [];
  });
}

const badIriChars = /[\s<>"{}|\\^`]/;

/** An Ajv holding every schema under test/fixtures/schemas plus any `extra` documents. */
export function createStacAjv(extra: Record<string, unknown>[] = []): Ajv {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat(
    'iri',
    (v: string) => /^[a-z][a-z0-9+.-]*:/i.test(v) && !badIriChars.test(v) && URL.canParse(v),
  );
  ajv.addFormat('iri-reference', (v: string) => !badIriChars.test(v) && URL.canParse(v, 'http://x.invalid/'));
  const docs = [
    ...jsonFiles(path.join(fixturesDir, 'schemas')).map((f) => readJson<Record<string, unknown>>(f)),
    ...extra,
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

const coreIds: Record<string, string> = {
  Feature: 'item-spec/json-schema/item.json',
  Collection: 'collection-spec/json-schema/collection.json',
  Catalog: 'catalog-spec/json-schema/catalog.json',
};

/** Errors of `object` against its STAC core schema (picked by type and stac_version), as short strings. */
export function coreErrors(ajv: Ajv, object: Record<string, unknown>): string[] {
  const id = `https://schemas.stacspec.org/v${String(object.stac_version)}/${coreIds[String(object.type)]}`;
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`no core schema ${id}`);
  return errorsOf(validate, object);
}

/** Errors of `object` against the schema registered as `uri`. */
export function schemaErrors(ajv: Ajv, uri: string, object: unknown): string[] {
  const validate = ajv.getSchema(uri.replace(/#$/, ''));
  if (!validate) throw new Error(`no schema ${uri}`);
  return errorsOf(validate, object);
}

function errorsOf(validate: ValidateFunction, object: unknown): string[] {
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}
