import type {
  JsonSchema,
  Logger,
  StacCollection,
  StacItem,
  ValidationIssue,
  ValidationReport,
} from '@scm/core';

/** How hard the validator is on problems it cannot fully check. */
export type ValidationLevel = 'strict' | 'lenient';

/**
 * What the validator needs from an extension. `Extension` from `@scm/core` fits this shape, so the
 * loaded extensions of a run can be passed as they are.
 */
export interface ValidatorExtension {
  /** Schema URIs the extension answers for; `checkObject` runs for objects that declare one of them. */
  readonly schemaUris?: readonly string[];
  /** Schema documents keyed by URI, added to the validator so the extension validates offline. */
  readonly schemas?: Readonly<Record<string, JsonSchema>>;
  /** Cross-field checks a schema cannot express; returns findings and never throws (a throw becomes an issue). */
  checkObject?(object: StacItem | StacCollection | Record<string, unknown>): ValidationIssue[];
}

/** Options of {@link createValidator}. */
export interface ValidatorOptions {
  /**
   * `strict` (default): an extension schema that cannot be found, or a `stac_version` other than 1.0.0 / 1.1.0,
   * is an error. `lenient`: both are warnings, and an unsupported version is validated with the 1.0.0 schemas.
   */
  level?: ValidationLevel;
  /**
   * Extra folders of JSON Schemas, searched for extension URIs the bundled set lacks. A folder is either laid out
   * by URL (`HOST/PATH` for `https://HOST/PATH`) or holds schema files with an absolute `$id`; both work.
   * Default: none.
   */
  schemaDirs?: readonly string[];
  /** Extra schema documents keyed by URI (they win over `schemaDirs` and the bundled set). Default: none. */
  schemas?: Readonly<Record<string, JsonSchema>>;
  /** Extensions whose `schemas` are added and whose `checkObject` runs on objects declaring them. Default: none. */
  extensions?: readonly ValidatorExtension[];
  /**
   * Report an Item or Collection whose id (with its `collection`) this validator has already seen
   * (`duplicate_id`). The memory of ids lasts as long as the validator, i.e. one run. Default: true.
   */
  checkDuplicateIds?: boolean;
  /**
   * URI aliases: a `stac_extensions` URI on the left is validated with the schema of the URI on the right, e.g. an
   * old dgeo URI mapped to a known dgeo schema. Default: none.
   */
  uriAliases?: Readonly<Record<string, string>>;
  /**
   * How far (in degrees) the geometry may stick out of `bbox` before it is an error. A `bbox` larger than the
   * geometry's extent by more than this is a warning. Default: 0.00001 (about 1 m).
   */
  bboxTolerance?: number;
  /**
   * Ignored: the self-intersection check is a sweep with no vertex limit, so every polygon is checked.
   * @deprecated Kept so existing option objects still type-check.
   */
  maxSelfIntersectionVertices?: number;
  /** Receives ajv's schema warnings at debug level. Default: a logger that drops everything. */
  logger?: Logger;
}

/** A validator for one run; see {@link createValidator}. */
export interface StacValidator {
  /** Validates one Item, Collection or Catalog (any JSON value is accepted and reported on). Never throws. */
  validate(object: unknown): ValidationReport;
  /** True when a schema for `uri` is available (after aliases and normalisation). */
  hasSchema(uri: string): boolean;
  /** Forgets the ids seen so far (for `duplicate_id`), as if a new run started. */
  resetDuplicateIds(): void;
}
