import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  errorMessage,
  isForbiddenKey,
  requireSchemaCompiler,
  type SchemaCheck,
  type SchemaCheckError,
  ScmError,
  type SourceLocation,
} from '@scm/core';
import { pointerSegments } from '@scm/core/json-pointer';
import { type Audit, type AuditRuleInfo, createAudit } from './audit.js';
import { buildLookupTable, type LookupTable, type LookupTableSpec } from './lookup.js';
import type { MappingDocument, WhenMissing } from './mapping-types.js';
import { DefinitionError, type KeyPath, parsePath } from './path.js';
import { mappingJsonSchema } from './schema.js';
import type { CsvRowsReader, WktReader, YamlReader } from './readers.js';
import { parseTemplate, type Template } from './template.js';
import {
  COMMON_OPTIONS,
  type CompileEnv,
  compileLookup,
  findTransform,
  ON_MISS,
  type TransformFn,
  transformNames,
} from './transforms.js';
import { didYouMean, isObject, safeClone } from './values.js';

/** A compiled mapping, ready for {@link applyMapping}, {@link transformRecords} and {@link enrichItems}. */
export interface Mapping {
  /** The mapping file, when it came from one. */
  readonly file: string | undefined;
  /** One entry per rule (the `id_template` first when there is one), as the audit lists them. */
  readonly rules: readonly AuditRuleInfo[];
  /** The mapping as written (normalised to the object form). */
  readonly document: MappingDocument;
  /** Counts of every use of this mapping; pass `audit` in the options to count a run on its own. */
  readonly audit: Audit;
}

/** One step of a rule's pipeline. */
export interface CompiledStep {
  name: string;
  each: boolean;
  fn: TransformFn;
}

/** A compiled rule (internal). */
export interface CompiledRule {
  info: AuditRuleInfo;
  /** "rule 3 (properties.datetime)" */
  label: string;
  target: KeyPath;
  /** Concrete target keys when the target has no wildcard or placeholder. */
  targetKeys: (string | number)[] | undefined;
  kind: 'paths' | 'constant' | 'template' | 'fields';
  sources: KeyPath[];
  constant: unknown;
  template: Template | undefined;
  /** `expand`: target wildcards over the output; `per-match`: one write per source match; `single`: one write. */
  mode: 'single' | 'per-match' | 'expand';
  sourceWildcards: number;
  steps: CompiledStep[];
  policy: WhenMissing;
  defaultValue: unknown;
  merge: boolean;
  overwrite: boolean;
  /** Source text for messages. */
  field: string;
}

/** The compiled form of a mapping (internal). */
export interface CompiledMapping {
  rules: CompiledRule[];
  passthrough: boolean | Set<string>;
  passthroughTarget: (string | number)[];
  /** Top-level source keys some rule reads (for passthrough); `undefined` means "all". */
  usedKeys: UsedKeys | undefined;
  defaults: { keys: (string | number)[]; value: unknown }[];
  /** Cache: the counters of the audit used last. */
  lastAudit?: Audit;
  lastCounts?: import('./audit.js').RuleCounts[];
}

const compiledMappings = new WeakMap<Mapping, CompiledMapping>();

/** The compiled form of a mapping; throws when the object did not come from {@link parseMapping}. */
export function compiledOf(mapping: Mapping): CompiledMapping {
  const compiled = compiledMappings.get(mapping);
  if (!compiled)
    throw new ScmError('SCM_USAGE', 'not a compiled mapping: build it with parseMapping() or loadMapping()');
  return compiled;
}

/**
 * Options of {@link parseMapping}. The readers are the workspace's single
 * implementations of rules that need an npm library; `@scm/workflow` and the
 * CLI pass them in, so this package parses no WKT, YAML or CSV itself.
 */
