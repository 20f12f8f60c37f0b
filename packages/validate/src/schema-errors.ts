/**
 * Turns ajv's raw errors into issues a person can act on.
 *
 * ajv (with `allErrors`) reports every failing branch of a `oneOf` / `anyOf`, then the `oneOf` error itself.
 * For a schema that is a `oneOf` over Item / Collection / Catalog, or over the GeoJSON geometry types, most of
 * that is noise: only the branch that matches the object's `type` matters. The branch errors always sit right
 * before their `oneOf` error, in branch order, so once we know how many errors each branch produces (by
 * validating the value against each branch on its own) we can cut the run apart, keep the branch that fits and
 * drop the rest. `if` errors ("must match then schema") are dropped too: the `then` errors before them say it all.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ValidationIssue, ValidationSeverity } from '@scm/core';
import { fieldLabel, isDirectChild, isWithin, jsonType, pointer, preview } from './pointer.js';

/** Compiles branch `index` of a `oneOf` / `anyOf` array (the array object from the schema). */
export type BranchCompiler = (branches: unknown, index: number) => ValidateFunction | undefined;

/** A synthetic error that replaces a pruned `oneOf` / `anyOf` run with one sentence. */
interface SummaryError extends ErrorObject {
  readonly summaryMessage: string;
}

/** An error produced by a `then` / `else` branch, with the condition that made it apply. */
interface RuleError extends ErrorObject {
  readonly ruleText?: string;
}

function isSummary(error: ErrorObject): error is SummaryError {
  return typeof (error as Partial<SummaryError>).summaryMessage === 'string';
}

/** Removes branch noise from ajv's error list (see the module comment). Never throws. */
export function pruneErrors(errors: readonly ErrorObject[], compile: BranchCompiler): ErrorObject[] {
  const out: ErrorObject[] = [];
  const rules: Array<{ prefix: string; text: string }> = [];
  let k = errors.length - 1;
  while (k >= 0) {
    const error = errors[k]!;
    if ((error.keyword === 'oneOf' || error.keyword === 'anyOf') && Array.isArray(error.schema)) {
      const counts = branchErrorCounts(error, compile);
      const total = counts?.reduce((a, b) => a + b, 0) ?? -1;
      if (
        counts &&
        total <= k &&
        errors.slice(k - total, k).every((e) => isWithin(e.instancePath, error.instancePath))
      ) {
        const branches: ErrorObject[][] = [];
        let start = k - total;
        for (const count of counts) {
          branches.push(errors.slice(start, start + count));
          start += count;
        }
        const replacement = resolveBranches(error, branches, compile);
        for (let i = replacement.length - 1; i >= 0; i--) out.push(replacement[i]!);
        k -= total + 1;
        continue;
      }
    }
    if (error.keyword === 'if') {
      const failing = (error.params as { failingKeyword?: unknown }).failingKeyword;
      const condition = describeCondition((error.parentSchema as { if?: unknown } | undefined)?.if);
      if (condition && (failing === 'then' || failing === 'else')) {
        rules.push({
          prefix: `${error.schemaPath.slice(0, -'/if'.length)}/${failing}/`,
          text: `${failing === 'then' ? 'when' : 'unless'} ${condition}`,
        });
      }
      k -= 1;
      continue;
    }
    const rule = rules.find((r) => error.schemaPath.startsWith(r.prefix));
    out.push(rule ? ({ ...error, ruleText: rule.text } as RuleError) : error);
    k -= 1;
  }
  return out.reverse();
}

