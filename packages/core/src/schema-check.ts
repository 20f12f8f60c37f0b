import { ScmError } from './errors.js';

/** One reason a value failed a compiled JSON Schema, shaped like the errors of Ajv (the compiler behind it). */
export interface SchemaCheckError {
  /** The failing keyword (`type`, `required`, `enum`…). */
  keyword: string;
  /** JSON Pointer to the failing value. */
  instancePath: string;
  /** JSON Pointer to the keyword in the schema. */
  schemaPath: string;
  /** The keyword's details (`missingProperty`, `allowedValues`, `type`…). */
  // biome-ignore lint/suspicious/noExplicitAny: each keyword has its own parameters
  params: Record<string, any>;
  /** The compiler's own sentence. */
  message?: string;
  /** For errors about a property name. */
  propertyName?: string;
  /** With `verbose`: the keyword's value, its schema object and the failing data. */
  schema?: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: a schema object is free-form
  parentSchema?: Record<string, any>;
  data?: unknown;
}

/** A compiled JSON Schema: true when `data` is valid; after `false`, `errors` says why. */
export interface SchemaCheck {
  (data: unknown): boolean;
  errors?: SchemaCheckError[] | null;
}

/** How a schema is compiled. Each distinct combination shares one compiler instance. */
export interface SchemaCompileOptions {
  /** Collect every error rather than stop at the first. Default: false. */
  allErrors?: boolean;
  /** Errors carry the schema and data they concern. Default: false. */
  verbose?: boolean;
  /** Refuse unknown keywords and ambiguous schemas (JSON Schema strict mode). Default: false. */
  strict?: boolean;
  /** `all` (default), `none`, or the names of the formats to check. */
  formats?: 'all' | 'none' | readonly string[];
  /** Extra keywords to accept without meaning (annotations such as `errorMessage`). */
  keywords?: readonly string[];
  /**
   * Documents the schema refers to, each under its `$id` or else its key; the first of an id wins. When the
   * compiled schema's own `$id` is among them, that document is used. With this option a fresh compiler is made.
   */
  schemas?: Readonly<Record<string, unknown>>;
}

/**
 * Compiles a JSON Schema (draft-07) into a check. A package that checks data against its own schema receives
 * one of these instead of setting up a JSON Schema library itself: `@scm/validate` provides it.
 */
export type SchemaCompiler = (schema: object | boolean, options?: SchemaCompileOptions) => SchemaCheck;

let provided: SchemaCompiler | undefined;

/**
 * Makes `compiler` the one {@link requireSchemaCompiler} returns. `@scm/validate` calls it when it is imported, so
 * a program that composes packages (the CLI, the workflow, tests through `@scm/testing`) has it in place.
 */
export function provideSchemaCompiler(compiler: SchemaCompiler): void {
  provided = compiler;
}

/** The compiler given to {@link provideSchemaCompiler}; `SCM_INTERNAL` when none was. */
export function requireSchemaCompiler(): SchemaCompiler {
  if (!provided) {
    throw new ScmError(
      'SCM_INTERNAL',
      'no JSON Schema compiler was provided; import @scm/validate (or pass a compiler) before checking schemas',
    );
  }
  return provided;
}
