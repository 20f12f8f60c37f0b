import type { Extension } from '@scm/core';
import { alternateAssetsExtension } from '@scm/extension-alternate-assets';
import { dgeoExtension } from '@scm/extension-dgeo';

/** The extensions that ship with the toolkit, available by name in every config. */
export function builtinExtensions(): Extension[] {
  return [dgeoExtension as Extension, alternateAssetsExtension as Extension];
}

/**
 * The extensions a validator of this toolkit runs: every built-in (each checks only the objects that
 * declare its schema, so `rebuild-catalog` and `validate` agree on any object) and then the `others`
 * (the run's plugins) that are not built-ins.
 */
export function checkingExtensions(others: readonly Extension[]): Extension[] {
  const builtins = builtinExtensions();
  return [...builtins, ...others.filter((e) => !builtins.some((b) => b.name === e.name))];
}
