import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS; under NodeNext its default import is the module namespace.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** True for an absolute IRI (scheme plus the rest), the way STAC schemas use `format: iri`. */
export function isIri(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(value) && !/[\s<>"{}|\\^`]/.test(value) && URL.canParse(value);
}

/** True for an IRI or a relative reference, the way STAC schemas use `format: iri-reference`. */
export function isIriReference(value: string): boolean {
  return !/[\s<>"{}|\\^`]/.test(value) && URL.canParse(value, 'http://relative.invalid/');
}

/**
 * An ajv instance set up the way the STAC schemas need it (draft-07, `allErrors`,
 * `strictTypes: false`, ajv-formats plus `iri` and `iri-reference`).
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strictTypes: false, logger: false, ...options });
  addFormats(ajv);
  ajv.addFormat('iri', isIri);
  ajv.addFormat('iri-reference', isIriReference);
  return ajv;
}