export interface ParseMappingOptions {
  /** Folder that lookup table files are relative to (default: the mapping file's folder, else the working directory). */
  baseDir?: string;
  /** WKT reader for `wkt_geometry` (`readWkt` of `@scm/scaffold`). A mapping using `wkt_geometry` without it is refused. */
  readWkt?: WktReader;
  /** CSV reader for `.csv` lookup tables (`parseCsvText` of `@scm/input`). A CSV table without it is refused. */
  parseCsv?: CsvRowsReader;
  /** YAML reader for mapping text (`readYaml` of `@scm/config`). Without it, only objects and JSON text are accepted. */
  parseYaml?: YamlReader;
}

const TOP_KEYS = [
  '$schema',
  'version',
  'description',
  'mappings',
  'lookup_tables',
  'defaults',
  'id_template',
  'passthrough',
  'passthrough_target',
];
const RULE_KEYS = [
  'target_field',
  'source_field',
  'constant',
  'template',
  'transform',
  'optional',
  'default',
  'when_missing',
  'lookup',
  'merge',
  'overwrite',
  'description',
];

type PathPart = string | number;

/** Turns a document path into text: `mappings[3].transform`. */
function pathText(path: readonly PathPart[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

class Locator {
  constructor(
    readonly file: string | undefined,
    private readonly find?: (path: readonly PathPart[]) => number | undefined,
  ) {}

  error(path: readonly PathPart[], message: string, cause?: unknown): ScmError {
    const location: SourceLocation = { path: pathText(path) };
    if (this.file) location.file = this.file;
    const line = this.find?.(path);
    if (line !== undefined) location.line = line;
    const where = `${this.file ?? 'mapping'}${line !== undefined ? `:${line}` : ''}`;
    const details: Record<string, unknown> = { path: location.path };
    const ruleIndex = path[0] === 'mappings' && typeof path[1] === 'number' ? path[1] : undefined;
    if (ruleIndex !== undefined) {
      details.rule = ruleIndex;
      if (typeof path[2] === 'string') details.field = path[2];
    }
    return new ScmError('SCM_MAPPING_INVALID', `${where}: ${message}`, { location, details, cause });
  }
}

let documentValidator: SchemaCheck | undefined;
const optionValidators = new Map<string, SchemaCheck>();

/** Compiles with the JSON Schema compiler of the core contract: first error only, formats not checked. */
function compile(schema: object): SchemaCheck {
  return requireSchemaCompiler()(schema, { formats: 'none' });
}

function optionValidator(key: string, schema: object): SchemaCheck {
  let validate = optionValidators.get(key);
  if (!validate) {
    validate = compile(schema);
    optionValidators.set(key, validate);
  }
  return validate;
}

function ajvMessage(errors: SchemaCheckError[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'is not valid';
  if (e.keyword === 'enum')
    return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? 'is not valid';
}

function describeRule(rule: unknown): string {
  return isObject(rule) && typeof rule.target_field === 'string'
    ? ` (target_field ${rule.target_field})`
    : '';
}

function ruleSourceText(rule: Record<string, unknown>): string {
  if (Object.hasOwn(rule, 'source_field')) {
    const s = rule.source_field;
    return Array.isArray(s) ? s.join(' | ') : String(s);
  }
  if (Object.hasOwn(rule, 'constant')) return 'constant';
  if (Object.hasOwn(rule, 'template')) return `template ${JSON.stringify(rule.template)}`;
  return 'fields';
}

interface Compiler {
  loc: Locator;
  tables: Map<string, LookupTable>;
  readWkt: WktReader | undefined;
}

function compileSteps(
  raw: unknown,
  path: PathPart[],
  compiler: Compiler,
  ruleDefault: CompileEnv['ruleDefault'],
  label: string,
): { steps: CompiledStep[]; readsFields: boolean } {
  const specs = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const steps: CompiledStep[] = [];
  let readsFields = false;
  specs.forEach((spec, i) => {
    const at = Array.isArray(raw) ? [...path, i] : path;
    let name: string;
    let options: Record<string, unknown> = {};
    if (typeof spec === 'string') name = spec;
    else if (isObject(spec)) {
      if (typeof spec.type !== 'string')
        throw compiler.loc.error(
          at,
          `${label}: a transform object needs a "type" (one of ${transformNames().join(', ')})`,
        );
      name = spec.type;
      options = spec;
    } else {
      throw compiler.loc.error(
        at,
        `${label}: a transform must be a name or an object with "type", got ${JSON.stringify(spec)}`,
      );
    }
    const definition = findTransform(name);
    if (!definition)
      throw compiler.loc.error(
        at,
        `${label}: unknown transform "${name}"${didYouMean(name, transformNames())}`,
      );
    const known = { ...COMMON_OPTIONS, ...definition.options };
    for (const key of Object.keys(options)) {
      if (key === 'type') continue;
      if (!Object.hasOwn(known, key)) {
        const list = Object.keys(known).join(', ');
        throw compiler.loc.error(
          [...at, key],
          `${label}: transform "${name}" has no option "${key}"${didYouMean(key, Object.keys(known))} (options: ${list})`,
        );
      }
      const validate = optionValidator(`${definition.name}.${key}`, known[key]!.schema);
      if (!validate(options[key])) {
        throw compiler.loc.error(
          [...at, key],
          `${label}: option "${key}" of transform "${name}" ${ajvMessage(validate.errors)}`,
        );
      }
    }
    for (const key of definition.required ?? []) {
      if (!Object.hasOwn(options, key))
        throw compiler.loc.error(at, `${label}: transform "${name}" needs the option "${key}"`);
    }
    if (i === 0 && definition.readsFields?.(options)) readsFields = true;
    let fn: TransformFn;
    try {
      fn = definition.compile(options, { tables: compiler.tables, ruleDefault, readWkt: compiler.readWkt });
    } catch (error) {
      if (error instanceof DefinitionError)
        throw compiler.loc.error(at, `${label}: transform "${name}": ${error.message}`);
      throw error;
    }
    steps.push({ name: definition.name, each: options.each === true, fn });
  });
  return { steps, readsFields };
}

function parseRulePath(
  text: unknown,
  side: 'source' | 'target',
  at: PathPart[],
  label: string,
  loc: Locator,
): KeyPath {
  if (typeof text !== 'string')
    throw loc.error(at, `${label}: ${side === 'target' ? 'target_field' : 'source_field'} must be a string`);
  try {
    return parsePath(text, side);
  } catch (error) {
    if (error instanceof DefinitionError) throw loc.error(at, `${label}: ${error.message}`);
    throw error;
  }
}

/** A rule being compiled: the raw object and where it sits, for messages. */
interface RuleContext {
  rule: Record<string, unknown>;
  index: number | 'id_template';
  /** Document path of the rule. */
  base: PathPart[];
  /** "rule 3 (target_field x)", for messages. */
  label: string;
  loc: Locator;
}

/** What a rule reads: record paths, a constant, a template, or the fields a transform names. */
interface RuleInput {
  kind: CompiledRule['kind'];
  sources: KeyPath[];
  template: Template | undefined;
}

/**
 * Compiles one rule in the order its problems are reported: shape and keys,
 * target, missing-value policy, lookup and transform steps, input, then how
 * wildcards pair up (mode).
 */
function compileRule(raw: unknown, index: number | 'id_template', compiler: Compiler): CompiledRule {
  const ctx = ruleContext(raw, index, compiler.loc);
  const { rule, base, label, loc } = ctx;
  if (!Object.hasOwn(rule, 'target_field')) throw loc.error(base, `${label}: target_field is required`);
  const target = parseRulePath(rule.target_field, 'target', [...base, 'target_field'], label, loc);
  checkRuleOptions(ctx);
  const { policy, ruleDefault } = missingPolicy(ctx);
  const steps: CompiledStep[] = [];
  if (Object.hasOwn(rule, 'lookup')) steps.push(lookupStep(ctx, compiler, ruleDefault));
  const compiledSteps = compileSteps(rule.transform, [...base, 'transform'], compiler, ruleDefault, label);
  steps.push(...compiledSteps.steps);
  const input = ruleInput(ctx, compiledSteps.readsFields);
  const { mode, sourceWildcards } = ruleMode(ctx, target, input);
  return assembleRule(ctx, target, input, {
    mode,
    sourceWildcards,
    steps,
    policy,
    defaultValue: ruleDefault.value,
  });
}

/** The rule as an object with known keys, its document path and its label. */
function ruleContext(raw: unknown, index: number | 'id_template', loc: Locator): RuleContext {
  const base: PathPart[] = index === 'id_template' ? ['id_template'] : ['mappings', index];
  if (!isObject(raw))
    throw loc.error(base, `rule ${index} must be an object with target_field, got ${JSON.stringify(raw)}`);
  const label = index === 'id_template' ? 'id_template' : `rule ${index}${describeRule(raw)}`;
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.includes(key))
      throw loc.error([...base, key], `${label}: unknown key "${key}"${didYouMean(key, RULE_KEYS)}`);
  }
  return { rule: raw, index, base, label, loc };
}

/** One input kind at most, boolean flags and a text description. */
function checkRuleOptions({ rule, base, label, loc }: RuleContext): void {
  const kinds = ['source_field', 'constant', 'template'].filter((k) => Object.hasOwn(rule, k));
  if (kinds.length > 1)
    throw loc.error(
      [...base, kinds[1]!],
      `${label}: use only one of source_field, constant and template (found ${kinds.join(', ')})`,
    );
  for (const key of ['optional', 'merge', 'overwrite'] as const) {
    if (Object.hasOwn(rule, key) && typeof rule[key] !== 'boolean')
      throw loc.error([...base, key], `${label}: ${key} must be true or false`);
  }
  if (Object.hasOwn(rule, 'description') && typeof rule.description !== 'string')
    throw loc.error([...base, 'description'], `${label}: description must be text`);
}

/** What happens when the source is missing, and the rule's `default`. */
function missingPolicy({ rule, base, label, loc }: RuleContext): {
  policy: WhenMissing;
  ruleDefault: CompileEnv['ruleDefault'];
} {
  const hasDefault = Object.hasOwn(rule, 'default');
  let policy: WhenMissing = hasDefault ? 'default' : rule.optional === true ? 'skip' : 'error';
  if (Object.hasOwn(rule, 'when_missing')) {
    const wm = rule.when_missing;
    if (wm !== 'error' && wm !== 'skip' && wm !== 'default' && wm !== 'null') {
      throw loc.error(
        [...base, 'when_missing'],
        `${label}: when_missing must be one of error, skip, default, null`,
      );
    }
    if (wm === 'default' && !hasDefault)
      throw loc.error([...base, 'when_missing'], `${label}: when_missing: default needs a "default" value`);
    policy = wm;
  }
  return {
    policy,
    ruleDefault: { present: hasDefault, value: hasDefault ? safeClone(rule.default) : undefined },
  };
}

type LookupSpec = { table: string; on_miss?: string; default?: unknown; hasDefault: boolean };

/** The rule's `lookup`, as a step that runs before its transforms. */
function lookupStep(
  ctx: RuleContext,
  compiler: Compiler,
  ruleDefault: CompileEnv['ruleDefault'],
): CompiledStep {
  const at = [...ctx.base, 'lookup'];
  const spec = lookupSpec(ctx.rule.lookup, at, ctx.label, ctx.loc);
  try {
    const env = { tables: compiler.tables, ruleDefault, readWkt: compiler.readWkt };
    return { name: 'lookup', each: false, fn: compileLookup(spec, env) };
  } catch (error) {
    if (error instanceof DefinitionError) throw ctx.loc.error(at, `${ctx.label}: ${error.message}`);
    throw error;
  }
}

function lookupSpec(lk: unknown, at: PathPart[], label: string, loc: Locator): LookupSpec {
  if (typeof lk === 'string') return { table: lk, hasDefault: false };
  if (!isObject(lk))
    throw loc.error(at, `${label}: lookup must be a table name or { table, on_miss, default }`);
  for (const key of Object.keys(lk)) {
    if (!['table', 'on_miss', 'default'].includes(key))
      throw loc.error([...at, key], `${label}: lookup has no key "${key}" (use table, on_miss, default)`);
  }
  if (typeof lk.table !== 'string') throw loc.error(at, `${label}: lookup needs a "table" name`);
  if (lk.on_miss !== undefined && !(ON_MISS as readonly unknown[]).includes(lk.on_miss)) {
    throw loc.error([...at, 'on_miss'], `${label}: on_miss must be one of ${ON_MISS.join(', ')}`);
  }
  return {
    table: lk.table,
    on_miss: lk.on_miss as string | undefined,
    default: lk.default,
    hasDefault: Object.hasOwn(lk, 'default'),
  };
}

function ruleInput(ctx: RuleContext, readsFields: boolean): RuleInput {
  const { rule, base, label, loc } = ctx;
  if (Object.hasOwn(rule, 'source_field'))
    return { kind: 'paths', sources: sourcePaths(ctx), template: undefined };
  if (Object.hasOwn(rule, 'constant')) return { kind: 'constant', sources: [], template: undefined };
  if (Object.hasOwn(rule, 'template')) {
    if (typeof rule.template !== 'string')
      throw loc.error([...base, 'template'], `${label}: template must be text`);
    try {
      return { kind: 'template', sources: [], template: parseTemplate(rule.template) };
    } catch (error) {
      if (error instanceof DefinitionError)
        throw loc.error([...base, 'template'], `${label}: ${error.message}`);
      throw error;
    }
  }
  if (readsFields) return { kind: 'fields', sources: [], template: undefined };
  throw loc.error(
    base,
    `${label}: needs one of source_field, constant or template (or a transform with "fields")`,
  );
}

/** The paths of `source_field`, one or a list. */
function sourcePaths({ rule, base, label, loc }: RuleContext): KeyPath[] {
  const raw = rule.source_field;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0)
    throw loc.error([...base, 'source_field'], `${label}: source_field is an empty list`);
  return list.map((s, i) =>
    parseRulePath(
      s,
      'source',
      Array.isArray(raw) ? [...base, 'source_field', i] : [...base, 'source_field'],
      label,
      loc,
    ),
  );
}

