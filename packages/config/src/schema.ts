// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the configuration substitution syntax, not a template
import type { JsonObject, JsonValue } from '@scm/core';
import { CONFIG_DEFAULTS } from './defaults.js';

/*
 * The JSON Schema (draft-07) of a workflow configuration file. It is the one
 * source of truth: `npm run schema` writes it to `schema/config.schema.json`
 * for editors, and a test fails when that file is stale.
 *
 * `errorMessage` is a non-standard annotation that editors based on the
 * VS Code JSON language service show instead of their generic text; the
 * loader uses it the same way.
 */

/** Values accepted for `source.type`. */
export const SOURCE_TYPES = ['stac_api', 'local_files', 'other'] as const;
/** Values accepted for `source.format`. */
export const SOURCE_FORMATS = ['auto', 'stac', 'ndjson', 'json', 'csv', 'parquet'] as const;
/** Values accepted for `output.format`. */
export const OUTPUT_FORMATS = ['json', 'ndjson', 'parquet'] as const;
/** Values of `incremental.strategy`. */
export const INCREMENTAL_STRATEGIES = ['auto', 'filter', 'listing'] as const;
/** Values accepted for `logging.level` (any case). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;

/** `ABC` → `[Aa][Bb][Cc]`: JSON Schema patterns have no case-insensitive flag. */
function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

function str(description: string, extra: JsonObject = {}): JsonObject {
  return { type: 'string', description, ...extra };
}

function oneOfValues(values: readonly string[], description: string, defaultValue?: string): JsonObject {
  const schema: JsonObject = { type: 'string', enum: [...values], description };
  if (defaultValue !== undefined) schema.default = defaultValue;
  return schema;
}

function int(description: string, minimum: number, defaultValue?: number): JsonObject {
  const schema: JsonObject = { type: 'integer', minimum, description };
  if (defaultValue !== undefined) schema.default = defaultValue;
  return schema;
}

function obj(
  description: string,
  properties: Record<string, JsonObject>,
  required: string[] = [],
): JsonObject {
  const schema: JsonObject = { type: 'object', description, additionalProperties: false, properties };
  if (required.length > 0) schema.required = required;
  return schema;
}

function stringList(description: string, itemDescription: string): JsonObject {
  return { type: 'array', description, minItems: 1, items: str(itemDescription, { minLength: 1 }) };
}

/** Pattern of an ISO 8601 date or date-time as accepted in `source.filters.temporal`. */
export const ISO_DATE =
  '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)?)?$';
const isoDate = (description: string): JsonObject =>
  str(description, {
    pattern: ISO_DATE,
    errorMessage: 'must be an ISO 8601 date or date-time, e.g. 2020-01-01 or 2020-01-01T00:00:00Z',
  });

const HTTP_URL: JsonObject = {
  type: 'string',
  format: 'uri',
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  errorMessage: 'must be an http(s) URL',
};

const processing = CONFIG_DEFAULTS.processing;

