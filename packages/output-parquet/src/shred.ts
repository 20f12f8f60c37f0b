/**
 * Row shredding: turns items into Parquet leaf columns (values plus
 * definition and repetition levels) in one walk per item, converting values
 * on the way (INT64 as bigint, timestamps as microseconds, geometries as WKB,
 * bbox arrays as struct members) and collecting the row's side record.
 *
 * hyparquet-writer would do the level encoding itself, but it walks every row
 * once per leaf and needs converted copies of nested values; for items with
 * ~100 leaves one walk per row is several times cheaper. The leaves are then
 * handed to hyparquet-writer's column writer, one row group at a time.
 */
import { isForbiddenKey, ScmError } from '@scm/core';
import type { ParquetWriter, SchemaElement } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { type BoundsAccumulator, emptyBounds, inspectGeometry, toWkb } from './geometry.js';
import { ITEM_MEMBERS, RESERVED_COLUMNS } from './item-check.js';
import type { FilePlan, PlanColumn, PlanNode } from './plan.js';
import { readTimestamp, styleReproduces } from './timestamp.js';

/**
 * What the side column holds for one row (every member optional; the row's
 * cell is null when none is needed):
 *
 * - `x`: member paths whose null/absent state is the opposite of their column's policy;
 * - `t`: original text of timestamps the column's style does not reproduce (or that are not RFC 3339);
 * - `g`: the original geometry when WKB does not reproduce it (extra members such as `bbox`);
 * - `f`: foreign top-level members of the item;
 * - `p`: properties whose names are taken by item columns (`id`, `links`, …).
 */
export interface SideRecord {
  x?: (string | number)[][];
  t?: Record<string, string>;
  g?: unknown;
  f?: Record<string, unknown>;
  p?: Record<string, unknown>;
}

/** Per-file geometry statistics for the `geo` metadata. */
export interface GeometryStats {
  /** Geometry type names seen, e.g. `Polygon`, `Point Z`. */
  types: Set<string>;
  /** Bounds of all geometry coordinates. */
  bounds: BoundsAccumulator;
}

/** A new empty {@link GeometryStats}. */
export function emptyGeometryStats(): GeometryStats {
  return { types: new Set(), bounds: emptyBounds() };
}

/** One leaf column and the values and levels collected for the current row group. */
class Leaf {
  values: unknown[] = [];
  def = new Uint8Array(1024);
  rep = new Uint8Array(1024);
  count = 0;

  constructor(
    readonly element: SchemaElement,
    readonly schemaPath: SchemaElement[],
    readonly maxDef: number,
    readonly statistics: boolean,
  ) {}

  get columnName(): string {
    return this.schemaPath
      .slice(1)
      .map((e) => e.name)
      .join('.');
  }

  push(value: unknown, def: number, rep: number): void {
    const i = this.count;
    if (i === this.def.length) {
      const grownDef = new Uint8Array(i * 2);
      grownDef.set(this.def);
      this.def = grownDef;
      const grownRep = new Uint8Array(i * 2);
      grownRep.set(this.rep);
      this.rep = grownRep;
    }
    this.values.push(value);
    this.def[i] = def;
    this.rep[i] = rep;
    this.count = i + 1;
  }

  reset(): void {
    this.values = [];
    this.count = 0;
  }
}

/**
 * The shredder's view of a plan node: the plan's decisions plus where the
 * node's leaves are, as plain fields (the walk runs once per value).
 */
interface ShredNode {
  plan: PlanNode;
  kind: PlanNode['kind'];
  name: string;
  required: boolean;
  nullIsNull: boolean;
  mayFlip: boolean;
  /** First leaf of the subtree. */
  start: number;
  /** One past the last leaf. */
  end: number;
  /** The node's own leaf (primitives). */
  leaf: Leaf | undefined;
  /** Repetition level of a list's elements. */
  repLevel: number;
  element: ShredNode | undefined;
  fields: ShredNode[] | undefined;
}

/** Column kinds that get min/max statistics (useful for pruning; nested leaves are not worth their cost). */
const STATISTICS_KINDS: ReadonlySet<string> = new Set([
  'bool',
  'int',
  'double',
  'string',
  'timestamp',
  'bbox',
]);

/** Primitive kinds whose leaves may carry statistics (JSON and WKB bytes never do). */
const LEAF_STATISTICS: ReadonlySet<string> = new Set(['bool', 'int', 'double', 'string', 'timestamp']);

