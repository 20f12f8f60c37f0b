import type { Extension } from '@scm/core';
import { alternateAssetsExtension } from '@scm/extension-alternate-assets';
import { dgeoExtension } from '@scm/extension-dgeo';

/** The extensions that ship with the toolkit, available by name in every config. */
export function builtinExtensions(): Extension[] {
  return [dgeoExtension as Extension, alternateAssetsExtension as Extension];
}