/**
 * How source and target wildcards pair up: one write per source match
 * (`per-match`), target wildcards over the output (`expand`), or one write
 * (`single`); placeholders that cannot be bound are refused.
 */
function ruleMode(
  { base, label, loc }: RuleContext,
  target: KeyPath,
  { sources, template }: RuleInput,
): { mode: CompiledRule['mode']; sourceWildcards: number } {
  const sourceWildcards = sources.length > 0 ? sources[0]!.wildcards : 0;
  if (sources.some((s) => s.wildcards !== sourceWildcards)) {
    throw loc.error(
      [...base, 'source_field'],
      `${label}: every path of a source_field list must have the same number of wildcards`,
    );
  }
  let mode: CompiledRule['mode'];
  if (sourceWildcards > 0 && (target.wildcards > 0 || target.hasPattern)) {
    if (target.wildcards > 0 && target.wildcards !== sourceWildcards) {
      throw loc.error(
        [...base, 'target_field'],
        `${label}: target_field has ${target.wildcards} wildcard(s) but source_field has ${sourceWildcards}; they are paired in order, so the counts must match`,
      );
    }
    mode = 'per-match';
  } else if (target.wildcards > 0) mode = 'expand';
  else mode = 'single';
  checkPlaceholders({ base, label, loc }, mode, target, sources, template);
  return { mode, sourceWildcards };
}

