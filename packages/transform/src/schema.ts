import type { JsonObject } from '@scm/core';
import { COMMON_OPTIONS, ON_MISS, TRANSFORMS } from './transforms.js';

const path = (description: string): JsonObject => ({ type: 'string', minLength: 1, description });

function transformObjectSchema(): JsonObject {
  const names = TRANSFORMS.flatMap((t) => [t.name, ...(t.aliases ?? [])]);
  return {
    type: 'object',
    description: 'A transform with options: { type: <name>, ...options }.',
    required: ['type'],
    properties: { type: { enum: names } },
    allOf: TRANSFORMS.map((t) => {
      const properties: JsonObject = { type: {} };
      for (const [name, spec] of Object.entries({ ...COMMON_OPTIONS, ...t.options })) {
        const schema: JsonObject = { ...spec.schema, description: spec.description };
        if (spec.default !== undefined) schema.default = spec.default;
        properties[name] = schema;
      }
      const then: JsonObject = { properties, additionalProperties: false };
      if (t.required) then.required = t.required;
      return {
        if: { properties: { type: { enum: [t.name, ...(t.aliases ?? [])] } }, required: ['type'] },
        then,
      };
    }),
  };
}

/** The object form of a mapping file: `mappings` and the top-level settings. */
function mappingFileSchema(): JsonObject {
  return {
    type: 'object',
    required: ['mappings'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string', description: 'Address of this schema, for editors.' },
      version: { type: ['string', 'number'], description: 'Free version label of the mapping.' },
      description: { type: 'string', description: 'What the mapping is for.' },
      mappings: { $ref: '#/definitions/rules' },
      lookup_tables: {
        type: 'object',
        description: 'Named lookup tables used by `lookup` rules and transforms.',
        additionalProperties: { $ref: '#/definitions/lookupTable' },
      },
      defaults: {
        type: 'object',
        description: 'Target path -> value, written after the rules where the output has no value yet.',
      },
      id_template: {
        type: 'string',
        description:
          'Template for the output `id` (e.g. "{collection_name}-{dataset_id}"), applied before the rules.',
      },
      passthrough: {
        description:
          'Copy source fields no rule reads: true for all of them, or a list of top-level field names.',
        oneOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
        default: false,
      },
      passthrough_target: {
        type: 'string',
        description: 'Target path under which passed-through fields are copied.',
        default: 'properties',
      },
    },
  };
}

/** One rule: a target, one input (source, constant, template or a reading transform) and its options. */
function ruleSchema(): JsonObject {
  const sourcePath = path(
    'Key path in the source record: dots, [n] indexes, ["quoted.keys"], * and [*] wildcards, {$key} placeholders, $item.<path> in enrichment.',
  );
  return {
    type: 'object',
    required: ['target_field'],
    additionalProperties: false,
    properties: {
      target_field: path(
        'Key path written in the output, e.g. properties.datetime, properties["eo:cloud_cover"], assets.*.roles, assets.media-{$index}.href.',
      ),
      source_field: {
        description: 'Source path, or a list of paths where the first present value wins (coalesce).',
        oneOf: [sourcePath, { type: 'array', items: sourcePath, minItems: 1 }],
      },
      constant: { description: 'A fixed value (copied for every record).' },
      template: { type: 'string', description: 'Text built from fields: "{collection}-{id|slug}".' },
      transform: {
        description: 'A transform name, an object with options, or an array of them applied in order.',
        oneOf: [
          { $ref: '#/definitions/transform' },
          { type: 'array', items: { $ref: '#/definitions/transform' } },
        ],
      },
      optional: {
        type: 'boolean',
        description: 'When the value is missing, skip the rule instead of failing the record.',
        default: false,
      },
      default: {
        description: 'Value written when the source is missing (not transformed; counted as defaulted).',
      },
      when_missing: {
        enum: ['error', 'skip', 'default', 'null'],
        description: 'What to do when the value is missing; overrides `optional` and `default`.',
      },
      lookup: {
        description: 'Replace the source value by its entry in a lookup table, before `transform`.',
        oneOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            required: ['table'],
            additionalProperties: false,
            properties: {
              table: { type: 'string', minLength: 1 },
              on_miss: { enum: [...ON_MISS], default: 'error' },
              default: {},
            },
          },
        ],
      },
      merge: {
        type: 'boolean',
        description:
          'When an object is written over an existing object, merge it in (true) or replace it (false).',
        default: true,
      },
      overwrite: {
        type: 'boolean',
        description: 'Write even when the target already has a value; false keeps the existing value.',
        default: true,
      },
      description: { type: 'string', description: 'A note for people; ignored.' },
    },
    not: {
      anyOf: [
        { required: ['source_field', 'constant'] },
        { required: ['source_field', 'template'] },
        { required: ['constant', 'template'] },
      ],
    },
  };
}

/** A lookup table: inline pairs, or a CSV/JSON file with key and value columns. */
function lookupTableSchema(): JsonObject {
  return {
    oneOf: [
      {
        type: 'object',
        required: ['inline'],
        additionalProperties: false,
        properties: { inline: { type: 'object', description: 'Key -> value pairs.' } },
      },
      {
        type: 'object',
        required: ['file'],
        additionalProperties: false,
        properties: {
          file: {
            type: 'string',
            minLength: 1,
            description: 'CSV or JSON file, relative to the mapping file.',
          },
          key: { type: 'string', minLength: 1, description: 'Column (or member) holding the keys.' },
          value: { type: 'string', minLength: 1, description: 'Column (or member) holding the values.' },
        },
      },
    ],
  };
}

/** The whole document, assembled from the parts above and the transform registry. */
function buildSchema(): JsonObject {
  const names = TRANSFORMS.flatMap((t) => [t.name, ...(t.aliases ?? [])]);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'stac-catalog-manager field mapping',
    description:
      'Declarative mapping from source records to STAC fields (@scm/transform). Either an object with `mappings` or a bare array of rules.',
    oneOf: [{ $ref: '#/definitions/mappingFile' }, { $ref: '#/definitions/rules' }],
    definitions: {
      mappingFile: mappingFileSchema(),
      rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
      rule: ruleSchema(),
      transform: {
        oneOf: [
          { enum: names, description: 'A transform without options.' },
          { $ref: '#/definitions/transformObject' },
        ],
      },
      transformObject: transformObjectSchema(),
      lookupTable: lookupTableSchema(),
    },
  };
}

/**
 * The JSON Schema (draft-07) of a mapping file. It is generated from the
 * transform registry, so every transform and option is listed with its
 * description and default; `schema/mapping.schema.json` is this object
 * written by `npm run schema`.
 */
export const mappingJsonSchema: JsonObject = buildSchema();
