import {
  isPlainObject,
  type JsonSchema,
  parseJsonText,
  type Logger,
  noopLogger,
  ScmError,
  type ValidationIssue,
  type ValidationReport,
} from '@scm/core';
import { DigestSet } from '@scm/core/id-set';
import type { Ajv, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.js';
import { checkAssetHrefs } from './assets.js';
import { checkDatetimes } from './datetime.js';
import { checkBbox, checkGeometry } from './geometry.js';
import type { StacValidator, ValidatorExtension, ValidatorOptions } from './options.js';
import { escapeSegment, fieldLabel, jsonType, preview } from './pointer.js';
import { type BranchCompiler, pruneErrors, toSchemaIssues } from './schema-errors.js';
import {
  bundledSchemas,
  loadSchemaDir,
  normalizeUri,
  type SchemaDoc,
  schemasFromRecord,
} from './schema-store.js';

/** STAC versions with bundled core schemas. */
export const SUPPORTED_STAC_VERSIONS: readonly string[] = ['1.0.0', '1.1.0'];

const CORE_KIND: Record<string, string> = { Feature: 'item', Collection: 'collection', Catalog: 'catalog' };

/** Default of {@link ValidatorOptions.bboxTolerance}. */
export const DEFAULT_BBOX_TOLERANCE = 0.00001;
/**
 * Former default of {@link ValidatorOptions.maxSelfIntersectionVertices}.
 * @deprecated The self-intersection test has no vertex limit any more; nothing reads this.
 */
export const DEFAULT_MAX_SELF_INTERSECTION_VERTICES = 5000;

/** The URI of the core schema for a STAC version and object kind (`item`, `collection`, `catalog`). */
export function coreSchemaUri(version: string, kind: string): string {
  return `https://schemas.stacspec.org/v${version}/${kind}-spec/json-schema/${kind}.json`;
}

/**
 * The key under which duplicate ids are tracked: type, collection and id. `undefined` for objects that are
 * not Items or Collections with a string id.
 */
export function duplicateKeyOf(object: unknown): string | undefined {
  if (!isPlainObject(object) || typeof object.id !== 'string') return undefined;
  if (object.type !== 'Feature' && object.type !== 'Collection') return undefined;
  const collection = typeof object.collection === 'string' ? object.collection : '';
  return `${object.type}\u0000${collection}\u0000${object.id}`;
}

/** The `duplicate_id` issue for an object whose key was seen before. */
export function duplicateIssue(object: Record<string, unknown>): ValidationIssue {
  const where = typeof object.collection === 'string' ? ` in collection ${preview(object.collection)}` : '';
  return {
    path: '/id',
    message: `id ${preview(object.id)}${where} was already seen in this run; ids must be unique`,
    kind: 'duplicate_id',
    severity: 'error',
  };
}

function ajvLogger(logger: Logger) {
  return {
    log: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
    warn: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
    error: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
  };
}

/** One ajv instance with every registered schema, compiling each URI lazily and once. */
class SchemaEngine {
  readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | Error>();

  constructor(detailed: boolean, logger: Logger) {
    // strict:false because several official extension schemas carry keyword typos (eo 1.1.0 `minimumExclusive`,
    // sar `example`…) that ajv's strict mode refuses.
    this.ajv = createAjv({
      allErrors: detailed,
      verbose: detailed,
      strict: false,
      logger: ajvLogger(logger),
    });
  }

  compile(key: string): ValidateFunction | Error {
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      try {
        entry = this.ajv.getSchema(key) ?? new Error(`no schema registered for ${key}`);
      } catch (error) {
        entry = error instanceof Error ? error : new Error(String(error));
      }
      this.compiled.set(key, entry);
    }
    return entry;
  }
}

/** Validator implementation; the pool's workers call {@link StacValidatorImpl.check} without duplicate tracking. */
export class StacValidatorImpl implements StacValidator {
  /** Answers valid / invalid quickly (no allErrors, no verbose errors): almost every object is valid. */
  private readonly fast: SchemaEngine;
  /** Built on the first invalid object to collect every error with its schema node (allErrors + verbose). */
  private detailedEngine: SchemaEngine | undefined;
  private readonly registrations: Array<{ schema: object | boolean; key?: string }> = [];
  private readonly logger: Logger;
  private readonly strict: boolean;
  /** Normalised URI (or alias) → ajv key. */
  private readonly known = new Map<string, string>();
  private readonly aliases = new Map<string, string>();
  /** Declared URI → ajv key (or undefined), for the few distinct URIs a run meets. */
  private readonly resolvedCache = new Map<string, string | undefined>();
  private readonly docs: SchemaDoc[] = [];
  private readonly branchCache = new Map<string, ValidateFunction | undefined>();
  private nodeIndex: WeakMap<object, string> | undefined;
  private readonly extensions: Array<{ extension: ValidatorExtension; uris: Set<string> }> = [];
  /** Grows with the run: 64-bit digests of the keys, 8 bytes each (see @scm/core/id-set). */
  private readonly seen = new DigestSet();
  private readonly checkDuplicates: boolean;
  private readonly bboxTolerance: number;
  private readonly compileBranch: BranchCompiler;