/** The schema element of a primitive plan node's leaf column. */
function primitiveElement(node: PlanNode): SchemaElement {
  const name = node.name;
  const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
  switch (node.kind) {
    case 'bool':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'int':
      return { name, type: 'INT64', repetition_type };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type };
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'json':
      return { name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type };
    case 'wkb':
      return { name, type: 'BYTE_ARRAY', repetition_type };
    case 'timestamp':
      return {
        name,
        type: 'INT64',
        repetition_type,
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
    default:
      throw new ScmError('SCM_INTERNAL', `no primitive column for a ${node.kind} node`);
  }
}

/** The Parquet schema of a plan and its leaves. */
export class Layout {
  /** Flattened schema, root first. */
  readonly schema: SchemaElement[] = [];
  /** Leaf columns in schema order. */
  readonly leaves: Leaf[] = [];
  /** Shred nodes of the top-level columns, in plan order. */
  readonly columns: ShredNode[] = [];

  constructor(plan: FilePlan) {
    const root: SchemaElement = { name: 'root', num_children: plan.columns.length };
    this.schema.push(root);
    for (const column of plan.columns) {
      this.columns.push(this.visit(column.node, [root], 0, 0, STATISTICS_KINDS.has(column.node.kind)));
    }
  }

  private addLeaf(element: SchemaElement, path: SchemaElement[], def: number, stats: boolean): Leaf {
    this.schema.push(element);
    const leaf = new Leaf(element, [...path, element], def, stats);
    this.leaves.push(leaf);
    return leaf;
  }

  private visit(
    node: PlanNode,
    path: SchemaElement[],
    parentDef: number,
    rep: number,
    stats: boolean,
  ): ShredNode {
    const def = node.required ? parentDef : parentDef + 1;
    const out: ShredNode = {
      plan: node,
      kind: node.kind,
      name: node.name,
      required: node.required,
      nullIsNull: node.nullIsNull,
      mayFlip: node.mayFlip,
      start: this.leaves.length,
      end: 0,
      leaf: undefined,
      repLevel: 0,
      element: undefined,
      fields: undefined,
    };
    const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
    switch (node.kind) {
      case 'bbox':
        this.visitBbox(node, path, def, stats);
        break;
      case 'list': {
        const group: SchemaElement = {
          name: node.name,
          repetition_type,
          converted_type: 'LIST',
          num_children: 1,
        };
        const repeated: SchemaElement = { name: 'list', repetition_type: 'REPEATED', num_children: 1 };
        this.schema.push(group, repeated);
        out.repLevel = rep + 1;
        out.element = this.visit(node.element!, [...path, group, repeated], def + 1, rep + 1, stats);
        break;
      }
      case 'struct': {
        const group: SchemaElement = { name: node.name, repetition_type, num_children: node.fields!.length };
        this.schema.push(group);
        out.fields = node.fields!.map((field) => this.visit(field, [...path, group], def, rep, stats));
        break;
      }
      default:
        out.leaf = this.addLeaf(primitiveElement(node), path, def, stats && LEAF_STATISTICS.has(node.kind));
    }
    out.end = this.leaves.length;
    return out;
  }

  /** A bbox is a group of four (or six, with optional z) double leaves. */
  private visitBbox(node: PlanNode, path: SchemaElement[], def: number, stats: boolean): void {
    const names = node.has3d
      ? ['xmin', 'ymin', 'zmin', 'xmax', 'ymax', 'zmax']
      : ['xmin', 'ymin', 'xmax', 'ymax'];
    const repetition_type = node.required ? 'REQUIRED' : 'OPTIONAL';
    const group: SchemaElement = { name: node.name, repetition_type, num_children: names.length };
    this.schema.push(group);
    for (const name of names) {
      const optional = name.startsWith('z');
      this.addLeaf(
        { name, type: 'DOUBLE', repetition_type: optional ? 'OPTIONAL' : 'REQUIRED' },
        [...path, group],
        optional ? def + 1 : def,
        stats,
      );
    }
  }

  /** Empties the leaves for the next row group. */
  reset(): void {
    for (const leaf of this.leaves) leaf.reset();
  }
}

const bigints = new Map<number, bigint>();

/** `BigInt(value)`, reusing earlier results: STAC integers repeat a lot (EPSG codes, shapes, nodata). */
function toBigInt(value: number): bigint {
  let big = bigints.get(value);
  if (big === undefined) {
    big = BigInt(value);
    if (bigints.size < 65_536) bigints.set(value, big);
  }
  return big;
}

