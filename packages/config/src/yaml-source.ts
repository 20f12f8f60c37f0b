import { isForbiddenKey, type ScmError } from '@scm/core';
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
} from 'yaml';
import { issuesError } from './issues.js';
import type { ConfigIssue } from './types.js';

/** Alias expansions allowed while converting the document (yaml's default, stated on purpose). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Largest text read, in UTF-16 code units: configuration, mapping and
 * extension files are hand-written, so anything bigger is a mistake or an
 * attack, and refusing it early bounds the parser's memory.
 */
export const MAX_YAML_LENGTH = 64 * 1024 * 1024;

/** Explicit tags allowed: the YAML 1.2 core schema, plus the non-specific `!`. */
const ALLOWED_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat('!'),
);

/** A parsed configuration document and the means to point back into its text. */
export interface YamlSource {
  /** File name as the user gave it. */
  file: string;
  /** The text that was parsed. */
  text: string;
  /** The parsed document. */
  doc: Document.Parsed;
  /** Maps offsets to lines and columns. */
  lineCounter: LineCounter;
}

/** A key path: object keys and array indexes. */
export type KeyPath = readonly (string | number)[];

/** Key path as people write it: `output.format`, `extensions[0].name`, `headers["a.b"]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** 1-based line and column of an offset. */
export function positionAt(source: YamlSource, offset: number): { line: number; column: number } {
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

/** An issue located at `node` (or the document start when there is none). */
export function issueAt(
  source: YamlSource,
  node: Node | undefined | null,
  path: KeyPath,
  message: string,
): ConfigIssue {
  const offset = node?.range?.[0] ?? source.doc.contents?.range?.[0] ?? 0;
  return { file: source.file, ...positionAt(source, offset), path: formatKeyPath(path), message };
}

/**
 * Parses YAML (or JSON, which is YAML) safely: core schema only, no custom
 * tags, unique keys. Returns syntax problems as issues instead of throwing.
 */
export function parseYamlSource(text: string, file: string): { source: YamlSource; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  if (text.length > MAX_YAML_LENGTH) {
    const source: YamlSource = { file, text: '', doc: parseDocument(''), lineCounter };
    const limit = `${MAX_YAML_LENGTH / (1024 * 1024)} MiB`;
    return {
      source,
      issues: [{ file, line: 1, column: 1, path: '', message: `the text is larger than ${limit}` }],
    };
  }
  const doc = parseDocument(text, {
    schema: 'core',
    customTags: [],
    uniqueKeys: true,
    keepSourceTokens: true,
    prettyErrors: false,
    strict: true,
    lineCounter,
  });
  const source: YamlSource = { file, text, doc, lineCounter };
  const issues: ConfigIssue[] = doc.errors.map((error) => ({
    file,
    ...positionAt(source, error.pos[0]),
    path: '',
    message: error.message.replace(/ at line \d+, column \d+.*$/s, ''),
  }));
  return { source, issues };
}

/** Role a node plays in its parent. */
export type NodeRole = 'key' | 'value' | 'root';

/**
 * Visits every node below `node` in document order with its key path,
 * without following aliases (so an alias bomb costs nothing here).
 */
export function walkNodes(
  node: unknown,
  path: (string | number)[],
  visit: (node: Node, path: KeyPath, role: NodeRole) => void,
  role: NodeRole = 'root',
): void {
  if (isScalar(node) || isAlias(node)) {
    visit(node, path, role);
  } else if (isMap(node)) {
    visit(node, path, role);
    for (const item of node.items) {
      const keyPath = [...path, keyText(item.key)];
      if (item.key !== null && item.key !== undefined) walkNodes(item.key, keyPath, visit, 'key');
      if (item.value !== null && item.value !== undefined) walkNodes(item.value, keyPath, visit, 'value');
    }
  } else if (isSeq(node)) {
    visit(node, path, role);
    node.items.forEach((item, index) => {
      walkNodes(item, [...path, index], visit, 'value');
    });
  }
}

/** The key of a pair as it becomes a JS property name. */
export function keyText(key: unknown): string {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return String(key);
}

/**
 * Offset of the tag written before the node starting at `start` (node ranges
 * begin after their tag and anchor), so messages point at the tag itself.
 */
function tagOffset(text: string, start: number): number | undefined {
  let end = start;
  for (let tokens = 0; tokens < 2; tokens++) {
    while (end > 0 && /\s/.test(text[end - 1])) end--;
    let begin = end;
    while (begin > 0 && !/[\s,[{]/.test(text[begin - 1])) begin--;
    if (text[begin] === '!') return begin;
    if (text[begin] !== '&') return undefined;
    end = begin;
  }
  return undefined;
}

/** Structural problems the parser lets through. */
export interface StructureIssues {
  /** Tags outside the core schema (`!!js/function`, `!!binary`, local tags). */
  tags: ConfigIssue[];
  /** Keys that are not plain scalars, or that could reach a prototype. */
  keys: ConfigIssue[];
}

/** Finds tags outside the core schema and unsafe or complex keys. */
export function checkStructure(source: YamlSource): StructureIssues {
  const found: StructureIssues = { tags: [], keys: [] };
  walkNodes(source.doc.contents, [], (node, path, role) => {
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !ALLOWED_TAGS.has(tag)) {
      const shown = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag;
      const issue = issueAt(source, node, path, `tag "${shown}" is not allowed (only plain YAML values are)`);
      const at = tagOffset(source.text, node.range?.[0] ?? 0);
      if (at !== undefined) Object.assign(issue, positionAt(source, at));
      found.tags.push(issue);
    }
    if (role !== 'key') return;
    if (!isScalar(node)) {
      found.keys.push(issueAt(source, node, path.slice(0, -1), 'keys must be plain strings'));
      return;
    }
    const key = keyText(node);
    if (isForbiddenKey(key)) found.keys.push(issueAt(source, node, path, `key "${key}" is not allowed`));
  });
  return found;
}

/** Follows an alias to the node it names. */
function deref(source: YamlSource, node: unknown): unknown {
  return isAlias(node) ? node.resolve(source.doc) : node;
}

/** The node at a JSON Pointer path (through aliases), or undefined. */
export function nodeAtPath(source: YamlSource, path: KeyPath): Node | undefined {
  let current: unknown = source.doc.contents;
  for (const segment of path) {
    const container = deref(source, current);
    if (isMap(container)) {
      const pair = container.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return undefined;
      current = pair.value;
    } else if (isSeq(container) && typeof segment === 'number') {
      current = container.items[segment];
    } else {
      return undefined;
    }
  }
  return (current ?? undefined) as Node | undefined;
}

/** The key node of `key` inside the mapping at `path`, for "unknown key" messages. */
export function keyNodeAt(source: YamlSource, path: KeyPath, key: string): Node | undefined {
  const container = deref(source, nodeAtPath(source, path));
  if (!isMap(container)) return undefined;
  const pair = container.items.find((p) => keyText(p.key) === key);
  return isPair(pair) && isScalar(pair.key) ? (pair.key as Scalar) : undefined;
}

/** What {@link readYaml} returns. */
export type ReadYamlResult =
  | {
      ok: true;
      /** The plain data of the document (`null` for an empty one). */
      data: unknown;
      /** 1-based line of the node at a key path, or of its nearest parent found. */
      lineOf(path: KeyPath): number | undefined;
    }
  | {
      ok: false;
      /** `SCM_CONFIG_PARSE` for syntax, tags and alias limits; `SCM_CONFIG_INVALID` for refused keys. */
      code: 'SCM_CONFIG_PARSE' | 'SCM_CONFIG_INVALID';
      /** The first problem, without its position. */
      message: string;
      /** 1-based line and column of the problem, when known. */
      line?: number;
      column?: number;
      /** Every problem found. */
      issues: ConfigIssue[];
      /** The error a configuration file with these problems throws, for callers that throw. */
      error: ScmError;
    };

function refused(code: 'SCM_CONFIG_PARSE' | 'SCM_CONFIG_INVALID', issues: ConfigIssue[]): ReadYamlResult {
  const first = issues[0]!;
  const place = first.line === undefined ? {} : { line: first.line, column: first.column ?? 1 };
  const message = first.path ? `${first.path}: ${first.message}` : first.message;
  return { ok: false, code, message, ...place, issues, error: issuesError(code, first.file, issues) };
}

/** The issue of a document whose aliases expand past {@link MAX_ALIAS_COUNT}. */
export function aliasLimitIssue(file: string): ConfigIssue {
  return {
    file,
    line: 1,
    column: 1,
    path: '',
    message: `aliases expand to too many nodes (limit ${MAX_ALIAS_COUNT})`,
  };
}

/**
 * Reads a YAML (or JSON) document safely, with the workspace's one set of
 * rules: size limit, YAML 1.2 core schema, no custom tags, duplicate keys
 * refused, no `__proto__`/`constructor`/`prototype` key, complex keys
 * refused, aliases capped at {@link MAX_ALIAS_COUNT} expansions. Problems come
 * back with their line and column. Configuration files, mapping files and
 * record-command files all go through it (the last two composed by
 * `@scm/workflow` and the CLI).
 */
export function readYaml(text: string, file = 'document'): ReadYamlResult {
  const { source, issues } = parseYamlSource(text.replace(/^\uFEFF/, ''), file);
  if (issues.length > 0) return refused('SCM_CONFIG_PARSE', issues);
  const structure = checkStructure(source);
  if (structure.tags.length > 0) return refused('SCM_CONFIG_PARSE', structure.tags);
  if (structure.keys.length > 0) return refused('SCM_CONFIG_INVALID', structure.keys);
  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    return refused('SCM_CONFIG_PARSE', [aliasLimitIssue(file)]);
  }
  const lineOf = (path: KeyPath): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAtPath(source, path.slice(0, n));
      const offset = node?.range?.[0];
      if (offset !== undefined) return positionAt(source, offset).line;
    }
    return undefined;
  };
  return { ok: true, data: data ?? null, lineOf };
}
