/**
 * The physical layout of a file: which columns exist, their Parquet types, and
 * how nulls and timestamps read back. The writer builds it from the inferred
 * shapes; the reader rebuilds it from the Parquet schema plus the
 * `scm-output-parquet` key-value metadata.
 *
 * Null scheme: Parquet has one null for "JSON null" and "member absent". Each
 * member position (a column, a struct member) gets a policy from the data:
 * when explicit nulls outnumber absences there, a Parquet null reads back as
 * `null`, otherwise as an absent member. The rows that disagree with their
 * column's policy list the member path in the side column (`x`), so both cases
 * survive. List elements have no absent case: a null element is `null`.
 */
import { isForbiddenKey } from '@scm/core';
import type { InferredColumn } from './infer.js';
import type { ShapeNode } from './shape.js';
import { DEFAULT_TIMESTAMP_STYLE, parseStyleKey, styleKey, type TimestampStyle } from './timestamp.js';

/** Physical kinds of a planned node. */
export type PlanKind =
  | 'bool'
  | 'int'
  | 'double'
  | 'string'
  | 'timestamp'
  | 'wkb'
  | 'json'
  | 'list'
  | 'struct'
  | 'bbox';

/** One node of the physical layout. */
export interface PlanNode {
  /** Column or member name (`element` for list elements). */
  name: string;
  /** Physical kind. */
  kind: PlanKind;
  /** At a member position: a Parquet null reads back as JSON null (else as an absent member). */
  nullIsNull: boolean;
  /** Some row disagrees with `nullIsNull` at this position (writer only). */
  mayFlip: boolean;
  /** Column is REQUIRED (`id`). */
  required: boolean;
  /** List element. */
  element?: PlanNode;
  /** Struct members. */
  fields?: PlanNode[];
  /** Timestamp text style. */
  style?: TimestampStyle;
  /** Bbox has z members. */
  has3d?: boolean;
}

/** A top-level column of the layout. */
export interface PlanColumn {
  /** Column name. */
  name: string;
  /** Item member or property (the side column has its own slot). */
  source: 'item' | 'property' | 'side';
  /** Layout of its values. */
  node: PlanNode;
  /** Timestamp values the column style misses (writer only). */
  styleMisses?: number;
}

/** The whole layout. */
export interface FilePlan {
  /** Columns in file order. */
  columns: PlanColumn[];
  /** Whether the side column is written. */
  side: boolean;
}

/** A path inside a column: member names, `null` for "list element". */
export type SchemaPath = (string | null)[];

// ------------------------------------------------------------------ writer side

function planFromShape(name: string, shape: ShapeNode): PlanNode {
  let kind: PlanKind;
  switch (shape.kind) {
    case 'null':
      kind = 'string';
      break;
    case 'struct':
      // Parquet has no empty group: `{}` values are stored as JSON text, a null-only column as string.
      kind = shape.fields && shape.fields.size > 0 ? 'struct' : shape.present > 0 ? 'json' : 'string';
      break;
    default:
      kind = shape.kind as PlanKind;
  }
  const node: PlanNode = {
    name,
    kind,
    nullIsNull: false,
    mayFlip: false,
    required: false,
  };
  if (kind === 'list') {
    node.element = planFromShape('element', shape.element ?? emptyShape());
    node.element.nullIsNull = true;
  } else if (kind === 'struct') {
    const parentCount = shape.present;
    node.fields = [];
    for (const [fieldName, child] of shape.fields!) {
      const plan = planFromShape(fieldName, child);
      applyPolicy(plan, child, parentCount);
      node.fields.push(plan);
    }
  } else if (kind === 'timestamp') {
    node.style = shape.styles ? shape.styles.best().style : DEFAULT_TIMESTAMP_STYLE;
  } else if (kind === 'bbox') {
    node.has3d = shape.has3d;
  }
  return node;
}

function emptyShape(): ShapeNode {
  return { kind: 'null', nulls: 0, present: 0 } as ShapeNode;
}

function applyPolicy(plan: PlanNode, shape: ShapeNode, parentCount: number): void {
  const absent = Math.max(0, parentCount - shape.present - shape.nulls);
  plan.nullIsNull = shape.nulls > absent;
  plan.mayFlip = Math.min(shape.nulls, absent) > 0;
}