function mismatch(what: string, value: unknown): ScmError {
  return new ScmError(
    'SCM_INTERNAL',
    `value does not match the inferred schema at ${what} (${typeof value}); the input changed between passes?`,
  );
}

/** Shreds items into a {@link Layout}'s leaves. */
export class RowShredder {
  private readonly stack: (string | number)[] = [];
  private side: SideRecord = {};
  private sideUsed = false;
  private readonly leaves: Leaf[];

  constructor(
    private readonly plan: FilePlan,
    private readonly layout: Layout,
    private stats: GeometryStats,
  ) {
    this.leaves = layout.leaves;
  }

  /** Switches the geometry statistics target (one per part file). */
  setStats(stats: GeometryStats): void {
    this.stats = stats;
  }

  /** Adds one item to the current row group. */
  shred(item: Record<string, unknown>): void {
    this.side = {};
    this.sideUsed = false;
    const properties = item.properties as Record<string, unknown>;
    const columns = this.plan.columns;
    let sideNode: ShredNode | undefined;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const node = this.layout.columns[i]!;
      if (column.source === 'side') {
        sideNode = node;
        continue;
      }
      const value = column.source === 'item' ? item[column.name] : properties[column.name];
      this.shredColumn(column, node, value);
    }
    if (sideNode) {
      for (const key in item) {
        if (!ITEM_MEMBERS.has(key) && !isForbiddenKey(key)) {
          if (!this.side.f) this.side.f = {};
          this.side.f[key] = item[key];
          this.sideUsed = true;
        }
      }
      for (const key in properties) {
        if (RESERVED_COLUMNS.has(key) && !isForbiddenKey(key)) {
          if (!this.side.p) this.side.p = {};
          this.side.p[key] = properties[key];
          this.sideUsed = true;
        }
      }
      sideNode.leaf!.push(this.sideUsed ? this.side : null, this.sideUsed ? 1 : 0, 0);
    }
  }

  private flip(): void {
    if (!this.side.x) this.side.x = [];
    this.side.x.push(this.stack.slice());
    this.sideUsed = true;
  }

  private nulls(node: ShredNode, def: number, rep: number): void {
    const leaves = this.leaves;
    for (let i = node.start; i < node.end; i++) leaves[i]!.push(null, def, rep);
  }

  private shredColumn(column: PlanColumn, node: ShredNode, value: unknown): void {
    this.stack.length = 0;
    this.stack.push(column.name);
    if (value === undefined || value === null) {
      if (node.required) throw mismatch(column.name, value);
      if (node.mayFlip && (value === null) !== node.nullIsNull) this.flip();
      this.nulls(node, 0, 0);
      return;
    }
    if (node.kind === 'timestamp') {
      if (typeof value !== 'string') throw mismatch(column.name, value);
      const parsed = readTimestamp(value);
      if (!parsed || !styleReproduces(parsed, node.plan.style!)) {
        if (!this.plan.side) throw mismatch(column.name, value);
        if (!this.side.t) this.side.t = {};
        this.side.t[column.name] = value;
        this.sideUsed = true;
      }
      if (parsed) node.leaf!.push(parsed.micros, 1, 0);
      else this.nulls(node, 0, 0);
      return;
    }
    if (node.kind === 'wkb' && column.name === 'geometry' && column.source === 'item') {
      const info = inspectGeometry(value, this.stats.bounds);
      if (typeof info === 'string') throw mismatch(column.name, value);
      this.stats.types.add(info.typeName);
      if (!info.exact) {
        this.side.g = value;
        this.sideUsed = true;
      }
      node.leaf!.push(toWkb(value), 1, 0);
      return;
    }
    this.shredValue(node, value, node.required ? 0 : 1, 0);
  }

  /** Shreds a non-null value whose own definition level (already counted) is `def`. */
  private shredValue(node: ShredNode, value: unknown, def: number, rep: number): void {
    switch (node.kind) {
      case 'bbox':
        this.shredBbox(node, value, def, rep);
        return;
      case 'list':
        this.shredList(node, value, def, rep);
        return;
      case 'struct':
        this.shredStruct(node, value, def, rep);
        return;
      default:
        node.leaf!.push(this.leafValue(node, value), def, rep);
    }
  }

  /** The value a primitive leaf stores for `value`, checked against the planned kind. */
  private leafValue(node: ShredNode, value: unknown): unknown {
    switch (node.kind) {
      case 'string':
        if (typeof value !== 'string') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'double':
        if (typeof value !== 'number') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'int':
        if (typeof value !== 'number') throw mismatch(this.stack.join('.'), value);
        return toBigInt(value);
      case 'bool':
        if (typeof value !== 'boolean') throw mismatch(this.stack.join('.'), value);
        return value;
      case 'wkb':
        return toWkb(value);
      case 'timestamp': {
        const parsed = typeof value === 'string' ? readTimestamp(value) : undefined;
        if (!parsed) throw mismatch(this.stack.join('.'), value);
        return parsed.micros;
      }
      default:
        return value; // json: serialised by the leaf
    }
  }

  /** A 2D bbox fills a 3D layout with null z values; a 6-number bbox keeps its order. */
  private shredBbox(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (!Array.isArray(value)) throw mismatch('bbox', value);
    const b = value as number[];
    const has3d = node.plan.has3d;
    const ordered = b.length === 6 ? b : has3d ? [b[0], b[1], null, b[2], b[3], null] : b;
    for (let i = 0; i < ordered.length; i++) {
      const v = ordered[i];
      const z = has3d && (i === 2 || i === 5);
      this.leaves[node.start + i]!.push(v, z && v !== null ? def + 1 : def, rep);
    }
  }

  private shredList(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (!Array.isArray(value)) throw mismatch(this.stack.join('.'), value);
    const element = node.element!;
    if (value.length === 0) {
      this.nulls(element, def, rep);
      return;
    }
    const repLevel = node.repLevel;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const r = i === 0 ? rep : repLevel;
      if (item === null || item === undefined) this.nulls(element, def + 1, r);
      else if (element.leaf && element.kind === 'string' && typeof item === 'string') {
        // the common case (roles, keywords) skips the recursion and the path bookkeeping
        element.leaf.push(item, def + 2, r);
      } else {
        this.stack.push(i);
        this.shredValue(element, item, def + 2, r);
        this.stack.pop();
      }
    }
  }

  private shredStruct(node: ShredNode, value: unknown, def: number, rep: number): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw mismatch(this.stack.join('.'), value);
    }
    const object = value as Record<string, unknown>;
    const fields = node.fields!;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const member = object[field.name];
      this.stack.push(field.name);
      if (member === undefined || member === null) {
        if (field.mayFlip && (member === null) !== field.nullIsNull) this.flip();
        this.nulls(field, def, rep);
      } else {
        this.shredValue(field, member, field.required ? def : def + 1, rep);
      }
      this.stack.pop();
    }
  }
}