  constructor(options: ValidatorOptions = {}) {
    this.strict = (options.level ?? 'strict') === 'strict';
    if (options.level !== undefined && options.level !== 'strict' && options.level !== 'lenient') {
      throw new ScmError(
        'SCM_USAGE',
        `validation level must be "strict" or "lenient", got ${preview(options.level)}`,
      );
    }
    this.checkDuplicates = options.checkDuplicateIds ?? true;
    this.bboxTolerance = options.bboxTolerance ?? DEFAULT_BBOX_TOLERANCE;
    this.logger = options.logger ?? noopLogger;
    this.fast = new SchemaEngine(false, this.logger);
    if (options.schemas)
      for (const doc of schemasFromRecord(options.schemas, 'schemas option')) this.register(doc);
    for (const extension of options.extensions ?? []) {
      if (extension.schemas) {
        for (const doc of schemasFromRecord(
          extension.schemas as Record<string, JsonSchema>,
          'extension schemas',
        )) {
          this.register(doc);
        }
      }
    }
    for (const dir of options.schemaDirs ?? []) for (const doc of loadSchemaDir(dir)) this.register(doc);
    for (const doc of bundledSchemas()) this.register(doc);

    for (const [from, to] of Object.entries(options.uriAliases ?? {})) {
      this.aliases.set(normalizeUri(from), normalizeUri(to));
    }
    for (const extension of options.extensions ?? []) {
      const uris = new Set<string>();
      for (const uri of extension.schemaUris ?? []) {
        uris.add(normalizeUri(uri));
        const resolved = this.resolveUri(uri);
        if (resolved) uris.add(resolved);
      }
      this.extensions.push({ extension, uris });
    }
    this.compileBranch = (branches, index) => this.branch(branches, index);
  }

  private register(doc: SchemaDoc): void {
    if (this.known.has(doc.uri)) return; // the first source wins: options, extensions, schemaDirs, bundled
    const schema = doc.schema;
    const hasId = typeof schema === 'object' && typeof (schema as { $id?: unknown }).$id === 'string';
    const registration =
      hasId && normalizeUri((schema as { $id: string }).$id) === doc.uri
        ? { schema }
        : { schema, key: doc.uri };
    try {
      this.fast.ajv.addSchema(registration.schema as object, registration.key);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (/already exists/.test(text)) return;
      throw new ScmError(
        'SCM_SCHEMA_INVALID',
        `schema ${doc.uri} (${doc.origin}) is not a valid JSON Schema: ${text}`,
        {
          cause: error,
          details: { uri: doc.uri, origin: doc.origin },
        },
      );
    }
    this.registrations.push(registration);
    this.known.set(doc.uri, doc.uri);
    this.docs.push(doc);
    for (const alias of doc.aliases) {
      if (this.known.has(alias)) continue;
      try {
        this.fast.ajv.addSchema(schema as object, alias);
      } catch {
        continue;
      }
      this.registrations.push({ schema, key: alias });
      this.known.set(alias, doc.uri);
    }
  }

  /** The detailed engine, with the same registrations as the fast one (validateSchema off: already checked). */
  private get detailed(): SchemaEngine {
    if (!this.detailedEngine) {
      const engine = new SchemaEngine(true, this.logger);
      for (const { schema, key } of this.registrations) {
        try {
          engine.ajv.addSchema(schema as object, key, undefined, false);
        } catch {
          // same outcome as in the fast engine, where the duplicate was already skipped
        }
      }
      this.detailedEngine = engine;
    }
    return this.detailedEngine;
  }

