import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SCHEMA_ROOT = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));

// ajv-formats is CommonJS; under NodeNext its default import types as the module object, whose `default` is the plugin.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

/** `iri`: an absolute URI with a scheme (what STAC uses for schema URIs and links). */
function isIri(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) || /\s/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** `iri-reference`: an absolute IRI or a relative reference (no spaces, no bad percent escapes). */
function isIriReference(value: string): boolean {
  if (/\s/.test(value) || /%(?![0-9a-f]{2})/i.test(value)) return false;
  try {
    new URL(value, 'http://base.invalid/dir/');
    return true;
  } catch {
    return false;
  }
}

function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat('iri', isIri);
  ajv.addFormat('iri-reference', isIriReference);
  for (const file of jsonFiles(SCHEMA_ROOT)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')));
  return ajv;
}

let ajv: Ajv | undefined;

function validator(id: string): ValidateFunction {
  ajv ??= createAjv();
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
