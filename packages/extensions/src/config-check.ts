import {
  type SchemaCheckError as ErrorObject,
  errorMessage,
  requireSchemaCompiler,
  type SchemaCheck,
  ScmError,
  type ValidationIssue,
} from '@scm/core';
import { escapePointerSegment, unescapePointerSegment } from '@scm/core/json-pointer';
import type { AnyExtension } from './registry.js';

const compiled = new WeakMap<AnyExtension, SchemaCheck>();

function validatorFor(extension: AnyExtension): SchemaCheck {
  let validate = compiled.get(extension);
  if (!validate) {
    try {
      // A plugin's config schema may use keywords of its own: be lenient about the schema itself.
      validate = requireSchemaCompiler()(extension.configSchema as object | boolean, { allErrors: true });
    } catch (error) {
      throw new ScmError(
        'SCM_EXTENSION_INVALID',
        `extension "${extension.name}": configSchema does not compile: ${errorMessage(error)}`,
        { cause: error, details: { extension: extension.name } },
      );
    }
    compiled.set(extension, validate);
  }
  return validate;
}

/** `/alternates/0/match` → `.alternates[0].match`, appended to `base`. */
export function pointerToPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  let out = base;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = unescapePointerSegment(raw);
    out += /^\d+$/.test(segment)
      ? `[${segment}]`
      : /^[A-Za-z_$][\w$-]*$/.test(segment)
        ? `.${segment}`
        : `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function ajvPointer(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const child =
    error.keyword === 'required'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : undefined;
  return typeof child === 'string'
    ? `${error.instancePath}/${escapePointerSegment(child)}`
    : error.instancePath;
}

function describeAjvError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return 'is not a known option';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return error.message ?? error.keyword;
}

/** One problem in an extension's config. */
export interface ConfigProblem {
  /** Config path, e.g. `extensions[1].config.alternates[0].match`. */
  path: string;
  /** What is wrong. */
  message: string;
  /** `error` blocks the run; `warning` is only reported. */
  severity: 'error' | 'warning';
}

/**
 * Checks `config` against the extension's `configSchema` (ajv, all errors) and then its `checkConfig`.
 * Returns the problems; an empty list means the config is fine. `base` prefixes the paths
 * (default `config`).
 */
export function findConfigProblems(
  extension: AnyExtension,
  config: unknown,
  base = 'config',
): ConfigProblem[] {
  const validate = validatorFor(extension);
  if (!validate(config)) {
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const error of validate.errors ?? []) {
      // oneOf/anyOf restate the branch errors; the branch errors are the useful ones.
      if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
      const problem: ConfigProblem = {
        path: pointerToPath(base, ajvPointer(error)),
        message: describeAjvError(error),
        severity: 'error',
      };
      const key = `${problem.path}\u0000${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
    if (problems.length === 0) {
      problems.push({ path: base, message: 'does not match the config schema', severity: 'error' });
    }
    return problems;
  }
  if (!extension.checkConfig) return [];
  let issues: ValidationIssue[];
  try {
    issues = extension.checkConfig(config);
  } catch (error) {
    return [{ path: base, message: `checkConfig threw: ${errorMessage(error)}`, severity: 'error' }];
  }
  return issues.map((issue) => ({
    path: pointerToPath(base, issue.path),
    message: issue.message,
    severity: issue.severity === 'warning' ? 'warning' : 'error',
  }));
}

/**
 * Throws `SCM_EXTENSION_CONFIG` naming the extension and the config path when {@link findConfigProblems}
 * finds an error. `base` is the config path of the extension's `config` (default `config`).
 * Returns the warnings.
 */
export function assertExtensionConfig(
  extension: AnyExtension,
  config: unknown,
  base = 'config',
): ConfigProblem[] {
  const all = findConfigProblems(extension, config, base);
  const problems = all.filter((p) => p.severity === 'error');
  if (problems.length === 0) return all;
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new ScmError(
    'SCM_EXTENSION_CONFIG',
    `extension "${extension.name}": invalid config at ${first.path}: ${first.message}${more}`,
    { details: { name: extension.name, problems }, location: { path: first.path } },
  );
}
