/**
 * @scm/extensions: the extension registry, the plugin loader and the conformance suite.
 *
 * @packageDocumentation
 */

export type { ApplyExtensionsOptions, ApplyResult } from './apply.js';
/** Applies loaded extensions to one Item or Collection; errors become Failures. */
export { applyExtensions } from './apply.js';
export type { ConfigProblem } from './config-check.js';
/** Config checks (configSchema + checkConfig) for one extension. */
export { assertExtensionConfig, findConfigProblems } from './config-check.js';
export type { ConformanceCheck, ConformanceProblem, TestExtensionOptions } from './conformance.js';
/** The runner-independent conformance suite and its helpers. */
export { foreignChanges, jsonEqual, testExtension } from './conformance.js';
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
export { contextOf, importPlugin, loadExtensions, prepareExtension, schemaUriFor } from './load.js';
export type { AnyExtension, ExtensionRegistry } from './registry.js';
/** The registry of extensions by name. */
export { createExtensionRegistry, toExtension } from './registry.js';
