import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage, isPlainObject, ScmError } from '@scm/core';
import { substituteDocument } from './env.js';
import { issuesError } from './issues.js';
import { toWorkflowConfig } from './normalize.js';
import type { ConfigOptions, WorkflowConfig } from './types.js';
import { checkConfigData } from './validate.js';
import { aliasLimitIssue, checkStructure, MAX_ALIAS_COUNT, parseYamlSource } from './yaml-source.js';

/**
 * Parses, substitutes, validates and normalises configuration text.
 *
 * Steps, each reporting every problem it finds before giving up:
 * 1. YAML syntax (JSON is accepted as YAML) → `SCM_CONFIG_PARSE`;
 * 2. tags outside the core schema (`!!js/function`, `!!binary`…) →
 *    `SCM_CONFIG_PARSE`; complex keys and `__proto__`/`constructor`/`prototype`
 *    keys → `SCM_CONFIG_INVALID`;
 * 3. `${VAR}` substitution in string values → `SCM_CONFIG_ENV_MISSING`
 *    (malformed references → `SCM_CONFIG_PARSE`);
 * 4. alias expansion, capped at 100 → `SCM_CONFIG_PARSE`;
 * 5. schema validation → `SCM_CONFIG_INVALID`.
 *
 * Relative paths are resolved against `dirname(file)`.
 *
 * @param text - The configuration text (YAML or JSON).
 * @param file - The file name used in messages and as the base of relative paths.
 * @param options - `env` for substitution (default `process.env`).
 */
export function parseConfig(text: string, file: string, options: ConfigOptions = {}): WorkflowConfig {
  const env = options.env ?? process.env;
  const { source, issues: syntaxIssues } = parseYamlSource(text.replace(/^\uFEFF/, ''), file);
  if (syntaxIssues.length > 0) throw issuesError('SCM_CONFIG_PARSE', file, syntaxIssues);

  const structure = checkStructure(source);
  if (structure.tags.length > 0) throw issuesError('SCM_CONFIG_PARSE', file, structure.tags);
  if (structure.keys.length > 0) throw issuesError('SCM_CONFIG_INVALID', file, structure.keys);

  const substitution = substituteDocument(source, env);
  if (substitution.syntaxIssues.length > 0)
    throw issuesError('SCM_CONFIG_PARSE', file, substitution.syntaxIssues);
  if (substitution.missingIssues.length > 0) {
    throw issuesError('SCM_CONFIG_ENV_MISSING', file, substitution.missingIssues, {
      variables: substitution.missingVariables,
    });
  }

  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw issuesError('SCM_CONFIG_PARSE', file, [aliasLimitIssue(file)], { cause: errorMessage(error) });
  }
  if (data === null || data === undefined) {
    throw issuesError('SCM_CONFIG_INVALID', file, [
      { file, line: 1, column: 1, path: '', message: 'the configuration is empty' },
    ]);
  }

  const issues = checkConfigData(data, { file, source, substituted: substitution.substituted });
  if (issues.length > 0) throw issuesError('SCM_CONFIG_INVALID', file, issues);
  return toWorkflowConfig(data as Record<string, unknown>, dirname(resolve(file)));
}

/**
 * Reads a workflow configuration file (YAML or JSON) and returns it
 * validated, with defaults applied and relative paths made absolute against
 * the file's folder. See {@link parseConfig} for the steps and error codes;
 * a missing or unreadable file is `SCM_CONFIG_NOT_FOUND`.
 *
 * @param file - Path of the configuration file, relative to the working directory or absolute.
 * @param options - `env` for `${VAR}` substitution (default `process.env`).
 */
export async function loadConfig(file: string, options: ConfigOptions = {}): Promise<WorkflowConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'configuration file not found'
        : code === 'EISDIR'
          ? 'configuration path is a folder, not a file'
          : `cannot read configuration file (${code ?? errorMessage(error)})`;
    throw new ScmError('SCM_CONFIG_NOT_FOUND', `${reason}: ${file} (resolved to ${resolve(file)})`, {
      cause: error,
      location: { file },
    });
  }
  return parseConfig(text, file, options);
}

/**
 * Validates a configuration given as a plain object (built in code rather
 * than read from a file) and returns it with defaults applied. Relative paths
 * are resolved against `dirname(file)` when `file` is given, otherwise against
 * the working directory. No `${VAR}` substitution happens. Throws
 * `SCM_CONFIG_INVALID` listing every problem, with key paths but no lines.
 *
 * @param value - The configuration object.
 * @param file - Name used in messages and as the base of relative paths. Default `<object>`.
 */
export function validateConfigObject(value: unknown, file?: string): WorkflowConfig {
  const name = file ?? '<object>';
  let data: unknown;
  try {
    data = structuredClone(value);
  } catch (error) {
    throw new ScmError('SCM_CONFIG_INVALID', `${name}: a configuration holds plain JSON values only`, {
      cause: error,
    });
  }
  const issues = checkConfigData(data, { file: name });
  if (issues.length > 0) throw issuesError('SCM_CONFIG_INVALID', name, issues);
  if (!isPlainObject(data)) throw new ScmError('SCM_INTERNAL', 'validated configuration is not an object');
  return toWorkflowConfig(data, file === undefined ? process.cwd() : dirname(resolve(file)));
}