function checkPlaceholders(
  { base, label, loc }: Pick<RuleContext, 'base' | 'label' | 'loc'>,
  mode: CompiledRule['mode'],
  target: KeyPath,
  sources: KeyPath[],
  template: Template | undefined,
): void {
  if (mode === 'single' && target.hasPattern) {
    throw loc.error(
      [...base, 'target_field'],
      `${label}: {$key}/{$index} in target_field need a wildcard in source_field or target_field`,
    );
  }
  if (mode !== 'expand' && sources.some((s) => s.hasPattern)) {
    throw loc.error(
      [...base, 'source_field'],
      `${label}: {$key}/{$index} in source_field need a wildcard in target_field (and none in source_field)`,
    );
  }
  if (mode === 'single' && template?.usesBindings) {
    throw loc.error(
      [...base, 'template'],
      `${label}: {$key}/{$index} in a template need a wildcard in source_field or target_field`,
    );
  }
  if (template?.usesValue)
    throw loc.error([...base, 'template'], `${label}: {$value} is only available in a "template" transform`);
}

function assembleRule(
  { rule, index }: RuleContext,
  target: KeyPath,
  { kind, sources, template }: RuleInput,
  compiled: Pick<CompiledRule, 'mode' | 'sourceWildcards' | 'steps' | 'policy' | 'defaultValue'>,
): CompiledRule {
  const concrete = target.wildcards === 0 && !target.hasPattern;
  return {
    info: { rule: index, target: target.text, source: ruleSourceText(rule) },
    label: index === 'id_template' ? 'id_template' : `rule ${index} (${target.text})`,
    target,
    targetKeys: concrete
      ? target.segments.map((s) => (s.kind === 'key' ? s.key : s.kind === 'index' ? s.index : ''))
      : undefined,
    kind,
    sources,
    constant: kind === 'constant' ? safeClone(rule.constant) : undefined,
    template,
    ...compiled,
    merge: rule.merge !== false,
    overwrite: rule.overwrite !== false,
    field:
      kind === 'paths'
        ? sources.map((s) => s.text).join(' | ')
        : kind === 'template'
          ? (template?.text ?? '')
          : kind,
  };
}