  /** The ajv key for a declared URI after aliases, normalisation and an http → https retry. */
  private resolveUri(raw: string): string | undefined {
    const cached = this.resolvedCache.get(raw);
    if (cached !== undefined || this.resolvedCache.has(raw)) return cached;
    const key = this.lookupUri(raw);
    if (this.resolvedCache.size < 1000) this.resolvedCache.set(raw, key);
    return key;
  }

  private lookupUri(raw: string): string | undefined {
    let uri = normalizeUri(raw);
    uri = this.aliases.get(uri) ?? uri;
    const direct = this.known.get(uri);
    if (direct) return direct;
    if (uri.startsWith('http://')) return this.known.get(`https://${uri.slice('http://'.length)}`);
    return undefined;
  }

  hasSchema(uri: string): boolean {
    return this.resolveUri(uri) !== undefined;
  }

  resetDuplicateIds(): void {
    this.seen.clear();
  }

  /** Compiles branch `index` of a `oneOf`/`anyOf` array, found by identity in the registered documents. */
  private branch(branches: unknown, index: number): ValidateFunction | undefined {
    if (typeof branches !== 'object' || branches === null) return undefined;
    if (!this.nodeIndex) {
      const indexMap = new WeakMap<object, string>();
      const visit = (node: unknown, location: string) => {
        if (typeof node !== 'object' || node === null || indexMap.has(node)) return;
        indexMap.set(node, location);
        for (const [key, value] of Object.entries(node)) {
          visit(value, `${location}/${encodeURIComponent(escapeSegment(key))}`);
        }
      };
      for (const doc of this.docs) visit(doc.schema, `${doc.uri}#`);
      this.nodeIndex = indexMap;
    }
    const location = this.nodeIndex.get(branches);
    if (!location) return undefined;
    const ref = `${location}/${index}`;
    if (!this.branchCache.has(ref)) {
      let fn: ValidateFunction | undefined;
      try {
        fn = this.detailed.ajv.getSchema(ref);
      } catch {
        fn = undefined;
      }
      this.branchCache.set(ref, fn);
    }
    return this.branchCache.get(ref);
  }

  private runSchema(
    key: string,
    label: string,
    data: unknown,
    issues: ValidationIssue[],
    pathOfUri: string,
  ): void {
    const fn = this.fast.compile(key);
    if (fn instanceof Error) {
      issues.push({
        path: pathOfUri,
        message: `the schema ${label} could not be compiled (${fn.message}); add the schemas it refers to with schemaDirs or schemas`,
        kind: 'schema_unresolved',
        schema: label,
        severity: this.strict ? 'error' : 'warning',
      });
      return;
    }
    if (fn(data)) return;
    const full = this.detailed.compile(key);
    if (full instanceof Error || full(data)) return; // cannot happen: both engines hold the same schemas
    const raw = full.errors ? [...full.errors] : [];
    let pruned = raw;
    try {
      pruned = pruneErrors(raw, this.compileBranch);
    } catch {
      pruned = raw;
    }
    issues.push(...toSchemaIssues(pruned, label));
  }

  validate(object: unknown): ValidationReport {
    return this.check(object, this.checkDuplicates);
  }

  /** Validates one object; `trackDuplicates` false leaves the `duplicate_id` rule to the caller. */
  check(object: unknown, trackDuplicates: boolean): ValidationReport {
    if (!isPlainObject(object)) return notAnObject(object);
    const id = typeof object.id === 'string' ? object.id : undefined;
    const type = typeof object.type === 'string' ? object.type : undefined;
    const kind = type === undefined ? undefined : CORE_KIND[type];
    if (!kind) return unknownType(object, id, type);
    const checkIssues: ValidationIssue[] = [];
    const schemaVersion = this.schemaVersionOf(object.stac_version, checkIssues);
    const declared = Array.isArray(object.stac_extensions) ? object.stac_extensions : [];
    const extensions = this.resolveDeclared(declared, checkIssues);
    const schemaIssues = this.runSchemas(object, kind, schemaVersion, extensions);
    this.runChecks(object, declared, checkIssues);
    if (trackDuplicates) this.trackDuplicate(object, checkIssues);
    return mergedReport(id, type, schemaIssues, checkIssues);
  }