/** Builds the layout from pass one. */
export function planFromInference(columns: InferredColumn[], items: number, sideNeeded: boolean): FilePlan {
  const planned: PlanColumn[] = [];
  let side = sideNeeded;
  for (const column of columns) {
    const shape = column.node;
    // Items without any `assets` member: no column at all (an empty struct cannot be written).
    if (
      column.name === 'assets' &&
      shape.kind === 'struct' &&
      shape.fields!.size === 0 &&
      shape.present === 0
    ) {
      if (shape.nulls === 0) continue;
    }
    const node = planFromShape(column.name, column.node);
    applyPolicy(node, column.node, items);
    if (column.name === 'id') {
      node.required = true;
      node.nullIsNull = false;
      node.mayFlip = false;
    }
    const entry: PlanColumn = { name: column.name, source: column.source, node };
    if (node.kind === 'timestamp' && column.node.styles) {
      entry.styleMisses = column.node.styles.best().misses + column.node.unparsed;
      if (entry.styleMisses > 0) side = true;
    }
    if (anyFlip(node)) side = true;
    planned.push(entry);
  }
  if (side) planned.push({ name: sideColumnName, source: 'side', node: sideNode() });
  return { columns: planned, side };
}

const sideColumnName = '_scm_roundtrip';

function sideNode(): PlanNode {
  return {
    name: sideColumnName,
    kind: 'json',
    nullIsNull: false,
    mayFlip: false,
    required: false,
  };
}

function anyFlip(node: PlanNode): boolean {
  if (node.mayFlip) return true;
  if (node.element && anyFlip(node.element)) return true;
  return node.fields?.some(anyFlip) ?? false;
}

/** Human-readable widening events, e.g. `properties.mixed: int → json`. */
export function collectWidenings(columns: InferredColumn[]): string[] {
  const out: string[] = [];
  const walk = (shape: ShapeNode, path: string) => {
    if (shape.widenings) for (const w of shape.widenings) out.push(`${path}: ${w}`);
    if (shape.element) walk(shape.element, `${path}[]`);
    if (shape.fields) for (const [name, child] of shape.fields) walk(child, `${path}.${name}`);
  };
  for (const column of columns)
    walk(column.node, column.source === 'property' ? `properties.${column.name}` : column.name);
  return out;
}

// ------------------------------------------------------------------ round-trip metadata

/** Key of this package's file metadata. */
export const ROUNDTRIP_METADATA_KEY = 'scm-output-parquet';

/** What `scm-output-parquet` holds. */
export interface RoundtripMetadata {
  /** Format version of this metadata. */
  version: 1;
  /** Name of the side column, when the file has one. */
  side?: string;
  /** Member positions whose Parquet nulls read back as JSON null. */
  nullIsNull: SchemaPath[];
  /** Text style of each timestamp column, e.g. `auto|Z`. */
  timestamps: Record<string, string>;
  /** Positions holding WKB geometries. */
  wkb: SchemaPath[];
  /** Top-level columns that come from item members rather than properties. */
  itemColumns: string[];
}

/** Builds the round-trip metadata of a layout. */
export function roundtripMetadataOf(plan: FilePlan): RoundtripMetadata {
  const nullIsNull: SchemaPath[] = [];
  const wkb: SchemaPath[] = [];
  const timestamps: Record<string, string> = {};
  const walk = (node: PlanNode, path: SchemaPath, member: boolean) => {
    if (member && node.nullIsNull) nullIsNull.push(path);
    if (node.kind === 'wkb') wkb.push(path);
    if (node.element) walk(node.element, [...path, null], false);
    if (node.fields) for (const f of node.fields) walk(f, [...path, f.name], true);
  };
  for (const column of plan.columns) {
    if (column.source === 'side') continue;
    walk(column.node, [column.name], true);
    if (column.node.kind === 'timestamp') timestamps[column.name] = styleKey(column.node.style!);
  }
  const meta: RoundtripMetadata = {
    version: 1,
    nullIsNull,
    timestamps,
    wkb,
    itemColumns: plan.columns.filter((c) => c.source === 'item').map((c) => c.name),
  };
  if (plan.side) meta.side = sideColumnName;
  return meta;
}

// ------------------------------------------------------------------ reader side

/** The parts of a Parquet schema element the reader looks at. */
export interface SchemaElementLike {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: { type: string };
  repetition_type?: string;
}

/** The subset of hyparquet's SchemaTree the reader needs. */
export interface SchemaTreeLike {
  element: SchemaElementLike;
  children: SchemaTreeLike[];
}

function pathKey(path: SchemaPath): string {
  return JSON.stringify(path);
}

/** Default item columns of files written by other tools. */
const FOREIGN_ITEM_COLUMNS = new Set([
  'id',
  'type',
  'stac_version',
  'stac_extensions',
  'collection',
  'geometry',
  'bbox',
  'links',
  'assets',
]);

