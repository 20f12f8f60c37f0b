/**
 * `@scm/update`: metadata updates for STAC Items and Collections. Parse an
 * updates document with {@link parseUpdates}, then run each object through
 * {@link updateObject}.
 *
 * @packageDocumentation
 */
export type { UpdateObjectOptions } from './apply.js';
export { fillTemplate, updateObject } from './apply.js';
export { applyMergePatch } from './merge-patch.js';
export type { ParseSelectionOptions, ParseUpdatesOptions } from './parse.js';
export { parseSelection, parseUpdates } from './parse.js';
export { parseFieldPath } from './paths.js';
export { matchesSelection } from './select.js';
export type {
  AppliesTo,
  FieldPath,
  Operation,
  PropertyTest,
  Selection,
  UpdateChange,
  UpdateOutcome,
  UpdateRule,
} from './types.js';
