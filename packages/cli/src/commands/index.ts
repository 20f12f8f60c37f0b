import type { AddCommand } from '../run.js';
import { addApplyExtensions } from './apply-extensions.js';
import { addConfig } from './config.js';
import { addDiscoverCollections } from './discover-collections.js';
import { addFetchItems } from './fetch-items.js';
import { addMergeShards } from './merge-shards.js';
import { addOutput } from './output.js';
import { addRebuildCatalog } from './rebuild-catalog.js';
import { addReport } from './report.js';
import { addScaffoldItems } from './scaffold-items.js';
import { addTransformMetadata } from './transform-metadata.js';
import { addUpdateMetadata } from './update-metadata.js';
import { addValidate } from './validate.js';

/**
 * The subcommands, in the order help lists them. A new command is one file
 * in this folder exporting an {@link AddCommand}, and one line here.
 */
export const COMMANDS: readonly AddCommand[] = [
  addDiscoverCollections,
  addFetchItems,
  addTransformMetadata,
  addScaffoldItems,
  addApplyExtensions,
  addValidate,
  addRebuildCatalog,
  addMergeShards,
  addUpdateMetadata,
  addOutput,
  addReport,
  addConfig,
];