/**
 * Rebuilds the layout from a file's schema and metadata. Files from other
 * writers (no `scm-output-parquet` key) read with defaults: Parquet nulls are
 * absent members except a top-level `datetime`, timestamps use the `auto|Z`
 * style, and geometry columns come from the `geo` metadata.
 */
export function planFromParquet(
  root: SchemaTreeLike,
  meta: RoundtripMetadata | undefined,
  geoColumns: ReadonlySet<string>,
): FilePlan {
  const nullIsNull = new Set((meta?.nullIsNull ?? [['datetime']]).map(pathKey));
  const wkb = new Set((meta?.wkb ?? []).map(pathKey));
  const itemColumns = new Set(meta?.itemColumns ?? FOREIGN_ITEM_COLUMNS);
  const columns: PlanColumn[] = [];
  let side = false;
  for (const child of root.children) {
    const name = child.element.name;
    if (isForbiddenKey(name)) continue;
    if (meta?.side && name === meta.side) {
      side = true;
      columns.push({ name, source: 'side', node: sideNode() });
      continue;
    }
    const node = nodeFromSchema(child, [name], true, { nullIsNull, wkb, meta, geoColumns, top: name });
    columns.push({ name, source: itemColumns.has(name) ? 'item' : 'property', node });
  }
  return { columns, side };
}

interface ReadContext {
  nullIsNull: Set<string>;
  wkb: Set<string>;
  meta: RoundtripMetadata | undefined;
  geoColumns: ReadonlySet<string>;
  top: string;
}

function nodeFromSchema(tree: SchemaTreeLike, path: SchemaPath, member: boolean, ctx: ReadContext): PlanNode {
  const { element } = tree;
  const node: PlanNode = {
    name: element.name,
    kind: 'string',
    nullIsNull: member ? ctx.nullIsNull.has(pathKey(path)) : true,
    mayFlip: false,
    required: element.repetition_type === 'REQUIRED',
  };
  const isTop = path.length === 1;
  if (tree.children.length > 0) {
    const listLike = element.converted_type === 'LIST' || element.logical_type?.type === 'LIST';
    const mapLike =
      element.converted_type === 'MAP' ||
      element.converted_type === 'MAP_KEY_VALUE' ||
      element.logical_type?.type === 'MAP';
    if (mapLike) {
      node.kind = 'json';
    } else if (listLike) {
      node.kind = 'list';
      const repeated = tree.children[0]!;
      const elementTree =
        repeated.children.length === 1 && repeated.element.repetition_type === 'REPEATED'
          ? repeated.children[0]!
          : repeated;
      node.element = nodeFromSchema(elementTree, [...path, null], false, ctx);
    } else if (isTop && element.name === 'bbox') {
      node.kind = 'bbox';
      node.has3d = tree.children.some((c) => c.element.name === 'zmin');
    } else {
      node.kind = 'struct';
      node.fields = tree.children
        .filter((c) => !isForbiddenKey(c.element.name))
        .map((c) => nodeFromSchema(c, [...path, c.element.name], true, ctx));
    }
    return node;
  }
  const { type, converted_type, logical_type } = element;
  if (
    logical_type?.type === 'TIMESTAMP' ||
    converted_type === 'TIMESTAMP_MICROS' ||
    converted_type === 'TIMESTAMP_MILLIS' ||
    type === 'INT96'
  ) {
    node.kind = 'timestamp';
    node.style = parseStyleKey(ctx.meta?.timestamps[ctx.top]);
  } else if (type === 'BOOLEAN') node.kind = 'bool';
  else if (type === 'INT32' || type === 'INT64') node.kind = 'int';
  else if (type === 'FLOAT' || type === 'DOUBLE') node.kind = 'double';
  else if (converted_type === 'JSON' || logical_type?.type === 'JSON') node.kind = 'json';
  else if (converted_type === 'UTF8' || logical_type?.type === 'STRING' || converted_type === 'ENUM')
    node.kind = 'string';
  else if (ctx.wkb.has(pathKey(path)) || (isTop && ctx.geoColumns.has(element.name))) node.kind = 'wkb';
  else if (logical_type?.type === 'GEOMETRY' || logical_type?.type === 'GEOGRAPHY') node.kind = 'wkb';
  else if (type === 'BYTE_ARRAY' && !ctx.meta && path[path.length - 1] === 'proj:geometry') node.kind = 'wkb';
  else node.kind = 'string';
  return node;
}
