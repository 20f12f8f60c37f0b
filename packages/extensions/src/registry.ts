import {
  defineExtension,
  EXTENSION_CONTRACT_VERSION,
  type Extension,
  type ExtensionDefinition,
  isExtension,
  ScmError,
} from '@scm/core';

/** Any extension, whatever its config type. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds extensions with unrelated config types.
export type AnyExtension = Extension<any>;

/** A set of extensions addressed by name. */
export interface ExtensionRegistry {
  /**
   * Adds an extension (an {@link Extension} or a plain definition, which goes through `defineExtension`).
   * Throws `SCM_EXTENSION_INVALID` when the name is taken or the definition is wrong.
   */
  register(extension: AnyExtension | ExtensionDefinition): AnyExtension;
  /** The extension called `name`, or `undefined`. */
  get(name: string): AnyExtension | undefined;
  /** True when an extension called `name` is registered. */
  has(name: string): boolean;
  /** Every registered extension, in registration order. */
  list(): AnyExtension[];
}

/**
 * Turns a plugin's export into an {@link Extension}: an `Extension` is checked for the contract version,
 * a plain definition goes through `defineExtension`. Throws `SCM_EXTENSION_INVALID`.
 */
export function toExtension(value: unknown): AnyExtension {
  if (isExtension(value)) {
    if (value.contractVersion !== EXTENSION_CONTRACT_VERSION) {
      const name = typeof value.name === 'string' ? value.name : '<unnamed>';
      throw new ScmError(
        'SCM_EXTENSION_INVALID',
        `extension "${name}" was built for extension contract ${value.contractVersion}, ` +
          `but this stac-catalog-manager implements contract ${EXTENSION_CONTRACT_VERSION}; ` +
          'rebuild it against a matching @scm/core',
        {
          details: {
            extension: name,
            contractVersion: value.contractVersion,
            expected: EXTENSION_CONTRACT_VERSION,
          },
        },
      );
    }
    return value;
  }
  return defineExtension(value as ExtensionDefinition);
}

/**
 * Creates a registry, optionally pre-filled with built-in extensions.
 * Names are unique: registering a second extension with a taken name is refused.
 */
export function createExtensionRegistry(
  builtins: readonly (AnyExtension | ExtensionDefinition)[] = [],
): ExtensionRegistry {
  const byName = new Map<string, AnyExtension>();
  const registry: ExtensionRegistry = {
    register(value) {
      const extension = toExtension(value);
      if (byName.has(extension.name)) {
        throw new ScmError(
          'SCM_EXTENSION_INVALID',
          `extension "${extension.name}" is already registered; extension names must be unique`,
          { details: { extension: extension.name, reason: 'duplicate' } },
        );
      }
      byName.set(extension.name, extension);
      return extension;
    },
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    list: () => [...byName.values()],
  };
  for (const builtin of builtins) registry.register(builtin);
  return registry;
}
