import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import {
  errorMessage,
  isForbiddenKey,
  requireSchemaCompiler,
  type SchemaCheck,
  type SchemaCheckError,
  ScmError,
  type SourceLocation,
} from '@scm/core';
import { LineCounter, parseDocument } from 'yaml';
import { type Audit, type AuditRuleInfo, createAudit } from './audit.js';
import { buildLookupTable, type LookupTable, type LookupTableSpec } from './lookup.js';
import type { MappingDocument, WhenMissing } from './mapping-types.js';
import { DefinitionError, type KeyPath, parsePath } from './path.js';
import { mappingJsonSchema } from './schema.js';
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

/** Options of {@link parseMapping}. */
export interface ParseMappingOptions {
  /** Folder that lookup table files are relative to (default: the mapping file's folder, else the working directory). */
  baseDir?: string;
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
      fn = definition.compile(options, { tables: compiler.tables, ruleDefault });
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

function compileRule(raw: unknown, index: number | 'id_template', compiler: Compiler): CompiledRule {
  const loc = compiler.loc;
  const base: PathPart[] = index === 'id_template' ? ['id_template'] : ['mappings', index];
  if (!isObject(raw))
    throw loc.error(base, `rule ${index} must be an object with target_field, got ${JSON.stringify(raw)}`);
  const rule = raw;
  const label = index === 'id_template' ? 'id_template' : `rule ${index}${describeRule(rule)}`;
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.includes(key))
      throw loc.error([...base, key], `${label}: unknown key "${key}"${didYouMean(key, RULE_KEYS)}`);
  }
  if (!Object.hasOwn(rule, 'target_field')) throw loc.error(base, `${label}: target_field is required`);
  const target = parseRulePath(rule.target_field, 'target', [...base, 'target_field'], label, loc);

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
  const ruleDefault = { present: hasDefault, value: hasDefault ? safeClone(rule.default) : undefined };

  const steps: CompiledStep[] = [];
  if (Object.hasOwn(rule, 'lookup')) {
    const lk = rule.lookup;
    const at = [...base, 'lookup'];
    let spec: { table: string; on_miss?: string; default?: unknown; hasDefault: boolean };
    if (typeof lk === 'string') spec = { table: lk, hasDefault: false };
    else if (isObject(lk)) {
      for (const key of Object.keys(lk)) {
        if (!['table', 'on_miss', 'default'].includes(key))
          throw loc.error([...at, key], `${label}: lookup has no key "${key}" (use table, on_miss, default)`);
      }
      if (typeof lk.table !== 'string') throw loc.error(at, `${label}: lookup needs a "table" name`);
      if (lk.on_miss !== undefined && !(ON_MISS as readonly unknown[]).includes(lk.on_miss)) {
        throw loc.error([...at, 'on_miss'], `${label}: on_miss must be one of ${ON_MISS.join(', ')}`);
      }
      spec = {
        table: lk.table,
        on_miss: lk.on_miss as string | undefined,
        default: lk.default,
        hasDefault: Object.hasOwn(lk, 'default'),
      };
    } else throw loc.error(at, `${label}: lookup must be a table name or { table, on_miss, default }`);
    try {
      steps.push({
        name: 'lookup',
        each: false,
        fn: compileLookup(spec, { tables: compiler.tables, ruleDefault }),
      });
    } catch (error) {
      if (error instanceof DefinitionError) throw loc.error(at, `${label}: ${error.message}`);
      throw error;
    }
  }
  const compiledSteps = compileSteps(rule.transform, [...base, 'transform'], compiler, ruleDefault, label);
  steps.push(...compiledSteps.steps);

  let kind: CompiledRule['kind'];
  let sources: KeyPath[] = [];
  let template: Template | undefined;
  if (Object.hasOwn(rule, 'source_field')) {
    kind = 'paths';
    const raw = rule.source_field;
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0)
      throw loc.error([...base, 'source_field'], `${label}: source_field is an empty list`);
    sources = list.map((s, i) =>
      parseRulePath(
        s,
        'source',
        Array.isArray(raw) ? [...base, 'source_field', i] : [...base, 'source_field'],
        label,
        loc,
      ),
    );
  } else if (Object.hasOwn(rule, 'constant')) {
    kind = 'constant';
  } else if (Object.hasOwn(rule, 'template')) {
    kind = 'template';
    if (typeof rule.template !== 'string')
      throw loc.error([...base, 'template'], `${label}: template must be text`);
    try {
      template = parseTemplate(rule.template);
    } catch (error) {
      if (error instanceof DefinitionError)
        throw loc.error([...base, 'template'], `${label}: ${error.message}`);
      throw error;
    }
  } else if (compiledSteps.readsFields) {
    kind = 'fields';
  } else {
    throw loc.error(
      base,
      `${label}: needs one of source_field, constant or template (or a transform with "fields")`,
    );
  }

  const sourceWildcards = sources.length > 0 ? sources[0]!.wildcards : 0;
  if (sources.some((s) => s.wildcards !== sourceWildcards)) {
    throw loc.error(
      [...base, 'source_field'],
      `${label}: every path of a source_field list must have the same number of wildcards`,
    );
  }
  const targetHasPattern = target.hasPattern;
  let mode: CompiledRule['mode'];
  if (sourceWildcards > 0 && (target.wildcards > 0 || targetHasPattern)) {
    if (target.wildcards > 0 && target.wildcards !== sourceWildcards) {
      throw loc.error(
        [...base, 'target_field'],
        `${label}: target_field has ${target.wildcards} wildcard(s) but source_field has ${sourceWildcards}; they are paired in order, so the counts must match`,
      );
    }
    mode = 'per-match';
  } else if (target.wildcards > 0) mode = 'expand';
  else mode = 'single';

  if (mode === 'single' && targetHasPattern) {
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
  if (policy === 'null' && mode === 'expand') {
    // fine: null is written at each expanded place
  }

  const info: AuditRuleInfo = { rule: index, target: target.text, source: ruleSourceText(rule) };
  return {
    info,
    label: index === 'id_template' ? 'id_template' : `rule ${index} (${target.text})`,
    target,
    targetKeys:
      target.wildcards === 0 && !targetHasPattern
        ? target.segments.map((s) => (s.kind === 'key' ? s.key : s.kind === 'index' ? s.index : ''))
        : undefined,
    kind,
    sources,
    constant: kind === 'constant' ? safeClone(rule.constant) : undefined,
    template,
    mode,
    sourceWildcards,
    steps,
    policy,
    defaultValue: ruleDefault.value,
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

function compileDocument(
  doc: unknown,
  loc: Locator,
  baseDir: string,
): { document: MappingDocument; compiled: CompiledMapping } {
  let top: Record<string, unknown>;
  if (Array.isArray(doc)) top = { mappings: doc };
  else if (isObject(doc)) top = doc;
  else throw loc.error([], 'a mapping must be an object with "mappings" or an array of rules');

  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.includes(key))
      throw loc.error([key], `unknown top-level key "${key}"${didYouMean(key, TOP_KEYS)}`);
  }
  if (!Array.isArray(top.mappings)) throw loc.error(['mappings'], '"mappings" must be an array of rules');

  const tables = new Map<string, LookupTable>();
  if (top.lookup_tables !== undefined) {
    if (!isObject(top.lookup_tables))
      throw loc.error(['lookup_tables'], 'lookup_tables must be an object of named tables');
    for (const [name, spec] of Object.entries(top.lookup_tables)) {
      const at = ['lookup_tables', name];
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
      try {
        tables.set(name, buildLookupTable(name, spec as LookupTableSpec, baseDir));
      } catch (error) {
        if (error instanceof DefinitionError) throw loc.error(at, error.message, error);
        throw error;
      }
    }
  }

  const compiler: Compiler = { loc, tables };
  const rules: CompiledRule[] = [];
  if (top.id_template !== undefined) {
    if (typeof top.id_template !== 'string') throw loc.error(['id_template'], 'id_template must be text');
    rules.push(compileRule({ target_field: 'id', template: top.id_template }, 'id_template', compiler));
  }
  top.mappings.forEach((rule, i) => {
    rules.push(compileRule(rule, i, compiler));
  });
  if (rules.length === 0) throw loc.error(['mappings'], 'the mapping has no rules');

  let passthrough: CompiledMapping['passthrough'] = false;
  if (top.passthrough !== undefined) {
    if (typeof top.passthrough === 'boolean') passthrough = top.passthrough;
    else if (
      Array.isArray(top.passthrough) &&
      top.passthrough.every((f) => typeof f === 'string' && f !== '')
    ) {
      const bad = (top.passthrough as string[]).find(isForbiddenKey);
      if (bad) throw loc.error(['passthrough'], `"${bad}" is not allowed in passthrough`);
      passthrough = new Set(top.passthrough as string[]);
    } else throw loc.error(['passthrough'], 'passthrough must be true, false or a list of field names');
  }
  const passthroughTarget = compileConcretePath(
    top.passthrough_target ?? 'properties',
    ['passthrough_target'],
    loc,
  );

  const defaults: CompiledMapping['defaults'] = [];
  if (top.defaults !== undefined) {
    if (!isObject(top.defaults))
      throw loc.error(['defaults'], 'defaults must be an object of target path -> value');
    for (const [path, value] of Object.entries(top.defaults)) {
      defaults.push({ keys: compileConcretePath(path, ['defaults', path], loc), value: safeClone(value) });
    }
  }

  // Backstop: the published JSON Schema must accept whatever the checks above accepted.
  documentValidator ??= compile(mappingJsonSchema);
  if (!documentValidator(top)) {
    const e = documentValidator.errors?.[0];
    const parts = (e?.instancePath ?? '')
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
    throw loc.error(
      parts,
      `does not match the mapping schema: ${e?.instancePath || '/'} ${ajvMessage(documentValidator.errors)}`,
    );
  }

  const document = safeClone(top) as MappingDocument;
  return {
    document,
    compiled: { rules, passthrough, passthroughTarget, usedKeys: usedTopLevelKeys(rules), defaults },
  };
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
): { data: unknown; find: (path: readonly PathPart[]) => number | undefined } {
  const lineCounter = new LineCounter();
  const json = file !== undefined && extname(file).toLowerCase() === '.json';
  const doc = parseDocument(text, {
    schema: json ? 'json' : 'core',
    merge: false,
    uniqueKeys: true,
    customTags: [],
    prettyErrors: true,
    lineCounter,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  const loc = new Locator(file);
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    const err = loc.error([], `cannot parse the mapping: ${problem.message.split('\n')[0]}`, problem);
    if (line !== undefined && err.location) {
      (err.location as SourceLocation).line = line;
      err.message = `${file ?? 'mapping'}:${line}: cannot parse the mapping: ${problem.message.split('\n')[0]}`;
    }
    throw err;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw loc.error([], `cannot read the mapping: ${errorMessage(error)}`, error);
  }
  const find = (path: readonly PathPart[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && Array.isArray(node.range))
        return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { data, find };
}

/**
 * Compiles a mapping from an object (a parsed file or a literal in code) or
 * from YAML/JSON text. YAML is read with the core schema, without custom
 * tags or merge keys, with at most 100 aliases. `file` is used in messages
 * and to resolve lookup table files. Throws `ScmError('SCM_MAPPING_INVALID')`
 * naming the file, line when known, rule index and field.
 */
export function parseMapping(input: unknown, file?: string, options: ParseMappingOptions = {}): Mapping {
  let data = input;
  let loc = new Locator(file);
  if (typeof input === 'string') {
    const parsed = parseText(input, file);
    data = parsed.data;
    loc = new Locator(file, parsed.find);
  }
  const baseDir = options.baseDir ?? (file ? dirname(resolve(file)) : process.cwd());
  const { document, compiled } = compileDocument(data, loc, baseDir);
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