  /** The STAC version whose schemas apply: the declared one when bundled, else 1.0.0 with an issue. */
  private schemaVersionOf(version: unknown, issues: ValidationIssue[]): string {
    if (typeof version === 'string' && SUPPORTED_STAC_VERSIONS.includes(version)) return version;
    if (version === undefined) {
      issues.push(versionIssue('is required; expected "1.0.0" or "1.1.0"', 'error'));
    } else if (typeof version !== 'string') {
      issues.push(versionIssue(`must be a string such as "1.1.0", got ${preview(version)}`, 'error'));
    } else {
      issues.push(
        versionIssue(
          `${preview(version)} is not a supported STAC version (${SUPPORTED_STAC_VERSIONS.join(', ')}); ` +
            'it was validated with the 1.0.0 schemas',
          this.strict ? 'error' : 'warning',
        ),
      );
    }
    return '1.0.0';
  }

  /**
   * Resolves the declared extension URIs (aliases, normalisation) to schema keys, reporting those with no
   * schema offline, and notes the entries to rewrite so that the schemas' own `const` checks still match.
   */
  private resolveDeclared(declared: unknown[], issues: ValidationIssue[]): DeclaredExtensions {
    const resolved: DeclaredExtensions['resolved'] = [];
    let rewritten: unknown[] | undefined;
    for (let index = 0; index < declared.length; index++) {
      const raw = declared[index];
      if (typeof raw !== 'string') continue; // the core schema reports it
      const key = this.resolveUri(raw);
      if (!key) {
        issues.push(this.unresolvedExtension(raw, index));
        continue;
      }
      const plain = normalizeUri(raw);
      if (plain !== key && this.known.get(plain) !== key) {
        rewritten ??= [...declared];
        rewritten[index] = key;
      }
      if (!resolved.some((r) => r.key === key)) resolved.push({ index, raw, key });
    }
    return { resolved, rewritten };
  }

  private unresolvedExtension(raw: string, index: number): ValidationIssue {
    return {
      path: `/stac_extensions/${index}`,
      message:
        `stac_extensions[${index}] ${preview(raw, 120)} has no schema available offline; ` +
        'add it with the schemaDirs or schemas option, or map it with uriAliases',
      kind: 'schema_unresolved',
      schema: raw,
      severity: this.strict ? 'error' : 'warning',
    };
  }