/** Options of {@link writeRowGroup}. */
export interface RowGroupOptions {
  /** Rows shredded into the layout. */
  rows: number;
  /** Target page size in bytes (default 1 MiB). */
  pageSize?: number;
}

/**
 * Writes the layout's leaves as one row group of `writer`, the way
 * `ParquetWriter.write` does for a single group, then flushes the file writer.
 */
export async function writeRowGroup(
  writer: ParquetWriter,
  layout: Layout,
  options: RowGroupOptions,
): Promise<void> {
  const out = writer.writer;
  const groupStart = out.offset;
  const columns: ReturnType<typeof writeColumn>['chunk'][] = [];
  for (const leaf of layout.leaves) {
    const nested = leaf.schemaPath.length > 2;
    const result = writeColumn({
      writer: out,
      column: {
        columnName: leaf.columnName,
        element: leaf.element,
        schemaPath: leaf.schemaPath,
        codec: writer.codec,
        compressors: writer.compressors,
        stats: leaf.statistics,
        statisticsTruncateLength: writer.statisticsTruncateLength,
        pageSize: options.pageSize ?? 1024 * 1024,
        columnIndex: false,
        offsetIndex: true,
      },
      pageData: {
        values: leaf.values as never,
        definitionLevels: (leaf.maxDef === 0 ? [] : leaf.def.subarray(0, leaf.count)) as number[],
        repetitionLevels: (nested ? leaf.rep.subarray(0, leaf.count) : []) as number[],
        maxDefinitionLevel: leaf.maxDef,
      },
    });
    columns.push(result.chunk);
    writer.pendingIndexes.push(result as never);
  }
  let totalByteSize = 0n;
  for (const { meta_data } of columns) totalByteSize += meta_data?.total_uncompressed_size ?? 0n;
  writer.num_rows += BigInt(options.rows);
  writer.row_groups.push({
    columns,
    total_byte_size: totalByteSize,
    num_rows: BigInt(options.rows),
    total_compressed_size: BigInt(out.offset - groupStart),
  } as never);
  await out.flush?.();
}
