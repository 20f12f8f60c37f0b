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
import { type AnyExtension, findConfigProblems, schemaUriFor, toExtension } from '@scm/extensions';
import '@scm/validate';
import { foreignChanges, jsonEqual } from './json-diff.js';

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

/** A problem before the object it is about is known; {@link checkSample} adds the object. */
type Finding = Omit<ConformanceProblem, 'object'>;

/** What every sample is checked with: the extension, its URI for this config, and its schema. */
interface Subject {
  ext: AnyExtension;
  uri: string;
  context: ExtensionContext<unknown>;
  validate: SchemaCheck | undefined;
}

type SampleKind = 'Item' | 'Collection';
type StacObject = StacItem | StacCollection;

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

/** The bundled schema for `uri` compiled, `undefined` when there is none or it is not wanted. */
function compileBundledSchema(
  ext: AnyExtension,
  uri: string,
  options: TestExtensionOptions,
): { validate?: SchemaCheck; problem?: Finding } {
  const bundled = ext.schemas?.[uri] ?? ext.schemas?.[`${uri}#`];
  if (options.validateSchema === false || bundled === undefined) return {};
  try {
    const validate = requireSchemaCompiler()(bundled as object, {
      allErrors: true,
      strict: true,
      schemas: referencedSchemas(ext, options.schemas ?? []),
    });
    return { validate };
  } catch (error) {
    return {
      problem: {
        check: 'schema',
        message:
          `the bundled schema for ${uri} does not compile: ${errorMessage(error)} ` +
          '(pass the schemas it references in the "schemas" option)',
      },
    };
  }
}

/**
 * The definition and config checks, then what the samples are checked with. Without a subject the
 * problems found stop the suite (nothing can be applied).
 */
function prepareSubject(
  extension: unknown,
  options: TestExtensionOptions,
): { subject?: Subject; problems: ConformanceProblem[] } {
  let ext: AnyExtension;
  try {
    ext = toExtension(extension);
  } catch (error) {
    return { problems: [{ check: 'definition', message: errorMessage(error) }] };
  }
  const config = deepFreeze(stripForbiddenKeys(options.config ?? {}));
  const configProblems = findConfigProblems(ext, config)
    .filter((problem) => problem.severity === 'error')
    .map(
      (problem): ConformanceProblem => ({ check: 'config', message: `${problem.path}: ${problem.message}` }),
    );
  if (configProblems.length > 0) return { problems: configProblems };
  let uri: string;
  try {
    uri = schemaUriFor(ext, config);
  } catch (error) {
    return {
      problems: [{ check: 'definition', message: `schemaUri(config) threw: ${errorMessage(error)}` }],
    };
  }
  const problems: ConformanceProblem[] = [];
  if (!ext.schemaUris.includes(uri)) {
    problems.push({
      check: 'definition',
      message: `schemaUri(config) gave "${uri}", which is not in schemaUris`,
    });
  }
  const schema = compileBundledSchema(ext, uri, options);
  if (schema.problem) problems.push(schema.problem);
  const context: ExtensionContext<unknown> = { config, logger: noopLogger };
  return { subject: { ext, uri, context, validate: schema.validate }, problems };
}

function applyTo(subject: Subject, kind: SampleKind, value: StacObject): unknown {
  return kind === 'Item'
    ? subject.ext.applyToItem(value as StacItem, subject.context)
    : subject.ext.applyToCollection!(value as StacCollection, subject.context);
}

/** The first application, on a frozen copy so that a change to the input throws. */
function applyOnce(
  subject: Subject,
  kind: SampleKind,
  input: StacObject,
): { output?: StacObject; problem?: Finding } {
  let once: unknown;
  try {
    once = applyTo(subject, kind, deepFreeze(clone(input)));
  } catch (error) {
    const mutated =
      error instanceof TypeError &&
      /read[- ]only|frozen|not extensible|Cannot (assign|add|delete)/i.test(error.message);
    return mutated
      ? { problem: { check: 'pure', message: `changes its input: ${error.message}` } }
      : { problem: { check: 'apply', message: `threw: ${errorMessage(error)}` } };
  }
  const type = kind === 'Item' ? 'Feature' : 'Collection';
  if (!isPlainObject(once) || once.type !== type) {
    return { problem: { check: 'apply', message: `did not return a ${kind}` } };
  }
  return { output: once as StacObject };
}