  /** Runs the core schema of the version and kind, then each resolved extension schema. */
  private runSchemas(
    object: Record<string, unknown>,
    kind: string,
    schemaVersion: string,
    { resolved, rewritten }: DeclaredExtensions,
  ): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const target =
      schemaVersion !== object.stac_version || rewritten
        ? { ...object, stac_version: schemaVersion, ...(rewritten ? { stac_extensions: rewritten } : {}) }
        : object;
    const coreUri = coreSchemaUri(schemaVersion, kind);
    this.runSchema(coreUri, coreUri, target, issues, '/stac_version');
    for (const { index, raw, key } of resolved) {
      this.runSchema(key, raw, target, issues, `/stac_extensions/${index}`);
    }
    return issues;
  }

  /** The checks a schema cannot express, then those of the extensions the object declares. */
  private runChecks(object: Record<string, unknown>, declared: unknown[], issues: ValidationIssue[]): void {
    if (object.type === 'Feature') this.checkItemGeometry(object, issues);
    checkDatetimes(object, issues);
    if (object.type !== 'Catalog') checkAssetHrefs(object, issues);
    this.runExtensionChecks(object, declared, issues);
  }

  private checkItemGeometry(object: Record<string, unknown>, issues: ValidationIssue[]): void {
    if (!('geometry' in object)) {
      issues.push({
        path: '/geometry',
        message: 'geometry is required; use null when the item has no location',
        kind: 'geometry',
        severity: 'error',
      });
    } else if (object.geometry !== null) {
      const result = checkGeometry(object.geometry, '/geometry', issues);
      checkBbox(object, result.valid ? result.extent : undefined, issues, { tolerance: this.bboxTolerance });
    }
  }

  private trackDuplicate(object: Record<string, unknown>, issues: ValidationIssue[]): void {
    const key = duplicateKeyOf(object);
    if (key === undefined) return;
    if (!this.seen.add(key)) issues.push(duplicateIssue(object));
  }

  private runExtensionChecks(
    object: Record<string, unknown>,
    declared: unknown[],
    issues: ValidationIssue[],
  ): void {
    if (this.extensions.length === 0) return;
    const uris = new Set<string>();
    for (const raw of declared) {
      if (typeof raw !== 'string') continue;
      uris.add(normalizeUri(raw));
      const key = this.resolveUri(raw);
      if (key) uris.add(key);
    }
    for (const { extension, uris: own } of this.extensions) {
      if (!extension.checkObject || ![...own].some((u) => uris.has(u))) continue;
      try {
        const found = extension.checkObject(object);
        for (const issue of Array.isArray(found) ? found : []) {
          issues.push({
            ...issue,
            path: typeof issue.path === 'string' ? issue.path : '',
            kind: issue.kind || 'extension',
            severity: issue.severity === 'warning' ? 'warning' : 'error',
          });
        }
      } catch (error) {
        issues.push({
          path: '',
          message: `the check of extension ${[...own][0] ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
          kind: 'extension',
          severity: 'error',
        });
      }
    }
  }
}

/** Declared extension URIs resolved to schema keys, and `stac_extensions` rewritten to those keys if needed. */
interface DeclaredExtensions {
  resolved: Array<{ index: number; raw: string; key: string }>;
  rewritten: unknown[] | undefined;
}

function notAnObject(value: unknown): ValidationReport {
  return report(undefined, undefined, [
    {
      path: '',
      message: `the value must be a JSON object (a STAC Item, Collection or Catalog), got ${jsonType(value)}`,
      kind: 'schema',
      severity: 'error',
    },
  ]);
}

function unknownType(
  object: Record<string, unknown>,
  id: string | undefined,
  type: string | undefined,
): ValidationReport {
  const text =
    type === 'FeatureCollection'
      ? 'is "FeatureCollection"; validate each of its features instead'
      : `must be "Feature", "Collection" or "Catalog", got ${preview(object.type)}`;
  return report(id, type, [{ path: '/type', message: `type ${text}`, kind: 'schema', severity: 'error' }]);
}

/** A dedicated check explains a problem better than the schema keyword at the same place: keep the former. */
function mergedReport(
  id: string | undefined,
  type: string | undefined,
  schemaIssues: ValidationIssue[],
  checkIssues: ValidationIssue[],
): ValidationReport {
  if (schemaIssues.length === 0) return report(id, type, checkIssues);
  if (checkIssues.length === 0) return report(id, type, schemaIssues);
  const explained = new Set(checkIssues.filter((i) => i.severity === 'error').map((i) => i.path));
  return report(id, type, [...schemaIssues.filter((i) => !explained.has(i.path)), ...checkIssues]);
}

function versionIssue(text: string, severity: 'error' | 'warning'): ValidationIssue {
  return {
    path: '/stac_version',
    message: `${fieldLabel('/stac_version')} ${text}`,
    kind: 'stac_version',
    severity,
  };
}

/**
 * Parses the JSON text of an object to validate: the object (without `__proto__` / `constructor` /
 * `prototype` members, as the readers drop them), or the report of text that is not valid JSON (one error
 * of kind `json`), the same on a worker thread and in the caller's.
 */
export function parseValidationText(
  text: string,
): { object: unknown; dropped?: readonly string[] } | { report: ValidationReport } {
  try {
    const { value, dropped } = parseJsonText(text);
    return { object: value, dropped };
  } catch (error) {
    const message = `the text is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    return {
      report: report(undefined, undefined, [{ path: '', message, kind: 'json', severity: 'error' }]),
    };
  }
}

/** Builds a report: splits by severity and collapses issues with the same severity, path and message. */
export function report(
  id: string | undefined,
  type: string | undefined,
  issues: ValidationIssue[],
): ValidationReport {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  if (issues.length === 0) {
    const out: ValidationReport = { valid: true, errors, warnings };
    if (id !== undefined) out.id = id;
    if (type !== undefined) out.type = type;
    return out;
  }
  const seen = new Set<string>();
  for (const issue of issues) {
    const key = `${issue.severity}\u0000${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (issue.severity === 'warning' ? warnings : errors).push(issue);
  }
  const out: ValidationReport = { valid: errors.length === 0, errors, warnings };
  if (id !== undefined) out.id = id;
  if (type !== undefined) out.type = type;
  return out;
}

/**
 * Creates a validator for one run: the official STAC 1.0.0 / 1.1.0 core schemas, the bundled extension
 * schemas and any you add, all offline, plus checks a schema cannot make (geometry, bbox, datetimes, asset
 * hrefs, alternate assets, duplicate ids). Schemas are compiled lazily, once per URI.
 *
 * Throws `SCM_SCHEMA_INVALID` for a schema you pass that ajv refuses, `SCM_SCHEMA_UNRESOLVED` for a missing
 * schema folder, and `SCM_USAGE` for an unknown level.
 */
export function createValidator(options: ValidatorOptions = {}): StacValidator {
  return new StacValidatorImpl(options);
}