/** A readable phrase for simple `if` conditions (`links contains an item with rel "collection"`). */
function describeCondition(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  const parts: string[] = [];
  for (const [name, sub] of Object.entries(s.properties ?? {})) {
    const phrase = describeValueCondition(name, sub);
    if (!phrase) return undefined;
    parts.push(phrase);
  }
  if (Array.isArray(s.required) && parts.length === 0) {
    parts.push(`${s.required.map(String).join(' and ')} ${s.required.length > 1 ? 'are' : 'is'} present`);
  }
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

function describeValueCondition(name: string, schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return `${name} is ${preview(s.const)}`;
  if (Array.isArray(s.enum)) return `${name} is one of ${s.enum.map((v) => preview(v)).join(', ')}`;
  if (s.type === 'null') return `${name} is null`;
  if (s.contains !== undefined) {
    const inner = describeCondition(s.contains);
    return inner ? `${name} contains an entry where ${inner}` : undefined;
  }
  return undefined;
}

function branchErrorCounts(error: ErrorObject, compile: BranchCompiler): number[] | undefined {
  const branches = error.schema as unknown[];
  const counts: number[] = [];
  for (let i = 0; i < branches.length; i++) {
    let fn: ValidateFunction | undefined;
    try {
      fn = compile(branches, i);
    } catch {
      return undefined;
    }
    if (!fn) return undefined;
    counts.push(fn(error.data) ? 0 : (fn.errors?.length ?? 0));
  }
  return counts;
}

interface BranchScore {
  index: number;
  /** The branch is about another kind of value (its `type` discriminator or the JSON type differs). */
  strong: boolean;
  /** Errors that say a direct member has the wrong type / constant / must not be there. */
  weak: number;
  errors: ErrorObject[];
}

function resolveBranches(
  error: ErrorObject,
  branches: ErrorObject[][],
  compile: BranchCompiler,
): ErrorObject[] {
  const base = error.instancePath;
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
  if (Array.isArray(passing)) {
    return [
      summary(
        error,
        error.instancePath,
        'oneOf',
        `must match exactly one alternative, but matches ${passing.length}`,
      ),
    ];
  }
  const scores: BranchScore[] = branches.map((errs, index) => ({
    index,
    errors: errs,
    strong: errs.some(
      (e) =>
        ((e.keyword === 'const' || e.keyword === 'enum') && e.instancePath === `${base}/type`) ||
        (e.keyword === 'type' && e.instancePath === base),
    ),
    weak: errs.filter(
      (e) =>
        ['type', 'const', 'enum', 'not', 'false schema'].includes(e.keyword) &&
        isDirectChild(e.instancePath, base),
    ).length,
  }));
  const candidates = scores.filter((s) => !s.strong && s.errors.length > 0);
  if (candidates.length === 0) return [mismatchSummary(error, scores)];
  candidates.sort((a, b) => a.weak - b.weak || a.errors.length - b.errors.length);
  const best = candidates[0]!;
  const second = candidates[1];
  if (second && second.weak === best.weak && second.errors.length === best.errors.length) {
    const tied = candidates.filter((c) => c.weak === best.weak && c.errors.length === best.errors.length);
    // Branches that fail for the same reason (datetime set, or null with a range: both need the key) are one alternative.
    const reasons = [
      ...new Set(
        tied.map((c) => {
          const first = pruneErrors(c.errors, compile)[0];
          return first ? describe(first).message : 'the alternative';
        }),
      ),
    ];
    if (reasons.length === 1) return pruneErrors(best.errors, compile);
    const parts = reasons.slice(0, 3).map((reason, i) => `(${i + 1}) ${reason}`);
    const more = reasons.length > 3 ? `; or ${reasons.length - 3} more` : '';
    const verb = error.keyword === 'oneOf' ? 'exactly one' : 'at least one';
    return [
      summary(
        error,
        base,
        error.keyword,
        `must satisfy ${verb} of these alternatives: ${parts.join('; or ')}${more}`,
      ),
    ];
  }
  return pruneErrors(best.errors, compile);
}

/** Every branch is about another kind of value: say which kinds are allowed. */
function mismatchSummary(error: ErrorObject, scores: BranchScore[]): ErrorObject {
  const base = error.instancePath;
  const data = error.data as unknown;
  const allowedTypes = new Set<string>();
  const allowedTags = new Set<string>();
  for (const score of scores) {
    for (const e of score.errors) {
      if (e.instancePath === `${base}/type` && e.keyword === 'const') {
        allowedTags.add(String((e.params as { allowedValue?: unknown }).allowedValue));
      } else if (e.instancePath === `${base}/type` && e.keyword === 'enum') {
        for (const v of (e.params as { allowedValues?: unknown[] }).allowedValues ?? [])
          allowedTags.add(String(v));
      } else if (e.instancePath === base && e.keyword === 'type') {
        allowedTypes.add(String((e.params as { type?: unknown }).type));
      }
    }
  }
  const tag =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>).type
      : undefined;
  if (allowedTags.size > 0 && typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const list = [...allowedTags].map((t) => JSON.stringify(t)).join(', ');
    const extra = allowedTypes.has('null') ? ' (or the whole value null)' : '';
    const got = tag === undefined ? 'it is missing' : `got ${preview(tag)}`;
    return summary(error, pointer(base, 'type'), 'enum', `must be one of ${list}${extra}; ${got}`);
  }
  if (allowedTypes.size > 0) {
    return summary(error, base, 'type', `must be ${[...allowedTypes].join(' or ')}, got ${jsonType(data)}`);
  }
  return summary(error, base, error.keyword, 'does not match any of the allowed alternatives');
}

