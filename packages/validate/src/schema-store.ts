import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScmError } from '@scm/core';

/** One schema document and the URIs it answers to. */
export interface SchemaDoc {
  /** Normalised URI it is registered under (its `$id`, else the URI derived from its place or key). */
  uri: string;
  /** Other normalised URIs that name the same document (e.g. its path URL when `$id` differs). */
  aliases: string[];
  /** The parsed document. */
  schema: object | boolean;
  /** Where it came from, for messages. */
  origin: string;
}

/**
 * Normalises a schema URI for lookups: trims it and drops an empty or trailing `#` fragment, as ajv does.
 * A fragment that points inside a document (`#/definitions/x`) is kept.
 */
export function normalizeUri(uri: string): string {
  const trimmed = uri.trim();
  return trimmed.endsWith('#') ? trimmed.slice(0, -1) : trimmed;
}

/**
 * The folder of bundled schemas. Resolved from this module's URL, so it works from `src/` (tests) and from
 * the bundled `dist/index.js` or `dist/worker.js` alike: both sit one level below the package folder.
 */
export function bundledSchemasDir(): string {
  return fileURLToPath(new URL('../schemas/', import.meta.url));
}

let bundledCache: SchemaDoc[] | undefined;

/** The bundled schema documents, read once per process (the documents are shared, never modified). */
export function bundledSchemas(): SchemaDoc[] {
  if (!bundledCache) {
    const dir = bundledSchemasDir();
    if (!existsSync(dir)) {
      throw new ScmError(
        'SCM_SCHEMA_UNRESOLVED',
        `the bundled schemas are missing (${dir}); run "npm run vendor-schemas" in packages/validate`,
      );
    }
    bundledCache = loadSchemaDir(dir);
  }
  return bundledCache;
}

function isAbsoluteUri(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(value);
}

function listJsonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Example documents and licence texts are not schemas.
        if (depth === 0 && (entry.name === 'examples' || entry.name === 'LICENSES')) continue;
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        walk(full, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.json')) {
        out.push(full);
      }
    }
  };
  walk(root, 0);
  return out.sort();
}

/**
 * Reads every `*.json` file under `dir` as a schema. The URI of a file is its `$id` when that is absolute;
 * the URL given by its place (`dir/HOST/PATH` → `https://HOST/PATH`) is always registered too, so a folder
 * laid out by URL works even for documents without `$id` or with a wrong one.
 */
export function loadSchemaDir(dir: string): SchemaDoc[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ScmError('SCM_SCHEMA_UNRESOLVED', `schema folder not found: ${dir}`, {
      location: { file: dir },
    });
  }
  const docs: SchemaDoc[] = [];
  for (const file of listJsonFiles(root)) {
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ScmError('SCM_SCHEMA_INVALID', `schema file is not valid JSON: ${file}`, {
        cause: error,
        location: { file },
      });
    }
    if (
      typeof schema !== 'boolean' &&
      (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    ) {
      throw new ScmError('SCM_SCHEMA_INVALID', `schema file does not hold a JSON Schema object: ${file}`, {
        location: { file },
      });
    }
    const pathUri = `https://${relative(root, file).split(sep).join('/')}`;
    const id = typeof schema === 'object' ? (schema as { $id?: unknown }).$id : undefined;
    const uri = isAbsoluteUri(id) ? normalizeUri(id) : pathUri;
    docs.push({ uri, aliases: uri === pathUri ? [] : [pathUri], schema, origin: file });
  }
  return docs;
}

/** Schema documents given by URI (the `schemas` option or an extension's `schemas`). */
export function schemasFromRecord(record: Readonly<Record<string, unknown>>, origin: string): SchemaDoc[] {
  const docs: SchemaDoc[] = [];
  for (const [key, schema] of Object.entries(record)) {
    if (
      typeof schema !== 'boolean' &&
      (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    ) {
      throw new ScmError(
        'SCM_SCHEMA_INVALID',
        `${origin}: the schema for "${key}" is not a JSON Schema object`,
        {
          details: { uri: key },
        },
      );
    }
    const keyUri = normalizeUri(key);
    const id = typeof schema === 'object' ? (schema as { $id?: unknown }).$id : undefined;
    const uri = isAbsoluteUri(id) ? normalizeUri(id) : keyUri;
    docs.push({ uri, aliases: uri === keyUri ? [] : [keyUri], schema: schema as object | boolean, origin });
  }
  return docs;
}