/** Top-level record keys that rules read: exact names, and patterns for `{$key}` placeholders. */
export interface UsedKeys {
  names: Set<string>;
  patterns: RegExp[];
}

function usedTopLevelKeys(rules: CompiledRule[]): UsedKeys | undefined {
  const used: UsedKeys = { names: new Set(), patterns: [] };
  const add = (path: KeyPath): boolean => {
    if (path.root !== 'record') return true;
    const first = path.segments[0];
    if (!first) return true;
    if (first.kind === 'key') used.names.add(first.key);
    else if (first.kind === 'index') used.names.add(String(first.index));
    else if (first.kind === 'pattern') {
      const source = first.parts
        .map((p) => (typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '.*'))
        .join('');
      used.patterns.push(new RegExp(`^${source}$`, 's'));
    } else return false;
    return true;
  };
  for (const rule of rules) {
    for (const path of rule.sources) if (!add(path)) return undefined;
    for (const path of rule.template?.paths ?? []) if (!add(path)) return undefined;
  }
  return used;
}

/** True when a rule of the mapping reads the top-level key `name`. */
export function isUsedKey(used: UsedKeys | undefined, name: string): boolean {
  if (used === undefined) return true;
  return used.names.has(name) || used.patterns.some((p) => p.test(name));
}

