import {
  type Bindings,
  DefinitionError,
  getValue,
  type KeyPath,
  parsePath,
  placeholderValue,
} from './path.js';

/** Filters a template field may use: `{name|lower}`. */
export const TEMPLATE_FILTERS = {
  lower: (s: string) => s.toLowerCase(),
  upper: (s: string) => s.toUpperCase(),
  trim: (s: string) => s.trim(),
  slug: (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, ''),
  urlencode: (s: string) => encodeURIComponent(s),
} as const satisfies Record<string, (s: string) => string>;

type FilterName = keyof typeof TEMPLATE_FILTERS;

type FieldRef =
  | { kind: 'path'; path: KeyPath }
  | { kind: 'placeholder'; name: 'key' | 'index'; position: number | undefined }
  | { kind: 'value' };

interface TemplateField {
  text: string;
  ref: FieldRef;
  filters: ((s: string) => string)[];
}

/** Where template fields are read from. */
export interface TemplateScope {
  record: unknown;
  item: unknown;
  bindings: Bindings | undefined;
  /** The current value, for `{$value}` in a `template` transform. */
  value?: unknown;
}

/** Result of rendering: the text, or the field that was missing or not a scalar. */
export type RenderResult =
  | { ok: true; text: string }
  | { ok: false; field: string; reason: 'missing' | 'not_scalar'; value?: unknown };

/** A parsed template. */
export interface Template {
  /** The template as written. */
  text: string;
  /** Source fields referenced (for passthrough bookkeeping). */
  paths: KeyPath[];
  /** True when it uses `{$key}`, `{$keyN}` or `{$index}`. */
  usesBindings: boolean;
  /** True when it uses `{$value}`. */
  usesValue: boolean;
  render(scope: TemplateScope): RenderResult;
}

function findClose(text: string, start: number): number {
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}') return i;
    else if (ch === '{') return -1;
  }
  return -1;
}

function parseField(inner: string, template: string): TemplateField {
  const pieces = inner.split('|').map((p) => p.trim());
  const head = pieces[0]!;
  if (head === '') throw new DefinitionError(`empty field "{}" in template "${template}"`);
  const filters = pieces.slice(1).map((name) => {
    if (!Object.hasOwn(TEMPLATE_FILTERS, name)) {
      throw new DefinitionError(
        `unknown filter "${name}" in template "${template}" (use ${Object.keys(TEMPLATE_FILTERS).join(', ')})`,
      );
    }
    return TEMPLATE_FILTERS[name as FilterName];
  });
  let ref: FieldRef;
  const placeholder = /^\$(key(\d*)|index)$/.exec(head);
  if (placeholder) {
    ref =
      placeholder[1] === 'index'
        ? { kind: 'placeholder', name: 'index', position: undefined }
        : { kind: 'placeholder', name: 'key', position: placeholder[2] ? Number(placeholder[2]) : undefined };
  } else if (head === '$value') {
    ref = { kind: 'value' };
  } else if (head.startsWith('$') && !head.startsWith('$item.') && head !== '$item') {
    throw new DefinitionError(
      `unknown name "${head}" in template "${template}" (use a field path, $key, $index, $value or $item.<path>)`,
    );
  } else {
    const path = parsePath(head, 'source');
    if (path.wildcards > 0)
      throw new DefinitionError(`a template field cannot hold a wildcard ("${head}" in "${template}")`);
    if (path.hasPattern)
      throw new DefinitionError(`a template field cannot hold a placeholder ("${head}" in "${template}")`);
    ref = { kind: 'path', path };
  }
  return { text: head, ref, filters };
}

/**
 * Parses a template such as `"{collection_name}-{dataset_id}"` or
 * `"https://host/{path}/{$key}.tif"`. Fields are key paths (with optional
 * `|filter`s), `$key`, `$keyN`, `$index`, `$value` or `$item.<path>`;
 * `{{` and `}}` stand for literal braces. Nothing in a template is ever
 * evaluated as code: a field is only looked up as a key path.
 */
export function parseTemplate(text: string): Template {
  if (typeof text !== 'string') throw new DefinitionError('a template must be a string');
  const parts: (string | TemplateField)[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '{') {
      if (text[i + 1] === '{') {
        literal += '{';
        i += 2;
        continue;
      }
      const close = findClose(text, i + 1);
      if (close === -1) throw new DefinitionError(`unclosed "{" at position ${i + 1} of template "${text}"`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseField(text.slice(i + 1, close), text));
      i = close + 1;
    } else if (ch === '}') {
      if (text[i + 1] !== '}')
        throw new DefinitionError(
          `unmatched "}" at position ${i + 1} of template "${text}" (write "}}" for a literal brace)`,
        );
      literal += '}';
      i += 2;
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal) parts.push(literal);

  const fields = parts.filter((p): p is TemplateField => typeof p !== 'string');
  const render = (scope: TemplateScope): RenderResult => {
    let out = '';
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      let value: unknown;
      const ref = part.ref;
      if (ref.kind === 'path')
        value = getValue(ref.path.root === 'item' ? scope.item : scope.record, ref.path.segments);
      else if (ref.kind === 'value') value = scope.value;
      else
        value = placeholderValue(
          ref.name === 'index' ? { name: 'index' } : { name: 'key', position: ref.position },
          scope.bindings,
        );
      if (value === undefined || value === null || value === '')
        return { ok: false, field: part.text, reason: 'missing' };
      let piece: string;
      if (typeof value === 'string') piece = value;
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
        piece = String(value);
      else return { ok: false, field: part.text, reason: 'not_scalar', value };
      for (const filter of part.filters) piece = filter(piece);
      out += piece;
    }
    return { ok: true, text: out };
  };

  return {
    text,
    paths: fields.flatMap((f) => (f.ref.kind === 'path' ? [f.ref.path] : [])),
    usesBindings: fields.some((f) => f.ref.kind === 'placeholder'),
    usesValue: fields.some((f) => f.ref.kind === 'value'),
    render,
  };
}