function summary(error: ErrorObject, path: string, keyword: string, message: string): SummaryError {
  return {
    instancePath: path,
    schemaPath: error.schemaPath,
    keyword,
    params: {},
    data: error.data,
    summaryMessage: message,
  };
}

/** The path and sentence for one ajv error. */
export function describe(error: ErrorObject): { path: string; message: string } {
  const described = describeKeyword(error);
  const rule = (error as RuleError).ruleText;
  return rule ? { path: described.path, message: `${described.message} (rule: ${rule})` } : described;
}

/** What a keyword's sentence is made from. */
interface KeywordContext {
  error: ErrorObject;
  base: string;
  params: Record<string, unknown>;
  data: unknown;
  /** ` (got …)` when the failing value is known, else empty. */
  got: string;
}

/** A sentence about the failing value, or about another location (a missing or extra member). */
type KeywordText = string | { path: string; text: string };

function countOf(data: unknown): string {
  return Array.isArray(data) ? `, has ${data.length}` : '';
}

function containsText({ error }: KeywordContext): string {
  const schema = error.schema as { const?: unknown } | undefined;
  if (schema && typeof schema === 'object' && 'const' in schema)
    return `must contain ${preview(schema.const, 120)}`;
  return 'must contain at least one item matching the schema';
}

function notText({ error, got }: KeywordContext): string {
  const schema = error.schema as { type?: unknown } | undefined;
  if (schema && typeof schema === 'object' && schema.type === 'null') return 'must not be null';
  if (schema && typeof schema === 'object' && Object.keys(schema).length === 0) return 'is not allowed here';
  return `must not match the schema at ${error.schemaPath}${got}`;
}

function missingText({ base, params }: KeywordContext): KeywordText {
  return { path: pointer(base, String(params.missingProperty)), text: 'is required but missing' };
}

function dependencyText({ base, params }: KeywordContext): KeywordText {
  const present = fieldLabel(pointer(base, String(params.property)));
  return {
    path: pointer(base, String(params.missingProperty)),
    text: `is required when ${present} is present`,
  };
}

function extraMemberText({ base, params }: KeywordContext): KeywordText {
  const key = String(params.additionalProperty ?? params.unevaluatedProperty);
  return {
    path: pointer(base, key),
    text: `is not allowed (no extra fields are permitted in ${fieldLabel(base)})`,
  };
}

function limitText({ params, got }: KeywordContext): string {
  return `must be ${String(params.comparison)} ${String(params.limit)}${got}`;
}

