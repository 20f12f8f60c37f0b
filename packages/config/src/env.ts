import type { SourceLocation } from '@scm/core';
import { isScalar, type Scalar } from 'yaml';
import { issuesError } from './issues.js';
import type { ConfigIssue, EnvMap } from './types.js';
import { issueAt, positionAt, walkNodes, type YamlSource } from './yaml-source.js';

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** A `${...}` problem inside one string. */
export interface ReferenceProblem {
  /** `missing`: variable unset and no default; `syntax`: malformed reference. */
  kind: 'missing' | 'syntax';
  /** Variable name (for `missing`) or the raw reference text (for `syntax`). */
  name: string;
  /** Offset of the `$` in the string. */
  offset: number;
}

/** Result of expanding one string. */
export interface Expansion {
  /** The string with references replaced. */
  value: string;
  /** True when the string held at least one `${...}` or `$$`. */
  changed: boolean;
  /** Unset variables and malformed references, in order. */
  problems: ReferenceProblem[];
}

/**
 * Expands `${VAR}`, `${VAR:-default}` (default used when VAR is unset or
 * empty, taken literally) and `$$` (a literal `$`) in one string. A `$`
 * followed by anything else is kept as is. Never throws.
 */
export function expandEnv(text: string, env: EnvMap): Expansion {
  let value = '';
  let changed = false;
  const problems: ReferenceProblem[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0 || dollar === text.length - 1) {
      value += text.slice(i);
      break;
    }
    value += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      value += '$';
      changed = true;
      i = dollar + 2;
      continue;
    }
    if (next !== '{') {
      value += '$';
      i = dollar + 1;
      continue;
    }
    changed = true;
    const close = text.indexOf('}', dollar + 2);
    if (close < 0) {
      problems.push({ kind: 'syntax', name: text.slice(dollar), offset: dollar });
      value += text.slice(dollar);
      break;
    }
    const inner = text.slice(dollar + 2, close);
    const match = REFERENCE.exec(inner);
    if (!match) {
      problems.push({ kind: 'syntax', name: text.slice(dollar, close + 1), offset: dollar });
      value += text.slice(dollar, close + 1);
    } else {
      const [, name, fallback] = match;
      const current = Object.hasOwn(env, name) ? env[name] : undefined;
      if (current !== undefined && !(fallback !== undefined && current === '')) value += current;
      else if (fallback !== undefined) value += fallback;
      else problems.push({ kind: 'missing', name, offset: dollar });
    }
    i = close + 1;
  }
  return { value, changed, problems };
}

function problemMessage(problem: ReferenceProblem): string {
  if (problem.kind === 'missing') {
    return `environment variable "${problem.name}" is not set (give a default with \${${problem.name}:-value})`;
  }
  return `malformed reference "${problem.name}": use \${NAME} or \${NAME:-default} with NAME made of letters, digits and "_", or $$ for a literal $`;
}

/**
 * Substitutes environment variables in one string value: `${VAR}`,
 * `${VAR:-default}` (default when VAR is unset or empty) and `$$` for a
 * literal `$`. The configuration loader calls it on each parsed YAML string
 * value, never on the raw text, so a variable's value cannot add YAML
 * structure.
 *
 * Throws `SCM_CONFIG_ENV_MISSING` naming every unset variable (and
 * `SCM_CONFIG_PARSE` for a malformed reference), located at `location` in
 * `file` when given.
 *
 * @param text - The string value.
 * @param env - Variables, usually `process.env`.
 * @param file - File the value comes from, for messages.
 * @param location - Line, column and key path of the value, for messages.
 */
export function substituteEnv(
  text: string,
  env: EnvMap,
  file: string,
  location: Omit<SourceLocation, 'file'> = {},
): string {
  const { value, problems } = expandEnv(text, env);
  if (problems.length === 0) return value;
  const syntax = problems.filter((p) => p.kind === 'syntax');
  const chosen = syntax.length > 0 ? syntax : problems;
  const issues: ConfigIssue[] = chosen.map((p) => ({
    file,
    line: location.line,
    column: location.column,
    path: location.path ?? '',
    message: problemMessage(p),
  }));
  const variables = [...new Set(chosen.filter((p) => p.kind === 'missing').map((p) => p.name))];
  throw issuesError(syntax.length > 0 ? 'SCM_CONFIG_PARSE' : 'SCM_CONFIG_ENV_MISSING', file, issues, {
    variables,
  });
}

/** Outcome of substituting a whole document. */
export interface DocumentSubstitution {
  /** Scalars whose value came from substitution (their text may be coerced to numbers later). */
  substituted: Set<Scalar>;
  /** Malformed references. */
  syntaxIssues: ConfigIssue[];
  /** Unset variables, one issue per reference. */
  missingIssues: ConfigIssue[];
  /** Names of unset variables, unique, in order of appearance. */
  missingVariables: string[];
}

/**
 * Substitutes variables in every string value of the document in place (keys
 * are left alone), collecting every problem instead of stopping at the first.
 */
export function substituteDocument(source: YamlSource, env: EnvMap): DocumentSubstitution {
  const result: DocumentSubstitution = {
    substituted: new Set(),
    syntaxIssues: [],
    missingIssues: [],
    missingVariables: [],
  };
  walkNodes(source.doc.contents, [], (node, path, role) => {
    if (role === 'key' || !isScalar(node) || typeof node.value !== 'string' || !node.value.includes('$'))
      return;
    const { value, changed, problems } = expandEnv(node.value, env);
    for (const problem of problems) {
      const issue = issueAt(source, node, path, problemMessage(problem));
      const raw = source.text.slice(node.range?.[0] ?? 0, node.range?.[1] ?? 0);
      const needle = problem.kind === 'missing' ? `\${${problem.name}` : problem.name;
      const at = raw.indexOf(needle);
      if (at >= 0) Object.assign(issue, positionAt(source, (node.range?.[0] ?? 0) + at));
      if (problem.kind === 'syntax') result.syntaxIssues.push(issue);
      else {
        result.missingIssues.push(issue);
        if (!result.missingVariables.includes(problem.name)) result.missingVariables.push(problem.name);
      }
    }
    if (changed && problems.length === 0) {
      node.value = value;
      result.substituted.add(node);
    }
  });
  return result;
}
