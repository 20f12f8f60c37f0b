import {
  errorMessage,
  type ExtensionContext,
  isPlainObject,
  type JsonSchema,
  noopLogger,
  requireSchemaCompiler,
  type SchemaCheck,
  type StacCollection,
  type StacItem,
  stripForbiddenKeys,
} from '@scm/core';
import { findConfigProblems } from './config-check.js';
import { schemaUriFor } from './load.js';
import { type AnyExtension, toExtension } from './registry.js';

/** The rule a conformance problem breaks. */
export type ConformanceCheck =
  /** The definition is refused by `defineExtension`, or `schemaUri(config)` is not one of `schemaUris`. */
  | 'definition'
  /** The sample config does not pass `configSchema` / `checkConfig`. */
  | 'config'
  /** An apply function threw or returned something that is not an object of the same type. */
  | 'apply'
  /** An apply function changed its input instead of returning a new object. */
  | 'pure'
  /** Applying twice gave something else than applying once. */
  | 'idempotent'
  /** A field outside the extension's prefix (and `stac_extensions`) was changed. */
  | 'owned-fields'
  /** The schema URI is missing from a changed object, or present more than once. */
  | 'schema-uri'
  /** The extension's own `checkObject` reports errors on its own output. */
  | 'check-object'
  /** The output does not validate against the extension's bundled schema. */
  | 'schema';

/** One conformance problem. */
export interface ConformanceProblem {
  /** The rule broken. */
  check: ConformanceCheck;
  /** `Item <id>` / `Collection <id>` the problem is about, when there is one. */
  object?: string;
  /** What is wrong. */
  message: string;
}

/** Input of {@link testExtension}. */
export interface TestExtensionOptions {
  /** Sample Items to apply the extension to. Default `[]`. */
  items?: readonly StacItem[];
  /** Sample Collections (used only when the extension has `applyToCollection`). Default `[]`. */
  collections?: readonly StacCollection[];
  /** The extension's config for this run. Default `{}`. */
  config?: Record<string, unknown>;
  /**
   * Validate outputs against the extension's bundled schema for its URI, when it bundles one.
   * Default `true`.
   */
  validateSchema?: boolean;
  /**
   * Other schema documents the bundled schema `$ref`s (e.g. STAC core `basics.json`), registered by `$id`.
   * Default: none.
   */
  schemas?: readonly JsonSchema[];
}

function isOwnedKey(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}:`);
}

/** Deep equality of JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** JSON Pointers of changes made outside the extension's prefix and `stac_extensions`. */
export function foreignChanges(before: unknown, after: unknown, prefix: string): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: (string | number)[]) => {
    if (jsonEqual(a, b)) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (isOwnedKey(key, prefix)) continue;
        if (at.length === 0 && key === 'stac_extensions') continue;
        walk(a[key], b[key], [...at, key]);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => {
        walk(v, b[i], [...at, i]);
      });
      return;
    }
    out.push(pointer(at));
  };
  walk(before, after, []);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const clone = <T>(value: T): T => structuredClone(value);

function stripHash(id: string): string {
  return id.endsWith('#') ? id.slice(0, -1) : id;
}

/** The documents the bundled schema may refer to: the caller's first, then the extension's own. */
function referencedSchemas(extension: AnyExtension, extra: readonly JsonSchema[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  extra.forEach((doc, index) => {
    const id = isPlainObject(doc) && typeof doc.$id === 'string' ? stripHash(doc.$id) : `#extra-${index}`;
    if (!(id in schemas)) schemas[id] = doc;
  });
  for (const [key, doc] of Object.entries(extension.schemas ?? {})) {
    if (!(stripHash(key) in schemas)) schemas[stripHash(key)] = doc;
  }
  return schemas;
}

/**
 * Runs the extension contract's conformance rules against sample objects and returns what is broken
 * (an empty list when all is well). It needs no test runner, so third-party extensions can call it from
 * any test framework: `expect(testExtension(ext, { items, config })).toEqual([])`.
 *
 * Checks: the definition is accepted; the config passes `configSchema`/`checkConfig`; applying neither throws
 * nor changes the input; applying twice equals applying once; only fields under the extension's prefix and
 * `stac_extensions` change; a changed object declares `schemaUri(config)` exactly once; the output passes
 * the extension's own `checkObject`; and the output validates against the bundled schema for that URI.
 */