/** The sentence for each JSON Schema keyword; a keyword not listed here keeps ajv's own message. */
const KEYWORD_TEXT: Readonly<Record<string, (context: KeywordContext) => KeywordText>> = {
  required: missingText,
  dependencies: dependencyText,
  dependentRequired: dependencyText,
  additionalProperties: extraMemberText,
  unevaluatedProperties: extraMemberText,
  propertyNames: ({ params }) => `has an invalid field name ${preview(params.propertyName)}`,
  type: ({ params, data }) => `must be ${withArticle(String(params.type))}, got ${jsonType(data)}`,
  const: ({ params, got }) => `must be ${preview(params.allowedValue)}${got}`,
  enum: ({ params, got }) => {
    const allowed = (params.allowedValues as unknown[] | undefined) ?? [];
    return `must be one of ${allowed.map((v) => preview(v, 40)).join(', ')}${got}`;
  },
  pattern: ({ params, got }) => `must match the pattern ${String(params.pattern)}${got}`,
  format: ({ params, got }) => `must be a valid ${formatName(String(params.format))}${got}`,
  minLength: ({ params, got }) => `must be at least ${params.limit} character(s) long${got}`,
  maxLength: ({ params }) => `must be at most ${params.limit} character(s) long`,
  minItems: ({ params, data }) => `must have at least ${params.limit} item(s)${countOf(data)}`,
  maxItems: ({ params, data }) => `must have at most ${params.limit} item(s)${countOf(data)}`,
  minProperties: ({ params }) => `must have at least ${params.limit} field(s)`,
  maxProperties: ({ params }) => `must have at most ${params.limit} field(s)`,
  minimum: limitText,
  maximum: limitText,
  exclusiveMinimum: limitText,
  exclusiveMaximum: limitText,
  multipleOf: ({ params, got }) => `must be a multiple of ${String(params.multipleOf)}${got}`,
  uniqueItems: ({ params }) => `must not contain duplicates (items ${params.j} and ${params.i} are equal)`,
  contains: containsText,
  not: notText,
  'false schema': () => 'is not allowed here',
  oneOf: () => 'must match exactly one of the allowed alternatives',
  anyOf: () => 'must match at least one of the allowed alternatives',
};

function describeKeyword(error: ErrorObject): { path: string; message: string } {
  const base = error.instancePath;
  const at = (path: string, text: string) => ({ path, message: `${fieldLabel(path)} ${text}` });
  if (isSummary(error)) return at(base, error.summaryMessage);
  // Own keys only: a keyword named like an Object.prototype member must not find a function there.
  if (!Object.hasOwn(KEYWORD_TEXT, error.keyword)) {
    return at(base, `${error.message ?? `fails "${error.keyword}"`}`);
  }
  const data = error.data as unknown;
  const got = data === undefined ? '' : ` (got ${preview(data)})`;
  const params = error.params as Record<string, unknown>;
  const text = KEYWORD_TEXT[error.keyword]!({ error, base, params, data, got });
  return typeof text === 'string' ? at(base, text) : at(text.path, text.text);
}

function withArticle(type: string): string {
  const names = type.split(',').map((t) => {
    const name = t.trim();
    if (name === 'null') return 'null';
    return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
  });
  return names.join(' or ');
}

function formatName(format: string): string {
  switch (format) {
    case 'date-time':
      return 'RFC 3339 date-time (e.g. "2024-01-12T13:50:00Z")';
    case 'iri':
    case 'uri':
      return 'absolute URI';
    case 'iri-reference':
    case 'uri-reference':
      return 'URI or relative path';
    default:
      return `"${format}"`;
  }
}

/** Converts pruned ajv errors into issues of kind `schema`. */
export function toSchemaIssues(
  errors: readonly ErrorObject[],
  schemaUri: string,
  severity: ValidationSeverity = 'error',
): ValidationIssue[] {
  return errors.map((error) => {
    const { path, message } = describe(error);
    return { path, message, kind: 'schema', schema: schemaUri, keyword: error.keyword, severity };
  });
}