const schema: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'stac-catalog-manager workflow configuration',
  description:
    'A workflow read by `scm`: where records come from, how they are mapped and extended, and where the catalog is written. Keys are snake_case; unknown keys are errors. String values may use ${VAR} and ${VAR:-default}; $$ is a literal $.',
  type: 'object',
  additionalProperties: false,
  required: ['workflow', 'source', 'output'],
  properties: {
    $schema: str('URL or path of this schema, for editors; ignored by the loader.'),
    workflow: obj(
      'Name and description of the workflow.',
      {
        name: str('Name shown in logs and summaries.', { minLength: 1 }),
        description: str('Free-text description.'),
      },
      ['name'],
    ),
    source: {
      ...obj(
        'Where records come from.',
        {
          type: oneOfValues(SOURCE_TYPES, 'Kind of source.'),
          catalog_url: { ...HTTP_URL, description: 'STAC API root URL. Required when type is stac_api.' },
          collections: stringList(
            'Collection ids to read; wildcards such as HLS* are allowed.',
            'Collection id or wildcard.',
          ),
          filters: obj('Temporal and spatial filters.', {
            temporal: obj('Time window; either end may be left out.', {
              start_date: isoDate('Inclusive start (ISO 8601).'),
              end_date: isoDate('Inclusive end (ISO 8601).'),
            }),
            spatial: obj(
              'Area of interest.',
              {
                bbox: {
                  type: 'array',
                  description: '[minx, miny, maxx, maxy] or [minx, miny, minz, maxx, maxy, maxz] in WGS 84.',
                  items: { type: 'number' },
                  anyOf: [
                    { minItems: 4, maxItems: 4 },
                    { minItems: 6, maxItems: 6 },
                  ],
                  errorMessage: 'must be a list of 4 or 6 numbers',
                },
              },
              ['bbox'],
            ),
          }),
          paths: stringList(
            'Files or folders to read, relative to the configuration file. Required when type is local_files.',
            'File or folder.',
          ),
          format: oneOfValues(SOURCE_FORMATS, 'Format of local files.', CONFIG_DEFAULTS.sourceFormat),
          headers: {
            type: 'object',
            description: 'Extra HTTP headers for API requests; put secrets in ${ENV_VARS}.',
            propertyNames: {
              pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
              errorMessage: 'must be a valid HTTP header name',
            },
            additionalProperties: { type: 'string' },
          },
          limit: int('Page size requested from APIs.', 1),
          max_items: int('Stop after this many items.', 1),
        },
        ['type'],
      ),
      allOf: [
        {
          if: { properties: { type: { const: 'stac_api' } }, required: ['type'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
          then: {
            required: ['catalog_url'],
            errorMessage: 'missing required key "catalog_url" (required when type is stac_api)',
          },
        },
        {
          if: { properties: { type: { const: 'local_files' } }, required: ['type'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword
          then: {
            required: ['paths'],
            errorMessage: 'missing required key "paths" (required when type is local_files)',
          },
        },
      ],
    },
    transformation: obj('Field mapping applied to every record.', {
      mapping_schema: {
        description:
          'Mapping rules inline, or the path of a YAML/JSON file holding them (relative to the configuration file).',
        anyOf: [
          {
            type: 'array',
            items: { type: 'object', errorMessage: 'each mapping rule must be a mapping' },
          },
          { type: 'string', minLength: 1 },
        ],
        errorMessage: 'must be a list of mapping rules or the path of a mapping file',
      },
      lookup_tables: { type: 'object', description: 'Named lookup tables the mapping rules refer to.' },
    }),
    extensions: {
      type: 'array',
      description: 'Extensions applied to every item, in order.',
      default: [],
      items: obj(
        'One extension.',
        {
          name: str('Extension name, e.g. dgeo.', {
            pattern: '^[a-z0-9][a-z0-9-]*$',
            errorMessage: 'must be lower-case letters, digits and dashes, e.g. alternate-assets',
          }),
          config: { type: 'object', description: 'Options of the extension.', default: {} },
          module: str(
            'Package name or path (relative to the configuration file) to load the extension from.',
            {
              minLength: 1,
            },
          ),
          optional: {
            type: 'boolean',
            description: 'When true a missing extension is a warning, not an error.',
            default: false,
          },
        },
        ['name'],
      ),
    },
    extensions_dir: str('Folder searched for extension modules, relative to the configuration file.', {
      minLength: 1,
    }),
    output: obj(
      'What to write and where.',
      {
        format: {
          description: 'One output format or a list of them.',
          default: [...CONFIG_DEFAULTS.outputFormats],
          anyOf: [
            { type: 'string', enum: [...OUTPUT_FORMATS] },
            {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', enum: [...OUTPUT_FORMATS] },
            },
          ],
          errorMessage: `must be one of ${OUTPUT_FORMATS.join(', ')}, or a list of them`,
        },
        path: str(
          'Output folder, relative to the configuration file, or s3://bucket/prefix (published with changed objects only and the root catalog.json last).',
          { minLength: 1 },
        ),
        organize_by: oneOfValues(
          ['catalog', 'collection'],
          'Layout of the output.',
          CONFIG_DEFAULTS.organizeBy,
        ),
        publish: oneOfValues(
          ['in_place', 'snapshot'],
          'How an s3:// output is published. in_place: changed objects only, the root catalog.json last, stale ' +
            'objects deleted after. snapshot: each run under runs/<run id>/ (unchanged objects copied from the ' +
            'previous run), then the root catalog.json switched to it in one write; needs a self-contained ' +
            'catalog (no base_url).',
          CONFIG_DEFAULTS.publish,
        ),
        parquet_partition: oneOfValues(
          ['none', 'year', 'month'],
          "How each collection's stac-geoparquet is cut into files. none: one items.parquet. year, month: one " +
            "file per UTC year or month of the items' datetime (start_datetime when datetime is null), such as " +
            'items-2022-09.parquet; an incremental run then rewrites only the files whose items changed.',
          CONFIG_DEFAULTS.parquetPartition,
        ),
        base_url: str(
          'Public URL of the output folder. When set, the JSON tree is published: every object gets an absolute ' +
            'self link and every root/parent/child/item/collection link is absolute. When absent, the tree is ' +
            'self-contained: no self links and relative links, so it can be copied anywhere.',
          {
            format: 'uri',
            pattern: '^[A-Za-z][A-Za-z0-9+.-]*:',
            errorMessage: 'must be an absolute URL',
          },
        ),
        catalog: obj('Metadata of the root catalog.', {
          id: str('Catalog id.', { minLength: 1 }),
          title: str('Catalog title.'),
          description: str('Catalog description.'),
        }),
        failures_file: str('File collecting failed items, placed in the output folder.', {
          minLength: 1,
          default: CONFIG_DEFAULTS.failuresFile,
        }),
      },
      ['path'],
    ),
    validation: obj('Validation settings.', {
      level: oneOfValues(
        ['strict', 'lenient'],
        'strict fails items with errors; lenient reports them and goes on.',
        CONFIG_DEFAULTS.validationLevel,
      ),
      schema_dirs: {
        type: 'array',
        description: 'Folders of local JSON Schemas, relative to the configuration file.',
        items: str('Folder.', { minLength: 1 }),
      },
      engine: oneOfValues(['ajv', 'stac-validator'], 'Validator to run.', CONFIG_DEFAULTS.validationEngine),
      workers: int(
        'Validation worker threads (0: validate in the main thread). Default: rebuild-catalog the number of cores minus one, at least 1; validate one per core.',
        0,
      ),
    }),
    logging: obj('Logging settings.', {
      level: {
        type: 'string',
        description: 'DEBUG, INFO, WARNING or ERROR (any case).',
        pattern: `^(${LOG_LEVELS.map(anyCase).join('|')})$`,
        default: CONFIG_DEFAULTS.logLevel,
        errorMessage: `must be one of ${LOG_LEVELS.join(', ')} (any case)`,
      },
      file: str('Log file, relative to the configuration file; logs go to stderr when absent.', {
        minLength: 1,
      }),
    }),
    processing: obj('Concurrency, rate limiting and retries.', {
      concurrency: int('Parallel requests or tasks.', 1, processing.concurrency),
      rate_limit: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'Requests per second per host.',
        default: processing.rate_limit,
      },
      retry_max_attempts: int('Retries after the first attempt.', 0, processing.retry_max_attempts),
      timeout_s: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'Per-request timeout in seconds.',
        default: processing.timeout_s,
      },
      backoff_base: {
        type: 'number',
        minimum: 1,
        description: 'Base of the exponential backoff between retries.',
        default: processing.backoff_base,
      },
      batch_size: int('Items per batch for writers and bulk operations.', 1, processing.batch_size),
    }),
    incremental: obj('How `rebuild-catalog --mode incremental` finds what changed.', {
      strategy: oneOfValues(
        INCREMENTAL_STRATEGIES,
        '`auto`: a server-side filter on `updated` when the STAC API offers CQL2 filtering and the previous run saw `updated` on every item of a collection, else a full listing compared by content hash; `filter`: the server filter, or an error when it cannot be used; `listing`: always the full listing.',
        'auto',
      ),
    }),
    targeted: obj(
      'What `rebuild-catalog --mode targeted` rebuilds when the command line names nothing; every given criterion must hold.',
      {
        ids: stringList('Item ids.', 'Item id.'),
        collection: str('Collection id.', { minLength: 1 }),
        datetime: str(
          'RFC 3339 instant or start/end interval (`..` for an open end) that the item overlaps.',
          { minLength: 1 },
        ),
        bbox: {
          type: 'array',
          description: '[west, south, east, north] that the item bbox overlaps.',
          items: { type: 'number' },
          minItems: 4,
          maxItems: 4,
          errorMessage: 'must be a list of 4 numbers',
        },
      },
    ),
  },
};

function deepFreeze<T extends JsonValue>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The JSON Schema (draft-07) of a workflow configuration file, frozen. The
 * same document ships as `@scm/config/schema/config.schema.json`.
 */
export const configJsonSchema: Readonly<JsonObject> = deepFreeze(schema);
