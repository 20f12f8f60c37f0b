// The same plugin checked and frozen by @scm/core's defineExtension (needs @scm/core installed).
import { defineExtension } from '@scm/core';
import { definition } from './definition.mjs';

export const extension = defineExtension(definition);

export default extension;