/** Applying to the output again must give the output; a throw there stops the sample's checks. */
function checkIdempotent(
  subject: Subject,
  kind: SampleKind,
  once: StacObject,
): { problem?: Finding; stop?: boolean } {
  let twice: unknown;
  try {
    twice = applyTo(subject, kind, deepFreeze(clone(once)));
  } catch (error) {
    return {
      problem: { check: 'idempotent', message: `second application threw: ${errorMessage(error)}` },
      stop: true,
    };
  }
  if (jsonEqual(once, twice)) return {};
  // A prefix no key has, so that every difference is listed.
  const where = foreignChanges(once, twice, '\u0000').slice(0, 5).join(', ');
  return {
    problem: {
      check: 'idempotent',
      message: `applying twice differs from applying once${where ? ` (at ${where})` : ''}`,
    },
  };
}

function checkSchemaUri(uri: string, count: number, original: StacObject, once: StacObject): Finding[] {
  if (count > 1) return [{ check: 'schema-uri', message: `declares ${uri} ${count} times` }];
  if (count === 0 && !jsonEqual(original, once)) {
    return [{ check: 'schema-uri', message: `changed the object but did not declare ${uri}` }];
  }
  return [];
}

function checkOwnCheckObject(subject: Subject, once: StacObject): Finding[] {
  if (!subject.ext.checkObject) return [];
  let issues: ReturnType<NonNullable<AnyExtension['checkObject']>>;
  try {
    issues = subject.ext.checkObject(once, subject.context);
  } catch (error) {
    return [{ check: 'check-object', message: `checkObject threw: ${errorMessage(error)}` }];
  }
  return issues
    .filter((issue) => issue.severity === 'error')
    .map((issue): Finding => ({ check: 'check-object', message: `${issue.path || '/'}: ${issue.message}` }));
}

function checkSchema(subject: Subject, once: StacObject): Finding[] {
  if (!subject.validate || subject.validate(once)) return [];
  const errors = (subject.validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  return [{ check: 'schema', message: `does not validate against ${subject.uri}: ${errors.join('; ')}` }];
}

/** Every rule that applies to one sample object, in the order a reader would check them. */
function checkSample(subject: Subject, kind: SampleKind, input: StacObject): ConformanceProblem[] {
  const label = `${kind} ${String(input.id)}`;
  const withLabel = (found: Finding[]) => found.map((p) => ({ ...p, object: label }));
  const original = clone(input);
  const { output: once, problem } = applyOnce(subject, kind, input);
  if (!once) return withLabel(problem ? [problem] : []);
  const idempotence = checkIdempotent(subject, kind, once);
  if (idempotence.stop) return withLabel([idempotence.problem!]);
  const found: Finding[] = idempotence.problem ? [idempotence.problem] : [];
  const foreign = foreignChanges(original, once, subject.ext.prefix);
  if (foreign.length > 0) {
    found.push({
      check: 'owned-fields',
      message: `changed fields outside "${subject.ext.prefix}:" and stac_extensions: ${foreign.slice(0, 10).join(', ')}`,
    });
  }
  const declared = Array.isArray(once.stac_extensions) ? once.stac_extensions : [];
  const count = declared.filter((u) => u === subject.uri).length;
  found.push(...checkSchemaUri(subject.uri, count, original, once));
  if (count > 0) found.push(...checkOwnCheckObject(subject, once), ...checkSchema(subject, once));
  return withLabel(found);
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
  const { subject, problems } = prepareSubject(extension, options);
  if (!subject) return problems;
  for (const item of options.items ?? []) problems.push(...checkSample(subject, 'Item', item));
  if (subject.ext.applyToCollection) {
    for (const collection of options.collections ?? [])
      problems.push(...checkSample(subject, 'Collection', collection));
  }
  return problems;
}
