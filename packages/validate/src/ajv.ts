/**
 * The one place that sets up Ajv in this repository (tools/check-deps.mjs refuses `new Ajv` and `ajv-formats`
 * anywhere else): the validator's engines, the {@link compileSchema} that other packages receive through the
 * `SchemaCompiler` contract of `@scm/core`, and the test kit's STAC Ajv all come from {@link createAjv}.
 */
import type { SchemaCheck, SchemaCompileOptions, SchemaCompiler } from '@scm/core';
import { Ajv, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isIri, isIriReference } from './href.js';

// ajv-formats ships CommonJS: under NodeNext its default import types as the module namespace, and at run time it
// is the namespace or the plugin depending on the loader (Node, esbuild, vitest), hence both.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats?: string[]) => Ajv;

/** How {@link createAjv} sets up an instance. */
export interface AjvSetup
  extends Pick<Options, 'allErrors' | 'verbose' | 'strict' | 'strictRequired' | 'logger'> {
  /** JSON Schema dialect. Default: `07` (every STAC and extension schema is draft-07). */
  draft?: '07' | '2019' | '2020';
  /**
   * `stac` (default): every ajv-formats format plus `iri` and `iri-reference`, which the STAC schemas use;
   * `none`; or the names of the ajv-formats formats to check.
   */
  formats?: 'stac' | 'none' | readonly string[];
  /** Annotation keywords to accept (for example `errorMessage`). */
  keywords?: readonly string[];
  /** Schemas to add, each under its `$id`. */
  schemas?: readonly object[];
}

const DIALECTS = { '07': Ajv, '2019': Ajv2019, '2020': Ajv2020 } as const;

/**
 * An Ajv instance set up for STAC: type coercion off, `strictTypes` off (the official schemas mix types in ways
 * strict typing refuses), formats as `setup.formats` says. Other options as given.
 */
export function createAjv(setup: AjvSetup = {}): Ajv {
  const { draft = '07', formats = 'stac', keywords, schemas, ...options } = setup;
  const ajv = new DIALECTS[draft]({ strictTypes: false, ...options });
  if (formats === 'stac') {
    addFormats(ajv);
    ajv.addFormat('iri', isIri);
    ajv.addFormat('iri-reference', isIriReference);
  } else if (formats !== 'none') {
    addFormats(ajv, [...formats]);
  }
  if (keywords) ajv.addVocabulary([...keywords]);
  for (const schema of schemas ?? []) ajv.addSchema(schema);
  return ajv;
}

const compilers = new Map<string, Ajv>();

function newCompiler(options: SchemaCompileOptions): Ajv {
  const formats = options.formats ?? 'all';
  return createAjv({
    allErrors: options.allErrors ?? false,
    verbose: options.verbose ?? false,
    // strict: Ajv's default strictness (unknown keywords and formats refused, loose tuples only logged).
    ...(options.strict ? {} : { strict: false }),
    formats: formats === 'all' ? 'stac' : formats,
    ...(options.keywords ? { keywords: options.keywords } : {}),
  });
}

function idOf(schema: unknown, key?: string): string | undefined {
  const id = typeof schema === 'object' && schema !== null ? (schema as { $id?: unknown }).$id : undefined;
  const raw = typeof id === 'string' ? id : key;
  return raw?.replace(/#$/, '');
}

/** A fresh compiler holding `schemas`, each once under its `$id` (or key). */
function compilerWith(options: SchemaCompileOptions, schemas: Readonly<Record<string, unknown>>): Ajv {
  const ajv = newCompiler(options);
  const seen = new Set<string>();
  for (const [key, doc] of Object.entries(schemas)) {
    const id = idOf(doc, key);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    if (idOf(doc) === undefined) ajv.addSchema(doc as object, id);
    else ajv.addSchema(doc as object);
  }
  return ajv;
}

function compilerFor(options: SchemaCompileOptions): Ajv {
  const key = JSON.stringify([
    options.allErrors ?? false,
    options.verbose ?? false,
    options.strict ?? false,
    options.formats ?? 'all',
    options.keywords ?? [],
  ]);
  let ajv = compilers.get(key);
  if (!ajv) {
    ajv = newCompiler(options);
    compilers.set(key, ajv);
  }
  return ajv;
}

/**
 * The `SchemaCompiler` of `@scm/core`, backed by {@link createAjv}: one Ajv per distinct set of options, shared
 * by every schema without `$id` compiled with them (a schema with an `$id`, or with `schemas`, gets its own).
 * Throws what Ajv throws for a schema it refuses.
 */
export const compileSchema: SchemaCompiler = (schema, options = {}) => {
  const id = idOf(schema);
  // A schema with an $id gets a compiler of its own: another document with the same $id may come later.
  if (!options.schemas && id === undefined) return compilerFor(options).compile(schema) as SchemaCheck;
  const ajv = compilerWith(options, options.schemas ?? {});
  return ((id !== undefined ? ajv.getSchema(id) : undefined) ?? ajv.compile(schema)) as SchemaCheck;
};