/** What compiling a document needs besides the document: where lookup files are and the readers. */
type CompileOptions = ParseMappingOptions & { baseDir: string };

function compileDocument(
  doc: unknown,
  loc: Locator,
  options: CompileOptions,
): { document: MappingDocument; compiled: CompiledMapping } {
  const top = topLevelObject(doc, loc);
  const tables = compileLookupTables(top.lookup_tables, loc, options);
  const compiler: Compiler = { loc, tables, readWkt: options.readWkt };
  const rules = compileRules(top, compiler);
  const passthrough = compilePassthrough(top.passthrough, loc);
  const passthroughTarget = compileConcretePath(
    top.passthrough_target ?? 'properties',
    ['passthrough_target'],
    loc,
  );
  const defaults = compileDefaults(top.defaults, loc);
  checkAgainstSchema(top, loc);
  const document = safeClone(top) as MappingDocument;
  return {
    document,
    compiled: { rules, passthrough, passthroughTarget, usedKeys: usedTopLevelKeys(rules), defaults },
  };
}

/** The document as an object with known top-level keys and a `mappings` array. */
function topLevelObject(doc: unknown, loc: Locator): Record<string, unknown> & { mappings: unknown[] } {
  let top: Record<string, unknown>;
  if (Array.isArray(doc)) top = { mappings: doc };
  else if (isObject(doc)) top = doc;
  else throw loc.error([], 'a mapping must be an object with "mappings" or an array of rules');
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.includes(key))
      throw loc.error([key], `unknown top-level key "${key}"${didYouMean(key, TOP_KEYS)}`);
  }
  if (!Array.isArray(top.mappings)) throw loc.error(['mappings'], '"mappings" must be an array of rules');
  return top as Record<string, unknown> & { mappings: unknown[] };
}

