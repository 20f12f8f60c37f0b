import {
  createFailure,
  type Failure,
  isFailure,
  isForbiddenKey,
  type RecordOrigin,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import { type Audit, noteFailure, type RuleCounts, ruleCounts, touchAudit } from './audit.js';
import { type CompiledMapping, type CompiledRule, compiledOf, isUsedKey, type Mapping } from './mapping.js';
import {
  type Bindings,
  concreteTarget,
  expandTarget,
  formatPath,
  getConcrete,
  getMatches,
  getValue,
  parsePath,
  setConcrete,
} from './path.js';
import { type EvalScope, MissingValue, ValueError } from './transforms.js';
import { deepMerge, describeValue, isMissing, isObject, safeClone } from './values.js';

/** Options of {@link applyMapping} and {@link transformRecords}. */
export interface ApplyOptions {
  /** Audit to count into (default: `mapping.audit`, which accumulates across calls). */
  audit?: Audit;
  /**
   * Copy source fields that no rule reads into the output: `true` for all
   * top-level fields, or a list of top-level field names. Overrides the
   * mapping file's `passthrough` (default: the mapping's, else false). Values
   * already written by a rule are never overwritten; missing values and
   * forbidden keys are not copied.
   */
  passthrough?: boolean | string[];
  /** Target path that passed-through fields go under (default: the mapping's `passthrough_target`, else `properties`). */
  passthroughTarget?: string;
}

/** The result of {@link applyMapping}. */
export type ApplyResult =
  | {
      ok: true;
      /** The mapped object (plain objects only; shares nothing with the input or the mapping). */
      value: Record<string, unknown>;
      /** Target paths that received a default value. */
      defaulted: string[];
    }
  | { ok: false; failure: Failure };

/** One rule that failed on a record (the members of `error_context.details.errors`). */
export interface RuleError {
  /** Index of the rule in `mappings`, or `id_template`. */
  rule: number | 'id_template';
  /** The rule's target path as written. */
  target: string;
  /** The source field the problem is about (a path, `constant`, a template field or a `fields` column). */
  field: string;
  /** The offending source value (undefined when it was missing). */
  value: unknown;
  /** What went wrong and what was expected. */
  message: string;
}

interface RunState {
  scope: EvalScope;
  out: Record<string, unknown>;
  counts: RuleCounts[];
  defaulted: string[];
  errors: RuleError[];
}

const MISSING = Symbol('missing');

function countsFor(compiled: CompiledMapping, audit: Audit): RuleCounts[] {
  if (compiled.lastAudit !== audit || !compiled.lastCounts) {
    compiled.lastCounts = compiled.rules.map((r) => ruleCounts(audit, r.info));
    compiled.lastAudit = audit;
  }
  return compiled.lastCounts;
}

function fail(
  state: RunState,
  rule: CompiledRule,
  counts: RuleCounts,
  value: unknown,
  message: string,
  field = rule.field,
): void {
  counts.failed += 1;
  state.errors.push({ rule: rule.info.rule, target: rule.target.text, field, value, message });
}

/** Reads a rule's source value (for one set of bindings); MISSING when there is none. */
function readSource(rule: CompiledRule, scope: EvalScope, bindings: Bindings | undefined): unknown {
  switch (rule.kind) {
    case 'constant':
      return safeClone(rule.constant);
    case 'template': {
      const result = rule.template!.render({ record: scope.record, item: scope.item, bindings });
      if (result.ok) return result.text;
      if (result.reason === 'missing') throw new MissingValue(result.field);
      throw new ValueError(
        `template field ${result.field} is ${describeValue(result.value)}, not text or a number`,
      );
    }
    case 'fields':
      return scope.record;
    default: {
      for (const source of rule.sources) {
        const root = source.root === 'item' ? scope.item : scope.record;
        if (rule.sourceWildcards > 0) {
          const values = getMatches(root, source.segments, bindings).map((m) => m.value);
          if (values.length > 0) return safeClone(values);
          continue;
        }
        const value = getValue(root, source.segments, bindings);
        if (!isMissing(value))
          return typeof value === 'object' || typeof value === 'bigint' ? safeClone(value) : value;
      }
      return MISSING;
    }
  }
}

function runSteps(rule: CompiledRule, value: unknown, scope: EvalScope): unknown {
  let current = value;
  for (let i = 0; i < rule.steps.length; i++) {
    const step = rule.steps[i]!;
    if (current === undefined) return undefined;
    if (step.each && Array.isArray(current)) {
      const out: unknown[] = [];
      for (const element of current) {
        const v = step.fn(element, scope);
        if (v !== undefined) out.push(v);
      }
      current = out;
    } else current = step.fn(current, scope);
  }
  return current;
}

/** Marks "read the value from the rule's source" for {@link produce}. */
const READ = Symbol('read');

/**
 * Evaluates and writes one value of a rule at a concrete target. `given` is
 * the value when the caller already has it (a wildcard match), else READ.
 */
function produce(
  state: RunState,
  rule: CompiledRule,
  counts: RuleCounts,
  keys: (string | number)[],
  bindings: Bindings | undefined,
  given: unknown,
): void {
  if (!rule.overwrite && getConcrete(state.out, keys) !== undefined) {
    counts.skipped += 1;
    return;
  }
  let raw: unknown = MISSING;
  let value: unknown;
  let missingField = rule.field;
  let missingInput = false;
  try {
    raw =
      given === READ
        ? readSource(rule, state.scope, bindings)
        : typeof given === 'object'
          ? safeClone(given)
          : given;
    if (rule.kind === 'constant' && raw === null) value = null;
    else if (raw === MISSING || isMissing(raw)) value = undefined;
    else value = rule.steps.length === 0 ? raw : runSteps(rule, raw, state.scope);
  } catch (error) {
    if (error instanceof MissingValue) {
      value = undefined;
      missingField = error.field;
      missingInput = true;
    } else if (error instanceof ValueError) {
      fail(state, rule, counts, raw === MISSING ? undefined : raw, error.message);
      return;
    } else throw error;
  }
  let defaulted = false;
  if (value === undefined) {
    switch (rule.policy) {
      case 'skip':
        counts.skipped += 1;
        return;
      case 'default':
        value = safeClone(rule.defaultValue);
        defaulted = true;
        break;
      case 'null':
        value = null;
        defaulted = true;
        break;
      default: {
        const transformed = !missingInput && raw !== MISSING && !isMissing(raw);
        fail(
          state,
          rule,
          counts,
          raw === MISSING ? undefined : raw,
          transformed
            ? `no value is left after the transform of ${describeValue(raw)} (${missingField})`
            : `required value ${missingField} is missing`,
          missingField,
        );
        return;
      }
    }
  }
  const problem = setConcrete(state.out, keys, value, rule.merge ? deepMerge : undefined);
  if (problem) {
    fail(state, rule, counts, raw === MISSING ? undefined : raw, problem);
    return;
  }
  if (defaulted) {
    counts.defaulted += 1;
    state.defaulted.push(formatPath(keys));
  } else counts.mapped += 1;
}

function runRule(state: RunState, rule: CompiledRule, counts: RuleCounts): void {
  const scope = state.scope;
  if (rule.mode === 'single') {
    produce(state, rule, counts, rule.targetKeys!, undefined, READ);
    return;
  }
  if (rule.mode === 'expand') {
    const places = expandTarget(state.out, rule.target.segments);
    if (places.length === 0) {
      handleNoMatch(state, rule, counts, 'no existing value matches the target wildcard');
      return;
    }
    for (const bindings of places) {
      const keys = concreteTarget(rule.target.segments, bindings);
      if (typeof keys === 'string') {
        fail(state, rule, counts, undefined, keys);
        continue;
      }
      state.scope = { record: scope.record, item: scope.item, bindings };
      produce(state, rule, counts, keys, bindings, READ);
      state.scope = scope;
    }
    return;
  }
  // per-match: one write per value the wildcard source reaches (the first source with matches wins)
  let matches: ReturnType<typeof getMatches> = [];
  for (const source of rule.sources) {
    matches = getMatches(source.root === 'item' ? scope.item : scope.record, source.segments);
    if (matches.length > 0) break;
  }
  if (matches.length === 0) {
    handleNoMatch(state, rule, counts, `no value matches ${rule.field}`);
    return;
  }
  for (let index = 0; index < matches.length; index++) {
    const match = matches[index]!;
    const bindings: Bindings = { keys: match.keys, index };
    const keys = concreteTarget(rule.target.segments, bindings);
    if (typeof keys === 'string') {
      fail(state, rule, counts, match.value, keys);
      continue;
    }
    state.scope = { record: scope.record, item: scope.item, bindings };
    produce(state, rule, counts, keys, bindings, match.value);
    state.scope = scope;
  }
}

function handleNoMatch(state: RunState, rule: CompiledRule, counts: RuleCounts, message: string): void {
  if (rule.policy === 'error') fail(state, rule, counts, undefined, message);
  else counts.skipped += 1;
}

function applyPassthrough(
  compiled: CompiledMapping,
  record: unknown,
  out: Record<string, unknown>,
  options: ApplyOptions,
  exclude: ReadonlySet<string> | undefined,
): void {
  const setting = options.passthrough ?? compiled.passthrough;
  if (setting === false || !isObject(record)) return;
  const target =
    options.passthroughTarget !== undefined
      ? passthroughPath(options.passthroughTarget)
      : compiled.passthroughTarget;
  const names = setting === true ? Object.keys(record) : [...setting];
  for (const name of names) {
    if (isForbiddenKey(name) || !Object.hasOwn(record, name) || exclude?.has(name)) continue;
    if (setting === true && isUsedKey(compiled.usedKeys, name)) continue;
    const value = record[name];
    if (isMissing(value)) continue;
    const keys = [...target, name];
    if (getConcrete(out, keys) !== undefined) continue;
    setConcrete(out, keys, safeClone(value));
  }
}

const passthroughPaths = new Map<string, (string | number)[]>();
function passthroughPath(text: string): (string | number)[] {
  let keys = passthroughPaths.get(text);
  if (!keys) {
    if (text === '') keys = [];
    else {
      let path: ReturnType<typeof parsePath>;
      try {
        path = parsePath(text, 'target');
      } catch (error) {
        throw new ScmError(
          'SCM_USAGE',
          `passthroughTarget "${text}" is not a valid path: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (path.wildcards > 0 || path.hasPattern)
        throw new ScmError('SCM_USAGE', `passthroughTarget "${text}" cannot hold wildcards`);
      keys = path.segments.map((s) => (s.kind === 'key' ? s.key : s.kind === 'index' ? s.index : ''));
    }
    passthroughPaths.set(text, keys);
  }
  return keys;
}

/** Context of one run of the rules (internal; shared with enrichment). */
export interface RunInput {
  record: unknown;
  item: unknown;
  /** The object written to (a new object, or a copy of the item when enriching). */
  out: Record<string, unknown>;
  audit: Audit;
  options: ApplyOptions;
  /** Top-level record fields never passed through (the join key when enriching). */
  exclude?: ReadonlySet<string>;
}

/** Runs every rule on one record (internal). Returns the errors, and the defaulted target paths. */
export function runRules(mapping: Mapping, input: RunInput): { errors: RuleError[]; defaulted: string[] } {
  const compiled = compiledOf(mapping);
  const counts = countsFor(compiled, input.audit);
  const state: RunState = {
    scope: { record: input.record, item: input.item, bindings: undefined },
    out: input.out,
    counts,
    defaulted: [],
    errors: [],
  };
  const rules = compiled.rules;
  for (let i = 0; i < rules.length; i++) runRule(state, rules[i]!, counts[i]!);
  if (state.errors.length === 0) {
    applyPassthrough(compiled, input.record, input.out, input.options, input.exclude);
    for (const d of compiled.defaults) {
      if (getConcrete(input.out, d.keys) === undefined) setConcrete(input.out, d.keys, safeClone(d.value));
    }
  }
  return { errors: state.errors, defaulted: state.defaulted };
}

/** A readable id for a record that failed: its mapped or source `id`, else `file:line`. */
export function failureItemId(out: unknown, record: unknown, origin: RecordOrigin | undefined): string {
  for (const source of [out, record]) {
    if (isObject(source) && Object.hasOwn(source, 'id')) {
      const id = source.id;
      if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
    }
  }
  if (origin?.file) return `${origin.file}:${origin.line ?? origin.index ?? '?'}`;
  if (origin?.url) return `${origin.url}#${origin.index ?? '?'}`;
  if (origin?.line !== undefined) return `line ${origin.line}`;
  return 'record';
}

/** Builds the Failure of a record whose rules failed, and notes it in the audit (internal). */
export function ruleFailure(
  errors: RuleError[],
  itemId: string,
  record: unknown,
  origin: RecordOrigin | undefined,
  audit: Audit,
  extra: Record<string, unknown> = {},
): Failure {
  const first = errors[0]!;
  const ruleName = first.rule === 'id_template' ? 'id_template' : `rule ${first.rule}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const message = `${ruleName} -> ${first.target} from ${first.field}: ${first.message}${more}`;
  const failure = createFailure({
    itemId,
    errorType: 'transformation_error',
    step: 'transform',
    message,
    sourceData: record,
    file: origin?.file,
    line: origin?.line,
    field: first.field,
    details: {
      rule: first.rule,
      target: first.target,
      value: safeClone(first.value) ?? null,
      errors: errors.map((e) => ({
        rule: e.rule,
        target: e.target,
        field: e.field,
        value: safeClone(e.value) ?? null,
        message: e.message,
      })),
      ...extra,
    },
  });
  for (const e of errors.slice(0, 1)) {
    const sample: Parameters<typeof noteFailure>[1] = {
      item_id: itemId,
      rule: e.rule,
      target: e.target,
      field: e.field,
      message: e.message,
    };
    if (e.value !== undefined) sample.value = safeClone(e.value);
    if (origin?.file) sample.file = origin.file;
    if (origin?.line !== undefined) sample.line = origin.line;
    noteFailure(audit, sample);
  }
  return failure;
}

/**
 * Maps one record. Rules run in order (a later rule overwrites an earlier
 * one's value); every rule runs even after a failure so that the failure
 * lists all problems of the record. The output is built from new plain
 * objects: no key from data or the mapping can reach a prototype, and
 * nothing is shared with the input.
 *
 * @param record The source record (usually `SourceRecord.value`).
 * @param mapping A compiled mapping.
 * @param origin Where the record came from; copied into the failure.
 */
export function applyMapping(
  record: unknown,
  mapping: Mapping,
  origin?: RecordOrigin,
  options: ApplyOptions = {},
): ApplyResult {
  const audit = options.audit ?? mapping.audit;
  const out: Record<string, unknown> = {};
  const { errors, defaulted } = runRules(mapping, { record, item: undefined, out, audit, options });
  audit.records.total += 1;
  if (errors.length > 0) {
    audit.records.failed += 1;
    return {
      ok: false,
      failure: ruleFailure(errors, failureItemId(out, record, origin), record, origin, audit),
    };
  }
  audit.records.mapped += 1;
  return { ok: true, value: out, defaulted };
}

/** Options of {@link transformRecords}. */
export interface TransformRecordsOptions extends ApplyOptions {
  /** Stops the stream with `ScmError('SCM_ABORTED')`. */
  signal?: AbortSignal;
}

/**
 * Maps a stream of records. Each mapped record keeps its origin; a record
 * that fails becomes a {@link Failure} (`transformation_error`, step
 * `transform`) and the stream goes on. Failures from earlier steps pass
 * through untouched. Pulls one record at a time, so memory stays flat.
 */
export async function* transformRecords(
  source: AsyncIterable<SourceRecord | Failure> | Iterable<SourceRecord | Failure>,
  mapping: Mapping,
  options: TransformRecordsOptions = {},
): AsyncGenerator<SourceRecord<Record<string, unknown>> | Failure> {
  const audit = options.audit ?? mapping.audit;
  let n = 0;
  try {
    for await (const entry of source) {
      if (options.signal?.aborted)
        throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: options.signal.reason });
      if (isFailure(entry)) {
        audit.records.passed_through_failures += 1;
        yield entry;
        continue;
      }
      const result = applyMapping(entry.value, mapping, entry.origin, { ...options, audit });
      yield result.ok ? { value: result.value, origin: entry.origin } : result.failure;
      if (++n % 1024 === 0) touchAudit(audit);
    }
  } finally {
    touchAudit(audit);
  }
}
