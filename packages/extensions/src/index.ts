/**
 * @scm/extensions: the extension registry and the plugin loader. The conformance suite is in `@scm/testing`.
 *
 * @packageDocumentation
 */

export type { ApplyExtensionsOptions, ApplyResult } from './apply.js';
/** Applies loaded extensions to one Item or Collection; errors become Failures. */
export { applyExtensions } from './apply.js';
export type { ConfigProblem } from './config-check.js';
/** Config checks (configSchema + checkConfig) for one extension. */
export { assertExtensionConfig, findConfigProblems } from './config-check.js';
export type { DiscoverExtensionsOptions, PluginCandidate, PluginPlace } from './discover.js';
/** Plugin discovery without importing anything. */
export {
  defaultExtensionsDir,
  defaultNodeModulesDirs,
  discoverExtensions,
  PLUGIN_KEYWORD,
  PLUGIN_PACKAGE_PREFIX,
} from './discover.js';
export type {
  ExtensionConfigEntry,
  ExtensionOrigin,
  LoadedExtension,
  LoadExtensionsOptions,
  PrepareExtensionOptions,
} from './load.js';
/** Loading: config entries → checked, ready-to-apply extensions. */
export { contextOf, loadExtensions, prepareExtension, schemaUriFor } from './load.js';
/** Imports one plugin module. */
export { importPlugin } from './plugin-import.js';
export type { AnyExtension, ExtensionRegistry } from './registry.js';
/** The registry of extensions by name. */
export { createExtensionRegistry, toExtension } from './registry.js';