function compileLookupTables(raw: unknown, loc: Locator, options: CompileOptions): Map<string, LookupTable> {
  const tables = new Map<string, LookupTable>();
  if (raw === undefined) return tables;
  if (!isObject(raw)) throw loc.error(['lookup_tables'], 'lookup_tables must be an object of named tables');
  for (const [name, spec] of Object.entries(raw)) {
    const at = ['lookup_tables', name];
    checkTableSpec(name, spec, at, loc);
    try {
      tables.set(name, buildLookupTable(name, spec as LookupTableSpec, options.baseDir, options.parseCsv));
    } catch (error) {
      if (error instanceof DefinitionError) throw loc.error(at, error.message, error);
      throw error;
    }
  }
  return tables;
}

/** Refuses a lookup table spec whose shape or keys are wrong, before any file is read. */
function checkTableSpec(name: string, spec: unknown, at: PathPart[], loc: Locator): void {
  if (isForbiddenKey(name)) throw loc.error(at, `"${name}" is not allowed as a table name`);
  if (!isObject(spec) || (!Object.hasOwn(spec, 'inline') && !Object.hasOwn(spec, 'file'))) {
    throw loc.error(at, `lookup table "${name}" must be { inline: {...} } or { file, key, value }`);
  }
  const allowed = Object.hasOwn(spec, 'inline') ? ['inline'] : ['file', 'key', 'value'];
  for (const key of Object.keys(spec)) {
    if (!allowed.includes(key))
      throw loc.error(
        [...at, key],
        `lookup table "${name}": unknown key "${key}" (use ${allowed.join(', ')})`,
      );
  }
  if (Object.hasOwn(spec, 'inline')) {
    if (!isObject(spec.inline))
      throw loc.error([...at, 'inline'], `lookup table "${name}": inline must be an object`);
    const bad = Object.keys(spec.inline).find(isForbiddenKey);
    if (bad)
      throw loc.error([...at, 'inline', bad], `lookup table "${name}": "${bad}" is not allowed as a key`);
  } else if (typeof spec.file !== 'string' || spec.file === '') {
    throw loc.error([...at, 'file'], `lookup table "${name}": file must be a path`);
  }
}

/** The `id_template` (as a rule on `id`) followed by every rule of `mappings`. */
function compileRules(
  top: Record<string, unknown> & { mappings: unknown[] },
  compiler: Compiler,
): CompiledRule[] {
  const { loc } = compiler;
  const rules: CompiledRule[] = [];
  if (top.id_template !== undefined) {
    if (typeof top.id_template !== 'string') throw loc.error(['id_template'], 'id_template must be text');
    rules.push(compileRule({ target_field: 'id', template: top.id_template }, 'id_template', compiler));
  }
  top.mappings.forEach((rule, i) => {
    rules.push(compileRule(rule, i, compiler));
  });
  if (rules.length === 0) throw loc.error(['mappings'], 'the mapping has no rules');
  return rules;
}

function compilePassthrough(raw: unknown, loc: Locator): CompiledMapping['passthrough'] {
  if (raw === undefined) return false;
  if (typeof raw === 'boolean') return raw;
  if (Array.isArray(raw) && raw.every((f) => typeof f === 'string' && f !== '')) {
    const bad = (raw as string[]).find(isForbiddenKey);
    if (bad) throw loc.error(['passthrough'], `"${bad}" is not allowed in passthrough`);
    return new Set(raw as string[]);
  }
  throw loc.error(['passthrough'], 'passthrough must be true, false or a list of field names');
}