export function testExtension(extension: unknown, options: TestExtensionOptions = {}): ConformanceProblem[] {
  const problems: ConformanceProblem[] = [];
  let ext: AnyExtension;
  try {
    ext = toExtension(extension);
  } catch (error) {
    return [{ check: 'definition', message: errorMessage(error) }];
  }
  const config = deepFreeze(stripForbiddenKeys(options.config ?? {}));
  for (const problem of findConfigProblems(ext, config)) {
    if (problem.severity === 'error') {
      problems.push({ check: 'config', message: `${problem.path}: ${problem.message}` });
    }
  }
  if (problems.length > 0) return problems;

  let uri: string;
  try {
    uri = schemaUriFor(ext, config);
  } catch (error) {
    return [{ check: 'definition', message: `schemaUri(config) threw: ${errorMessage(error)}` }];
  }
  if (!ext.schemaUris.includes(uri)) {
    problems.push({
      check: 'definition',
      message: `schemaUri(config) gave "${uri}", which is not in schemaUris`,
    });
  }
  const context: ExtensionContext<unknown> = { config, logger: noopLogger };
  let validate: SchemaCheck | undefined;
  const bundled = ext.schemas?.[uri] ?? ext.schemas?.[`${uri}#`];
  if (options.validateSchema !== false && bundled !== undefined) {
    try {
      validate = requireSchemaCompiler()(bundled as object, {
        allErrors: true,
        strict: true,
        schemas: referencedSchemas(ext, options.schemas ?? []),
      });
    } catch (error) {
      problems.push({
        check: 'schema',
        message:
          `the bundled schema for ${uri} does not compile: ${errorMessage(error)} ` +
          '(pass the schemas it references in the "schemas" option)',
      });
    }
  }

  const run = (kind: 'Item' | 'Collection', input: StacItem | StacCollection) => {
    const label = `${kind} ${String(input.id)}`;
    const apply = (value: StacItem | StacCollection): unknown =>
      kind === 'Item'
        ? ext.applyToItem(value as StacItem, context)
        : ext.applyToCollection!(value as StacCollection, context);
    const original = clone(input);
    let once: unknown;
    try {
      once = apply(deepFreeze(clone(input)));
    } catch (error) {
      const mutated =
        error instanceof TypeError &&
        /read[- ]only|frozen|not extensible|Cannot (assign|add|delete)/i.test(error.message);
      problems.push({
        check: mutated ? 'pure' : 'apply',
        object: label,
        message: mutated ? `changes its input: ${error.message}` : `threw: ${errorMessage(error)}`,
      });
      return;
    }
    const type = kind === 'Item' ? 'Feature' : 'Collection';
    if (!isPlainObject(once) || once.type !== type) {
      problems.push({ check: 'apply', object: label, message: `did not return a ${kind}` });
      return;
    }
    let twice: unknown;
    try {
      twice = apply(deepFreeze(clone(once)) as StacItem | StacCollection);
    } catch (error) {
      problems.push({
        check: 'idempotent',
        object: label,
        message: `second application threw: ${errorMessage(error)}`,
      });
      return;
    }
    if (!jsonEqual(once, twice)) {
      const where = foreignChanges(once, twice, '\u0000').slice(0, 5).join(', ');
      problems.push({
        check: 'idempotent',
        object: label,
        message: `applying twice differs from applying once${where ? ` (at ${where})` : ''}`,
      });
    }
    const foreign = foreignChanges(original, once, ext.prefix);
    if (foreign.length > 0) {
      problems.push({
        check: 'owned-fields',
        object: label,
        message: `changed fields outside "${ext.prefix}:" and stac_extensions: ${foreign.slice(0, 10).join(', ')}`,
      });
    }
    const declared = Array.isArray(once.stac_extensions) ? once.stac_extensions : [];
    const count = declared.filter((u) => u === uri).length;
    if (count > 1) {
      problems.push({ check: 'schema-uri', object: label, message: `declares ${uri} ${count} times` });
    } else if (count === 0 && !jsonEqual(original, once)) {
      problems.push({
        check: 'schema-uri',
        object: label,
        message: `changed the object but did not declare ${uri}`,
      });
    }
    if (ext.checkObject && count > 0) {
      let issues: ReturnType<NonNullable<AnyExtension['checkObject']>> = [];
      try {
        issues = ext.checkObject(once, context);
      } catch (error) {
        problems.push({
          check: 'check-object',
          object: label,
          message: `checkObject threw: ${errorMessage(error)}`,
        });
      }
      for (const issue of issues.filter((i) => i.severity === 'error')) {
        problems.push({
          check: 'check-object',
          object: label,
          message: `${issue.path || '/'}: ${issue.message}`,
        });
      }
    }
    if (validate && count > 0 && !validate(once)) {
      const errors = (validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
      problems.push({
        check: 'schema',
        object: label,
        message: `does not validate against ${uri}: ${errors.join('; ')}`,
      });
    }
  };

  for (const item of options.items ?? []) run('Item', item);
  if (ext.applyToCollection)
    for (const collection of options.collections ?? []) run('Collection', collection);
  return problems;
}
