import type { ExtensionContext, JsonSchema, ValidationIssue } from './contracts.js';
import { ScmError } from './errors.js';
import type { StacCollection, StacItem } from './stac.js';

/**
 * Version of the extension contract. A plugin built against another major
 * contract is refused by the loader with a clear message instead of failing
 * in the middle of a run.
 */
export const EXTENSION_CONTRACT_VERSION = 1;

/**
 * What an extension author writes. Apply functions must be pure and
 * idempotent: they return a new object (or the same one unchanged), write only
 * fields under their own prefix (plus `stac_extensions`), and applying twice
 * gives the same result as applying once.
 */
export interface ExtensionDefinition<C = Record<string, unknown>> {
  /** Name used in config (`extensions: [{ name }]`), e.g. `dgeo`. Lower-case, digits and dashes. */
  name: string;
  /** Field prefix the extension owns, e.g. `dgeo` for `dgeo:cids`. */
  prefix: string;
  /** One sentence for `--help` and logs. */
  description?: string;
  /** Schema URIs the extension may add to `stac_extensions`; the first is its default. */
  schemaUris: readonly string[];
  /**
   * The one URI of {@link ExtensionDefinition.schemaUris} that the apply functions add for `config`
   * (e.g. a selectable schema version or variant). Optional; when absent it is `schemaUris[0]`.
   */
  schemaUri?(config: C): string;
  /** Bundled schema documents keyed by URI, so validation never needs the network. */
  schemas?: Readonly<Record<string, JsonSchema>>;
  /** JSON Schema of the extension's `config`, checked before anything runs. */
  configSchema: JsonSchema;
  /**
   * Config checks a JSON Schema cannot express (a regular expression that must compile, a value that must
   * match a pattern chosen by another option). Optional. Runs once before anything is applied, after the config
   * passed `configSchema`; each finding's `path` is a JSON Pointer inside the config. Never throws.
   */
  checkConfig?(config: C): ValidationIssue[];
  /** Adds the extension to an Item. */
  applyToItem(item: StacItem, context: ExtensionContext<C>): StacItem;
  /** Adds the extension to a Collection; absent when the extension has nothing to add there. */
  applyToCollection?(collection: StacCollection, context: ExtensionContext<C>): StacCollection;
  /**
   * Checks the schema cannot express (cross-field rules); returns findings, never throws. `context` is given
   * when the caller has the extension's config (a validator may call it without).
   */
  checkObject?(
    object: StacItem | StacCollection | Record<string, unknown>,
    context?: ExtensionContext<C>,
  ): ValidationIssue[];
}

/** An extension accepted by {@link defineExtension}: frozen and stamped with the contract version. */
export type Extension<C = Record<string, unknown>> = Readonly<ExtensionDefinition<C>> & {
  /** Contract version the extension was defined against. */
  readonly contractVersion: number;
};

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

function invalid(name: string, message: string): never {
  throw new ScmError('SCM_EXTENSION_INVALID', `extension "${name}": ${message}`, {
    details: { extension: name },
  });
}

/**
 * Checks an extension definition, freezes it and stamps the contract version.
 * Throws `SCM_EXTENSION_INVALID` naming the extension and the member at fault.
 */
export function defineExtension<C = Record<string, unknown>>(
  definition: ExtensionDefinition<C>,
): Extension<C> {
  if (typeof definition !== 'object' || definition === null) {
    throw new ScmError('SCM_EXTENSION_INVALID', 'an extension must be an object');
  }
  const name = typeof definition.name === 'string' ? definition.name : '<unnamed>';
  if (!NAME_PATTERN.test(name)) invalid(name, 'name must be lower-case letters, digits and dashes');
  if (typeof definition.prefix !== 'string' || !PREFIX_PATTERN.test(definition.prefix)) {
    invalid(
      name,
      'prefix must be lower-case letters, digits, "_" or "-" (the part before ":" in its fields)',
    );
  }
  if (!Array.isArray(definition.schemaUris) || definition.schemaUris.length === 0) {
    invalid(name, 'schemaUris must list at least one schema URI');
  }
  for (const uri of definition.schemaUris) {
    if (typeof uri !== 'string' || !/^https?:\/\/[^\s]+$/.test(uri))
      invalid(name, `schema URI "${String(uri)}" is not an http(s) URL`);
  }
  if (
    typeof definition.configSchema !== 'boolean' &&
    (typeof definition.configSchema !== 'object' || definition.configSchema === null)
  ) {
    invalid(name, 'configSchema must be a JSON Schema (object or boolean)');
  }
  if (typeof definition.applyToItem !== 'function') invalid(name, 'applyToItem must be a function');
  for (const member of ['applyToCollection', 'checkObject', 'checkConfig', 'schemaUri'] as const) {
    if (definition[member] !== undefined && typeof definition[member] !== 'function')
      invalid(name, `${member} must be a function`);
  }
  if (
    definition.schemas !== undefined &&
    (typeof definition.schemas !== 'object' || definition.schemas === null)
  ) {
    invalid(name, 'schemas must map schema URIs to schema documents');
  }
  const extension = {
    ...definition,
    schemaUris: Object.freeze([...definition.schemaUris]),
    contractVersion: EXTENSION_CONTRACT_VERSION,
  };
  return Object.freeze(extension) as Extension<C>;
}

/** True when `value` was produced by {@link defineExtension} (any copy of this package). */
export function isExtension(value: unknown): value is Extension {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { contractVersion?: unknown }).contractVersion === 'number' &&
    typeof (value as { applyToItem?: unknown }).applyToItem === 'function'
  );
}

/**
 * Returns `stac_extensions` with `uri` present exactly once, keeping order.
 * `replaces` lists URIs (older versions, aliases) that `uri` supersedes; they are removed.
 */
export function withStacExtension(
  current: readonly string[] | undefined,
  uri: string,
  replaces: readonly string[] = [],
): string[] {
  const out: string[] = [];
  for (const existing of current ?? []) {
    if (existing === uri || replaces.includes(existing)) continue;
    out.push(existing);
  }
  out.push(uri);
  return out;
}