function compileDefaults(raw: unknown, loc: Locator): CompiledMapping['defaults'] {
  const defaults: CompiledMapping['defaults'] = [];
  if (raw === undefined) return defaults;
  if (!isObject(raw)) throw loc.error(['defaults'], 'defaults must be an object of target path -> value');
  for (const [path, value] of Object.entries(raw)) {
    defaults.push({ keys: compileConcretePath(path, ['defaults', path], loc), value: safeClone(value) });
  }
  return defaults;
}

/** Backstop: the published JSON Schema must accept whatever the checks above accepted. */
function checkAgainstSchema(top: Record<string, unknown>, loc: Locator): void {
  documentValidator ??= compile(mappingJsonSchema);
  if (documentValidator(top)) return;
  const e = documentValidator.errors?.[0];
  const parts = pointerSegments(e?.instancePath ?? '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  throw loc.error(
    parts,
    `does not match the mapping schema: ${e?.instancePath || '/'} ${ajvMessage(documentValidator.errors)}`,
  );
}

function compileConcretePath(text: unknown, at: PathPart[], loc: Locator): (string | number)[] {
  if (typeof text !== 'string') throw loc.error(at, 'must be a path');
  let path: KeyPath;
  try {
    path = parsePath(text, 'target');
  } catch (error) {
    if (error instanceof DefinitionError) throw loc.error(at, error.message);
    throw error;
  }
  if (path.wildcards > 0 || path.hasPattern)
    throw loc.error(at, `"${text}" cannot hold wildcards or placeholders`);
  return path.segments.map((s) => (s.kind === 'key' ? s.key : s.kind === 'index' ? s.index : ''));
}

function parseText(
  text: string,
  file: string | undefined,
  parseYaml: YamlReader | undefined,
): { data: unknown; find: (path: readonly PathPart[]) => number | undefined } {
  const loc = new Locator(file);
  if (!parseYaml) {
    throw new ScmError(
      'SCM_USAGE',
      'mapping text needs a YAML reader: pass parseYaml (readYaml of @scm/config) in the options, or give the mapping as an object',
    );
  }
  const read = parseYaml(text, file);
  if (read.ok) return { data: read.data, find: read.lineOf };
  const err = loc.error([], `cannot parse the mapping: ${read.message}`);
  if (read.line !== undefined && err.location) {
    (err.location as SourceLocation).line = read.line;
    err.message = `${file ?? 'mapping'}:${read.line}: cannot parse the mapping: ${read.message}`;
  }
  throw err;
}

/**
 * Compiles a mapping from an object (a parsed file or a literal in code) or
 * from YAML/JSON text, read by `options.parseYaml` (the workspace's one safe
 * YAML reader, `readYaml` of `@scm/config`). `file` is used in messages
 * and to resolve lookup table files. Throws `ScmError('SCM_MAPPING_INVALID')`
 * naming the file, line when known, rule index and field.
 */
export function parseMapping(input: unknown, file?: string, options: ParseMappingOptions = {}): Mapping {
  let data = input;
  let loc = new Locator(file);
  if (typeof input === 'string') {
    const parsed = parseText(input, file, options.parseYaml);
    data = parsed.data;
    loc = new Locator(file, parsed.find);
  }
  const baseDir = options.baseDir ?? (file ? dirname(resolve(file)) : process.cwd());
  const { document, compiled } = compileDocument(data, loc, { ...options, baseDir });
  const rules = compiled.rules.map((r) => r.info);
  const mapping: Mapping = {
    file,
    rules,
    document,
    audit: createAudit({ file, rules }),
  };
  Object.freeze(rules);
  compiledMappings.set(mapping, compiled);
  return mapping;
}

/**
 * Reads and compiles a mapping file (`.yaml`, `.yml` or `.json`). Throws
 * `ScmError('SCM_MAPPING_NOT_FOUND')` when the file cannot be read and
 * `SCM_MAPPING_INVALID` when it is not a valid mapping.
 */
export async function loadMapping(file: string, options: ParseMappingOptions = {}): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ScmError(
      'SCM_MAPPING_NOT_FOUND',
      `cannot read the mapping file ${file}: ${errorMessage(error)}`,
      {
        cause: error,
        location: { file },
      },
    );
  }
  return parseMapping(text, file, options);
}
