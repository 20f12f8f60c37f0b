import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAjv } from '@scm/validate';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';

const SCHEMA_ROOT = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

/** The repository's one Ajv set-up, holding every schema of test/fixtures/schemas. */
function stacAjv(): Ajv {
  const schemas = jsonFiles(SCHEMA_ROOT).map((file) => JSON.parse(readFileSync(file, 'utf8')) as object);
  return createAjv({ allErrors: true, schemas });
}

let ajv: Ajv | undefined;

function validator(id: string): ValidateFunction {
  ajv ??= stacAjv();
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`schema ${id} not found under ${SCHEMA_ROOT}`);
  return validate;
}

function format(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Errors of the STAC 1.0.0 Item schema for `item` (empty when valid). */
export function itemSchemaErrors(item: unknown): string[] {
  const validate = validator('https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json');
  return validate(item) ? [] : format(validate.errors);
}

/** Errors of the STAC 1.0.0 Collection schema for `collection` (empty when valid). */
export function collectionSchemaErrors(collection: unknown): string[] {
  const validate = validator(
    'https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json',
  );
  return validate(collection) ? [] : format(validate.errors);
}
